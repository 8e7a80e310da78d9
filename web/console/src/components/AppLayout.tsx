import {
  ApiOutlined,
  DashboardOutlined,
  DownOutlined,
  FileTextOutlined,
  KeyOutlined,
  LogoutOutlined,
  QrcodeOutlined,
  SettingOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Breadcrumb, Button, Dropdown, Layout, Menu, type MenuProps, Spin } from 'antd';
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
  /** The permission the entry needs (SessionInfo.permissions); null: everyone logged in. */
  permission: string | null;
  /** The submenu of the side menu the entry is shown in (none: at the top level, with `icon`). */
  parent?: MenuGroup;
  icon?: ReactNode;
}

/**
 * The side menu's submenus, each with its icon (only top-level items carry icons: every icon is in the login and
 * dashboard bundles, docs/benchmarks.md#console-bundle).
 */
const GROUPS = {
  开票: <FileTextOutlined />,
  扫码开票: <QrcodeOutlined />,
  收票: <FileTextOutlined />,
  报销: <FileTextOutlined />,
  柜台: <QrcodeOutlined />,
  集成: <ApiOutlined />,
  管理: <SettingOutlined />,
} as const;
type MenuGroup = keyof typeof GROUPS;

/** The side menu, in order; entries the user's role cannot use are hidden. */
export const MENU: MenuEntry[] = [
  { path: '/', label: '工作台', permission: 'invoices.read', icon: <DashboardOutlined /> },
  // The 员工 role's only page (and its landing page: DashboardPage sends it here).
  { path: '/folder', label: '我的票夹', permission: 'folder.own', icon: <FileTextOutlined /> },
  { path: '/invoices', label: '销项发票', permission: 'invoices.read', parent: '开票' },
  { path: '/invoices/issue', label: '开具发票', permission: 'invoices.issue', parent: '开票' },
  { path: '/monitor', label: '开票监控', permission: 'invoices.read', parent: '开票' },
  { path: '/red-forms', label: '红字确认单', permission: 'invoices.read', parent: '开票' },
  { path: '/scan/orders', label: '扫码订单', permission: 'scan.read', parent: '扫码开票' },
  { path: '/scan/settings', label: '二维码设置', permission: 'scan.read', parent: '扫码开票' },
  { path: '/received/inbox', label: '收票箱', permission: 'received.read', parent: '收票' },
  { path: '/received/invoices', label: '进项发票', permission: 'received.read', parent: '收票' },
  { path: '/received/rules', label: '合规规则', permission: 'received.read', parent: '收票' },
  { path: '/received/mailboxes', label: '收票邮箱', permission: 'received.read', parent: '收票' },
  { path: '/bills', label: '单据', permission: 'bills.read', parent: '报销' },
  { path: '/vouchers', label: '凭证', permission: 'bills.read', parent: '报销' },
  { path: '/deduction', label: '抵扣勾选', permission: 'deduction.read', parent: '收票' },
  { path: '/counter/catalogue', label: '商品档案', permission: 'invoices.read', parent: '柜台' },
  { path: '/counter/sale', label: '码上开票', permission: 'scan.manage', parent: '柜台' },
  { path: '/counter/reservations', label: '预约二维码', permission: 'scan.read', parent: '柜台' },
  { path: '/counter/kiosks', label: '自助打印终端', permission: 'scan.read', parent: '柜台' },
  { path: '/deliveries', label: '推送记录', permission: 'integrations.read', parent: '集成' },
  { path: '/integrations/apps', label: 'API 应用', permission: 'integrations.read', parent: '集成' },
  { path: '/integrations/business-systems', label: '业务系统', permission: 'integrations.read', parent: '集成' },
  { path: '/integrations/outbox', label: '发件箱', permission: 'integrations.read', parent: '集成' },
  { path: '/orgs', label: '销方企业', permission: 'orgs.read', parent: '管理' },
  { path: '/users', label: '用户与角色', permission: 'users.manage', parent: '管理' },
  { path: '/audit', label: '审计日志', permission: 'audit.read', parent: '管理' },
  { path: '/system', label: '系统', permission: 'system.read', parent: '管理' },
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

  // Submenus by `parent`, in MENU order, all open; a submenu the user can use nothing of is not shown.
  const items: NonNullable<MenuProps['items']> = [];
  const groupKeys: string[] = [];
  for (const m of MENU.filter((e) => can(session, e.permission))) {
    const link = <Link to={m.path}>{m.label}</Link>;
    if (!m.parent) {
      items.push({ key: m.path, icon: m.icon, label: link });
      continue;
    }
    const key = `group:${m.parent}`;
    const group = items.find((g) => g?.key === key);
    if (group && 'children' in group) group.children?.push({ key: m.path, label: link });
    else {
      items.push({ key, icon: GROUPS[m.parent], label: m.parent, children: [{ key: m.path, label: link }] });
      groupKeys.push(key);
    }
  }

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={208} theme="dark" breakpoint="lg" collapsedWidth={64}>
        <div style={{ height: 56, display: 'flex', alignItems: 'center', padding: '0 20px', color: '#fff' }}>
          <strong style={{ color: '#fff', fontSize: 16, whiteSpace: 'nowrap' }}>OpenFapiao 发票云</strong>
        </div>
        <Menu theme="dark" mode="inline" selectedKeys={[current]} defaultOpenKeys={groupKeys} items={items} />
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
                { key: 'sessions', icon: <UserOutlined />, label: '登录会话' },
                { type: 'divider' },
                { key: 'logout', icon: <LogoutOutlined />, label: '退出登录' },
              ],
              onClick: ({ key }) => {
                if (key === 'password') setChangingPassword(true);
                if (key === 'sessions') void navigate('/me/sessions');
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
