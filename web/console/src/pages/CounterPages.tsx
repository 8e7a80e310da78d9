import { lazy, type ReactElement } from 'react';
import { useParams } from 'react-router';

const CataloguePage = lazy(() => import('./CataloguePage'));
const CounterSalePage = lazy(() => import('./CounterSalePage'));
const ReservationsPage = lazy(() => import('./ReservationsPage'));
const KiosksPage = lazy(() => import('./KiosksPage'));
const NotFoundPage = lazy(() => import('./NotFoundPage'));

const PAGES: Record<string, () => ReactElement> = {
  catalogue: () => <CataloguePage />,
  sale: () => <CounterSalePage />,
  reservations: () => <ReservationsPage />,
  kiosks: () => <KiosksPage />,
};

/**
 * The 柜台 pages under /counter/ (docs/counter.md): catalogue (商品档案), sale (码上开票), reservations (预约二维码),
 * kiosks (自助打印终端). The console's entry holds one route for all of them (its bundle budget), this picks the page.
 */
export default function CounterPages() {
  const page = useParams()['*'] ?? '';
  const render = Object.hasOwn(PAGES, page) ? PAGES[page] : undefined;
  return render ? render() : <NotFoundPage />;
}
