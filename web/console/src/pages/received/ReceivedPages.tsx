import { lazy } from 'react';
import { useParams } from 'react-router';

const ReceivedFilesPage = lazy(() => import('./ReceivedFilesPage'));
const ReceivedInvoicesPage = lazy(() => import('./ReceivedInvoicesPage'));
const ReceivedInvoicePage = lazy(() => import('./ReceivedInvoicePage'));
const ReceivedRulesPage = lazy(() => import('./ReceivedRulesPage'));
const MailboxesPage = lazy(() => import('./mailboxes-page'));
const NotFoundPage = lazy(() => import('../NotFoundPage'));

/**
 * The 收票 pages under /received/ (docs/console.md): inbox (收票箱), invoices (进项发票), invoices/{id} (an item),
 * rules (合规规则), mailboxes (收票邮箱). The console's entry holds one route for all of them (its bundle budget), this picks the page.
 */
export default function ReceivedPages() {
  const [page = '', id, ...rest] = (useParams()['*'] ?? '').split('/');
  if (rest.length > 0) return <NotFoundPage />;
  if (page === 'inbox' && id === undefined) return <ReceivedFilesPage />;
  if (page === 'rules' && id === undefined) return <ReceivedRulesPage />;
  if (page === 'mailboxes' && id === undefined) return <MailboxesPage />;
  if (page === 'invoices' && !id) return <ReceivedInvoicesPage />;
  if (page === 'invoices' && id) return <ReceivedInvoicePage key={id} id={id} />;
  return <NotFoundPage />;
}
