import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input } from 'antd';
import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, api, errorMessage, setCsrfToken } from '../api';
import { SESSION_KEY, type SessionInfo, useSession } from '../session';

/** Only a path inside the console: never an absolute URL (open redirect). */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export default function LoginPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const session = useSession();
  const [error, setError] = useState<{ text: string; locked: boolean } | null>(null);
  const [submitting, setSubmitting] = useState(false);

  if (session.data) return <Navigate to={next} replace />;

  const submit = async (values: { username: string; password: string }) => {
    setSubmitting(true);
    setError(null);
    try {
      const info = await api<SessionInfo>('POST', '/api/v1/session', values);
      setCsrfToken(info.csrfToken);
      queryClient.setQueryData(SESSION_KEY, info);
      await navigate(next, { replace: true });
    } catch (err) {
      setError({ text: errorMessage(err), locked: err instanceof ApiError && err.code === 'LOGIN_LOCKED' });
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: 'linear-gradient(135deg, #fdf2f2 0%, #f0f2f5 60%)',
      }}
    >
      <Card style={{ width: 380 }}>
        <h1 style={{ textAlign: 'center', margin: '0 0 4px', fontSize: 24 }}>OpenFapiao 发票云</h1>
        <p className="ofp-secondary" style={{ textAlign: 'center' }}>
          控制台登录
        </p>
        {error && (
          <Alert
            data-testid="login-error"
            type={error.locked ? 'warning' : 'error'}
            showIcon
            message={error.text}
            style={{ marginBottom: 16 }}
          />
        )}
        <Form layout="vertical" onFinish={submit} requiredMark={false} size="large">
          <Form.Item name="username" label="用户名" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input prefix={<UserOutlined />} placeholder="用户名" autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label="密码" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password prefix={<LockOutlined />} placeholder="密码" autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={submitting}>
            登录
          </Button>
        </Form>
      </Card>
    </div>
  );
}
