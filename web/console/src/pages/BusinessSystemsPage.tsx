import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Form, Input, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, errorMessage, get, post } from '../api';
import { ActionModal } from '../components/ActionModal';
import { PageState } from '../components/PageState';
import { SecretOnceModal } from '../components/SecretOnce';
import { dateTime } from '../format';
import { EVENT_LABELS, OVERLAP_OPTIONS } from '../integrations';
import { can, useSession } from '../session';
import { useToast } from '../toast';

interface BusinessSystem {
  code: string;
  name: string;
  callbackUrl: string | null;
  orderQueryUrl: string | null;
  events: string[];
  receiveAllInvoices: boolean;
  enabled: boolean;
  secretRotatedAt: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const DEFAULT_EVENTS = ['invoice.issued', 'invoice.failed', 'invoice.reversed'];
const urlRule = { type: 'url' as const, message: '请填写完整的 http(s):// 地址' };

/** 业务系统: callback and order-query URLs, subscribed events, enable/disable, signing-secret rotation. */
export default function BusinessSystemsPage() {
  const { data: session } = useSession();
  const manage = can(session, 'integrations.manage');
  const queryClient = useQueryClient();
  const message = useToast();
  const [editing, setEditing] = useState<BusinessSystem | 'new' | null>(null);
  const [rotating, setRotating] = useState<BusinessSystem | null>(null);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const q = useQuery({
    queryKey: ['business-systems'],
    queryFn: () => get<{ items: BusinessSystem[] }>('/api/v1/business-systems'),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['business-systems'] });
  const toggle = async (s: BusinessSystem, enabled: boolean) => {
    try {
      await api('PATCH', `/api/v1/business-systems/${encodeURIComponent(s.code)}`, { enabled });
      void message.success(enabled ? '已启用' : '已停用');
      void refresh();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  const current = editing === 'new' ? null : editing;

  return (
    <Card
      title="业务系统"
      extra={
        manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            新增业务系统
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">
        开票结果、扫码订单等事件以 Webhook（POST JSON，HMAC-SHA256
        签名）推送到回调地址；签名密钥只在创建和轮换时显示一次。
      </Typography.Paragraph>
      <PageState
        loading={q.isLoading}
        error={q.error}
        onRetry={() => void q.refetch()}
        empty={q.data?.items.length === 0}
        emptyText="还没有业务系统：新增一个，开票结果即可推送给它"
      >
        <Table<BusinessSystem>
          data-testid="business-system-table"
          rowKey="code"
          dataSource={q.data?.items ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: '编码', dataIndex: 'code' },
            { title: '名称', dataIndex: 'name' },
            {
              title: '回调地址',
              dataIndex: 'callbackUrl',
              render: (v: string | null) => v ?? <Typography.Text type="secondary">未配置</Typography.Text>,
            },
            {
              title: '订阅事件',
              dataIndex: 'events',
              render: (e: string[]) => (
                <Space size={[4, 4]} wrap style={{ maxWidth: 320 }}>
                  {e.map((x) => (
                    <Tag key={x}>{EVENT_LABELS[x] ?? x}</Tag>
                  ))}
                </Space>
              ),
            },
            {
              title: '启用',
              render: (_, s) => (
                <Switch
                  checked={s.enabled}
                  disabled={!manage}
                  aria-label={`启用 ${s.name}`}
                  onChange={(v) => void toggle(s, v)}
                />
              ),
            },
            { title: '密钥轮换', dataIndex: 'secretRotatedAt', render: dateTime },
            {
              title: '操作',
              fixed: 'right',
              render: (_, s) => (
                <Space>
                  {manage && (
                    <Button size="small" onClick={() => setEditing(s)}>
                      编辑
                    </Button>
                  )}
                  {manage && (
                    <Button size="small" onClick={() => setRotating(s)}>
                      轮换密钥
                    </Button>
                  )}
                  <Link to={`/deliveries?businessSystemCode=${encodeURIComponent(s.code)}`}>推送记录</Link>
                </Space>
              ),
            },
          ]}
        />
      </PageState>
      {editing !== null && (
        <ActionModal
          title={current ? `编辑业务系统 ${current.code}` : '新增业务系统'}
          okText="保存"
          initialValues={
            current
              ? { ...current, callbackUrl: current.callbackUrl ?? '', orderQueryUrl: current.orderQueryUrl ?? '' }
              : { events: DEFAULT_EVENTS, enabled: true, receiveAllInvoices: false }
          }
          onClose={() => setEditing(null)}
          fields={
            <>
              <Form.Item
                name="code"
                label="编码"
                extra="开票请求的 businessSystemCode；创建后不能修改"
                rules={[
                  { required: true, pattern: /^[A-Za-z0-9_.-]{1,50}$/, message: '字母、数字、_ . -，最多 50 位' },
                ]}
              >
                <Input disabled={current !== null} maxLength={50} />
              </Form.Item>
              <Form.Item name="name" label="名称" rules={[{ required: true, whitespace: true, message: '请填写名称' }]}>
                <Input maxLength={100} />
              </Form.Item>
              <Form.Item name="callbackUrl" label="回调地址（Webhook）" rules={[urlRule]}>
                <Input placeholder="https://erp.example.com/openfapiao/webhook" />
              </Form.Item>
              <Form.Item name="orderQueryUrl" label="订单查询地址（扫码开票）" rules={[urlRule]}>
                <Input placeholder="https://pos.example.com/orders/query" />
              </Form.Item>
              <Form.Item name="events" label="订阅事件">
                <Checkbox.Group options={Object.entries(EVENT_LABELS).map(([value, label]) => ({ value, label }))} />
              </Form.Item>
              <Form.Item name="receiveAllInvoices" valuePropName="checked">
                <Checkbox>也接收其他业务系统（或未指定业务系统）发票的事件</Checkbox>
              </Form.Item>
              <Form.Item name="enabled" valuePropName="checked">
                <Checkbox>启用</Checkbox>
              </Form.Item>
            </>
          }
          run={async (v) => {
            const body = {
              name: String(v.name).trim(),
              callbackUrl: String(v.callbackUrl ?? '').trim() || null,
              orderQueryUrl: String(v.orderQueryUrl ?? '').trim() || null,
              events: v.events as string[],
              receiveAllInvoices: Boolean(v.receiveAllInvoices),
              enabled: Boolean(v.enabled),
            };
            if (current) {
              await api('PATCH', `/api/v1/business-systems/${encodeURIComponent(current.code)}`, body);
              setEditing(null);
              void message.success('已保存');
            } else {
              const r = await post<BusinessSystem & { secret: string }>('/api/v1/business-systems', {
                code: String(v.code).trim(),
                ...body,
              });
              setEditing(null);
              setSecret({ title: `业务系统已创建：${r.name}`, value: r.secret });
            }
            void refresh();
          }}
        />
      )}
      {rotating && (
        <ActionModal
          title={`轮换签名密钥：${rotating.name}`}
          okText="轮换"
          initialValues={{ overlapSeconds: 86_400 }}
          onClose={() => setRotating(null)}
          fields={
            <>
              <Alert
                type="warning"
                showIcon
                style={{ marginBottom: 16 }}
                message="重叠期内推送同时带新旧两个签名，业务系统可从容切换到新密钥。"
              />
              <Form.Item name="overlapSeconds" label="旧密钥继续签名">
                <Select options={OVERLAP_OPTIONS} />
              </Form.Item>
            </>
          }
          run={async (v) => {
            const r = await post<BusinessSystem & { secret: string }>(
              `/api/v1/business-systems/${encodeURIComponent(rotating.code)}/rotate-secret`,
              { overlapSeconds: Number(v.overlapSeconds) },
            );
            setRotating(null);
            setSecret({ title: `新的签名密钥：${r.name}`, value: r.secret });
            void refresh();
          }}
        />
      )}
      <SecretOnceModal
        title={secret?.title ?? ''}
        label="签名密钥（验证 X-OpenFapiao-Signature）"
        secret={secret?.value ?? null}
        onClose={() => setSecret(null)}
      />
    </Card>
  );
}
