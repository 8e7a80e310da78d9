import {
  AlertOutlined,
  AuditOutlined,
  DashboardOutlined,
  DownOutlined,
  FileTextOutlined,
  FormOutlined,
  KeyOutlined,
  LogoutOutlined,
  QrcodeOutlined,
  SendOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Breadcrumb, Button, Dropdown, Layout, Menu, Spin } from 'antd';
import { lazy, type ReactNode, Suspense, useState } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { api, errorMessage, setCsrfToken } from '../api';
import { can, ROLE_NAMES, SESSION_KEY, useSession } from '../session';
import { useToast } from '../toast';

// Loaded when first opened: the login and dashboard bundles stay smaller (docs/benchmarks.md#console-bundle).
const ChangePasswordModal = lazy(() => import('./ChangePasswordModal'));

interface MenuEntry {
  path: string;
  label: string;
  icon: ReactNode;
  /** The permission the entry needs (SessionInfo.permissions); null: everyone logged in. */
  permission: string | null;
  parent?: string;
}

/** The side menu, in order; entries the user's role cannot use are hidden. */
export const MENU: MenuEntry[] = [
  { path: '/', label: '工作台', icon: <DashboardOutlined />, permission: 'invoices.read' },
  { path: '/invoices', label: '销项发票', icon: <FileTextOutlined />, permission: 'invoices.read' },
  { path: '/invoices/issue', label: '开具发票', icon: <FormOutlined />, permission: 'invoices.issue' },
  { path: '/scan/orders', label: '扫码订单', icon: <QrcodeOutlined />, permission: 'scan.read' },
  { path: '/deliveries', label: '推送记录', icon: <SendOutlined />, permission: 'integrations.read' },
  { path: '/monitor', label: '开票监控', icon: <AlertOutlined />, permission: 'invoices.read' },
  { path: '/red-forms', label: '红字确认单', icon: <AuditOutlined />, permission: 'invoices.read' },
];

function selectedKey(pathname: string): string {
  const match = MENU.filter((m) => (m.path === '/' ? pathname === '/' : pathname.startsWith(m.path))).sort(
    (a, b) => b.path.length - a.path.length,
  )[0];
  return match?.path ?? '/';
}

export function AppLayout() {
  const { data: session } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const message = useToast();
  const [changingPassword, setChangingPassword] = useState(false);
  const current = selectedKey(location.pathname);
  const entry = MENU.find((m) => m.path === current);

  const logout = async () => {
    try {
      await api('DELETE', '/api/v1/session');
    } catch (err) {
      void message.error(errorMessage(err));
    }
    setCsrfToken(null);
    queryClient.clear();
    queryClient.setQueryData(SESSION_KEY, null);
    await navigate('/login', { replace: true });
  };

  const items = MENU.filter((m) => can(session, m.permission)).map((m) => ({
    key: m.path,
    icon: m.icon,
    label: <Link to={m.path}>{m.label}</Link>,
  }));

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={208} theme="dark" breakpoint="lg" collapsedWidth={64}>
        <div style={{ height: 56, display: 'flex', alignItems: 'center', padding: '0 20px', color: '#fff' }}>
          <strong style={{ color: '#fff', fontSize: 16, whiteSpace: 'nowrap' }}>OpenFapiao 发票云</strong>
        </div>
        <Menu theme="dark" mode="inline" selectedKeys={[current]} items={items} />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 24px',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          <Breadcrumb
            items={[
              { title: <Link to="/">首页</Link> },
              ...(entry && entry.path !== '/' ? [{ title: entry.label }] : [{ title: '工作台' }]),
            ]}
          />
          <Dropdown
            menu={{
              items: [
                { key: 'password', icon: <KeyOutlined />, label: '修改密码' },
                { type: 'divider' },
                { key: 'logout', icon: <LogoutOutlined />, label: '退出登录' },
              ],
              onClick: ({ key }) => {
                if (key === 'password') setChangingPassword(true);
                if (key === 'logout') void logout();
              },
            }}
          >
            <Button type="text" data-testid="user-menu">
              <UserOutlined /> {session?.user.displayName ?? session?.user.username}
              <span className="ofp-secondary" style={{ marginLeft: 8 }}>
                {session?.user.tenantName} · {ROLE_NAMES[session?.user.role ?? ''] ?? session?.user.role}
              </span>{' '}
              <DownOutlined />
            </Button>
          </Dropdown>
        </Layout.Header>
        <Layout.Content style={{ margin: 24 }}>
          <Suspense fallback={<Spin style={{ display: 'block', padding: 48 }} />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
      {changingPassword && (
        <Suspense fallback={null}>
          <ChangePasswordModal open onClose={() => setChangingPassword(false)} />
        </Suspense>
      )}
    </Layout>
  );
}
