import { Alert, Button, Empty, Spin } from 'antd';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../api';

/** Loading, error (the API's Chinese message and request id) and empty states, the same on every page. */
export function PageState({
  loading,
  error,
  empty,
  emptyText = '暂无数据',
  onRetry,
  children,
}: {
  loading?: boolean;
  error?: unknown;
  empty?: boolean;
  emptyText?: string;
  onRetry?: () => void;
  children?: ReactNode;
}) {
  if (error) {
    const requestId = error instanceof ApiError ? error.requestId : null;
    return (
      <Alert
        type="error"
        showIcon
        message={errorMessage(error)}
        description={requestId ? `请求编号 ${requestId}` : undefined}
        action={onRetry ? <Button onClick={onRetry}>重试</Button> : undefined}
      />
    );
  }
  if (loading)
    return (
      <Spin style={{ display: 'block', padding: 48 }} tip="加载中…">
        <div />
      </Spin>
    );
  if (empty) return <Empty description={emptyText} />;
  return <>{children}</>;
}
