import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { get, post } from '../api';
import { ActionModal } from '../components/ActionModal';
import { PageState } from '../components/PageState';
import { SecretOnceModal } from '../components/SecretOnce';
import { dateTime } from '../format';
import { OVERLAP_OPTIONS } from '../integrations';
import { can, useSession } from '../session';

interface App {
  appId: string;
  name: string;
  disabled: boolean;
  createdAt: string;
  rotatedAt: string | null;
  previousSecretExpiresAt: string | null;
}

/** 应用 (API apps): list, create and rotate the secret (shown once, with copy). */
export default function AppsPage() {
  const { data: session } = useSession();
  const manage = can(session, 'integrations.manage');
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<App | null>(null);
  const [secret, setSecret] = useState<{ title: string; appId: string; value: string } | null>(null);
  const q = useQuery({ queryKey: ['apps'], queryFn: () => get<{ items: App[] }>('/api/v1/apps') });
  const done = (title: string, r: { app: App; appSecret: string }) => {
    setSecret({ title, appId: r.app.appId, value: r.appSecret });
    void queryClient.invalidateQueries({ queryKey: ['apps'] });
  };
  return (
    <Card
      title="API 应用"
      extra={
        manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            创建应用
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">
        业务系统用 AppID 和 AppSecret 调用 POST /api/v1/auth/token 换取访问令牌，再调用开票接口。
      </Typography.Paragraph>
      <PageState
        loading={q.isLoading}
        error={q.error}
        onRetry={() => void q.refetch()}
        empty={q.data?.items.length === 0}
        emptyText="还没有 API 应用：创建一个，业务系统即可调用开票接口"
      >
        <Table<App>
          data-testid="app-table"
          rowKey="appId"
          dataSource={q.data?.items ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: '名称', dataIndex: 'name' },
            {
              title: 'AppID',
              dataIndex: 'appId',
              render: (id: string) => (
                <Typography.Text copyable={{ tooltips: ['复制', '已复制'] }}>{id}</Typography.Text>
              ),
            },
            {
              title: '状态',
              dataIndex: 'disabled',
              render: (d: boolean) => (d ? <Tag>已停用</Tag> : <Tag color="success">启用</Tag>),
            },
            { title: '创建时间', dataIndex: 'createdAt', render: dateTime },
            { title: '最近轮换', dataIndex: 'rotatedAt', render: dateTime },
            {
              title: '旧密钥失效时间',
              dataIndex: 'previousSecretExpiresAt',
              render: (v: string | null) => (v ? dateTime(v) : '—'),
            },
            ...(manage
              ? [
                  {
                    title: '操作',
                    render: (_: unknown, a: App) => (
                      <Button size="small" onClick={() => setRotating(a)}>
                        轮换密钥
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </PageState>
      {creating && (
        <ActionModal
          title="创建 API 应用"
          okText="创建"
          onClose={() => setCreating(false)}
          fields={
            <Form.Item
              name="name"
              label="应用名称"
              rules={[{ required: true, whitespace: true, message: '请填写名称' }]}
            >
              <Input maxLength={100} placeholder="如：ERP 系统" />
            </Form.Item>
          }
          run={async (v) => {
            const r = await post<{ app: App; appSecret: string }>('/api/v1/apps', { name: String(v.name).trim() });
            setCreating(false);
            done(`应用已创建：${r.app.name}`, r);
          }}
        />
      )}
      {rotating && (
        <ActionModal
          title={`轮换密钥：${rotating.name}`}
          okText="轮换"
          initialValues={{ overlapSeconds: 3600 }}
          onClose={() => setRotating(null)}
          fields={
            <>
              <Alert
                type="warning"
                showIcon
                style={{ marginBottom: 16 }}
                message="轮换后将生成新密钥；旧密钥在下面选定的时间后不能再换取令牌。"
              />
              <Form.Item name="overlapSeconds" label="旧密钥继续有效">
                <Select options={OVERLAP_OPTIONS} />
              </Form.Item>
            </>
          }
          run={async (v) => {
            const r = await post<{ app: App; appSecret: string }>(
              `/api/v1/apps/${encodeURIComponent(rotating.appId)}/rotate-secret`,
              { overlapSeconds: Number(v.overlapSeconds) },
            );
            setRotating(null);
            done(`新的密钥：${r.app.name}`, r);
          }}
        />
      )}
      <SecretOnceModal
        title={secret?.title ?? ''}
        label="AppSecret"
        secret={secret?.value ?? null}
        extra={
          <div style={{ marginTop: 16 }}>
            <div className="ofp-secondary">AppID</div>
            <Typography.Text copyable>{secret?.appId}</Typography.Text>
          </div>
        }
        onClose={() => setSecret(null)}
      />
    </Card>
  );
}
