import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { lazy } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiError, setUnauthenticatedHandler } from './api';
import { AppLayout } from './components/AppLayout';
import { RequireSession } from './components/RequireSession';
import { SESSION_KEY } from './session';
import { ToastProvider } from './toast';

dayjs.locale('zh-cn');

const LoginPage = lazy(() => import('./pages/LoginPage'));
const DashboardPage = lazy(() => import('./pages/DashboardPage'));
const InvoicesPage = lazy(() => import('./pages/InvoicesPage'));
const IssuePage = lazy(() => import('./pages/IssuePage'));
const ScanOrdersPage = lazy(() => import('./pages/ScanOrdersPage'));
const DeliveriesPage = lazy(() => import('./pages/DeliveriesPage'));
const ScanSettingsPage = lazy(() => import('./pages/ScanSettingsPage'));
const AppsPage = lazy(() => import('./pages/AppsPage'));
const BusinessSystemsPage = lazy(() => import('./pages/BusinessSystemsPage'));
const OutboxPage = lazy(() => import('./pages/OutboxPage'));
const OrgsPage = lazy(() => import('./pages/OrgsPage'));
const UsersPage = lazy(() => import('./pages/UsersPage'));
const MySessionsPage = lazy(() => import('./pages/MySessionsPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const SystemPage = lazy(() => import('./pages/SystemPage'));
const MonitorPage = lazy(() => import('./pages/MonitorPage'));
const RedFormsPage = lazy(() => import('./pages/RedFormsPage'));
const ReceivedPages = lazy(() => import('./pages/received/ReceivedPages'));
const CounterPages = lazy(() => import('./pages/CounterPages'));
const BillsPages = lazy(() => import('./pages/bills/BillsPages'));
const DeductionPage = lazy(() => import('./pages/DeductionPage'));
const FolderPage = lazy(() => import('./pages/FolderPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, err) => !(err instanceof ApiError && err.status > 0 && err.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
  queryCache: new QueryCache(),
  mutationCache: new MutationCache(),
});
// A call that answers 401 means the session ended: forget it, and RequireSession sends the user to the login page.
setUnauthenticatedHandler(() => queryClient.setQueryData(SESSION_KEY, null));

const router = createBrowserRouter(
  [
    { path: '/login', element: <LoginPage /> },
    {
      path: '/',
      element: (
        <RequireSession>
          <AppLayout />
        </RequireSession>
      ),
      children: [
        { index: true, element: <DashboardPage /> },
        { path: 'invoices', element: <InvoicesPage /> },
        { path: 'invoices/issue', element: <IssuePage /> },
        { path: 'scan/orders', element: <ScanOrdersPage /> },
        { path: 'deliveries', element: <DeliveriesPage /> },
        { path: 'scan/settings', element: <ScanSettingsPage /> },
        { path: 'integrations/apps', element: <AppsPage /> },
        { path: 'integrations/business-systems', element: <BusinessSystemsPage /> },
        { path: 'integrations/outbox', element: <OutboxPage /> },
        { path: 'orgs', element: <OrgsPage /> },
        { path: 'users', element: <UsersPage /> },
        { path: 'me/sessions', element: <MySessionsPage /> },
        { path: 'audit', element: <AuditPage /> },
        { path: 'system', element: <SystemPage /> },
        { path: 'monitor', element: <MonitorPage /> },
        { path: 'red-forms', element: <RedFormsPage /> },
        { path: 'deduction', element: <DeductionPage /> },
        { path: 'folder', element: <FolderPage /> },
        // 收票: one route in the entry; ReceivedPages picks the page (each its own lazy chunk).
        { path: 'received/*', element: <ReceivedPages /> },
        // 柜台: one route in the entry; CounterPages picks the page (each its own lazy chunk).
        { path: 'counter/*', element: <CounterPages /> },
        // 报销: 单据 and 凭证 (one lazy chunk per page, picked by BillsPages).
        { path: 'bills/*', element: <BillsPages area="bills" /> },
        { path: 'vouchers/*', element: <BillsPages area="vouchers" /> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ],
  { basename: '/console' },
);

export function App() {
  return (
    <ConfigProvider locale={zhCN} theme={{ token: { colorPrimary: '#c8161d', borderRadius: 4 } }}>
      <ToastProvider>
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </ToastProvider>
    </ConfigProvider>
  );
}
