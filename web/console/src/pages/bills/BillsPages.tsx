import { lazy } from 'react';
import { useParams } from 'react-router';

const BillsPage = lazy(() => import('./BillsPage'));
const BillPage = lazy(() => import('./BillPage'));
const VouchersPage = lazy(() => import('./VouchersPage'));
const VoucherPage = lazy(() => import('./VoucherPage'));
const NotFoundPage = lazy(() => import('../NotFoundPage'));

/**
 * The 报销 pages (docs/console.md): /bills (单据), /bills/{resource}/{billId}, /vouchers (凭证),
 * /vouchers/{resource}/{vouchId}. One route per area in the entry (its bundle budget); this picks the page.
 */
export default function BillsPages({ area }: { area: 'bills' | 'vouchers' }) {
  const parts = (useParams()['*'] ?? '').split('/').filter((p) => p !== '');
  if (parts.length === 0) return area === 'bills' ? <BillsPage /> : <VouchersPage />;
  if (parts.length === 2) {
    const [resource, id] = parts.map(decodeURIComponent) as [string, string];
    return area === 'bills' ? (
      <BillPage key={`${resource}/${id}`} resource={resource} billId={id} />
    ) : (
      <VoucherPage key={`${resource}/${id}`} resource={resource} vouchId={id} />
    );
  }
  return <NotFoundPage />;
}
