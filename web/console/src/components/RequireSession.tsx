import { Alert, Spin } from 'antd';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { errorMessage } from '../api';
import { useSession } from '../session';

/** Shows its children only with a session; otherwise sends the user to 登录 and back here afterwards. */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <Spin size="large" fullscreen tip="加载中…" />;
  if (session.isError) {
    return (
      <Alert
        type="error"
        showIcon
        message="无法加载登录状态"
        description={errorMessage(session.error)}
        style={{ margin: 48 }}
      />
    );
  }
  if (!session.data) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`} replace />;
  }
  return children;
}
