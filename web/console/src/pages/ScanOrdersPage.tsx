import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Descriptions, Drawer, Form, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { errorMessage, get, post } from '../api';
import { FilteredList, optionsOf } from '../components/FilteredList';
import { PageState } from '../components/PageState';
import { dateTime, kindName, money, ORDER_STATUS_LABELS, STATUS_LABELS } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';

interface Order {
  orderNo: string;
  settingKey: string;
  source: string;
  status: string;
  sellerTaxId: string;
  allowedKinds: string[];
  total: string;
  items: { name: string; quantity: string | null; unit: string | null; total: string }[];
  buyer: {
    buyerType: string;
    kind: string;
    name: string;
    taxId: string | null;
    email: string | null;
    mobile: string | null;
  } | null;
  invoices: { serialNo: string; status: string; number: string | null; kind: string }[];
  failureReason: string | null;
  awaitingConfirmation: boolean;
  url: string | null;
  qrPngUrl: string | null;
  qrSvgUrl: string | null;
  expiresAt: string;
  submittedAt: string | null;
  invoicedAt: string | null;
  createdAt: string;
}

const SOURCES: Record<string, string> = {
  pushed: '推单',
  merchant: '商家链接',
  static: '静态二维码',
  counter: '码上开票',
};
/** The statuses the API filters on (expired is derived from expiresAt). */
const FILTER_STATUSES = Object.fromEntries(Object.entries(ORDER_STATUS_LABELS).filter(([k]) => k !== 'expired'));
const STATUS_COLORS: Record<string, string> = {
  open: 'default',
  submitted: 'processing',
  invoicing: 'processing',
  invoiced: 'success',
  failed: 'error',
  withdrawn: 'default',
  expired: 'warning',
};

const statusTag = (o: Pick<Order, 'status' | 'awaitingConfirmation'>) => (
  <Space size={4}>
    <Tag color={STATUS_COLORS[o.status]}>{ORDER_STATUS_LABELS[o.status] ?? o.status}</Tag>
    {o.awaitingConfirmation && <Tag color="orange">待确认</Tag>}
  </Space>
);

/** Same-origin path of an absolute link of this server (PUBLIC_URL may name another host than the console's). */
const pathOf = (url: string) => {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
};

const invoiceLink = (sn: string) => `/invoices?serialNo=${encodeURIComponent(sn)}&open=${encodeURIComponent(sn)}`;

/** 扫码订单: filters in the URL, a detail drawer with the title, invoices and link, withdraw and issue. */
export default function ScanOrdersPage() {
  const [params, setParams] = useSearchParams();
  const open = params.get('open');
  const setOpen = (orderNo: string | null) => {
    const next = new URLSearchParams(params);
    if (orderNo) next.set('open', orderNo);
    else next.delete('open');
    setParams(next);
  };
  const settings = useQuery({
    queryKey: ['scan-settings'],
    queryFn: () => get<{ items: { key: string; name: string | null }[] }>('/api/v1/scan/settings'),
  });
  return (
    <>
      <FilteredList<Order>
        title="扫码订单"
        path="/api/v1/scan/orders"
        rowKey="orderNo"
        testId="order-table"
        emptyText="没有符合条件的扫码订单"
        filterKeys={['status', 'settingKey', 'orderNo', 'source']}
        dateRange={{ label: '创建日期', from: 'createdFrom', to: 'createdTo' }}
        fields={
          <>
            <Form.Item name="status" label="状态">
              <Select allowClear style={{ width: 130 }} options={optionsOf(FILTER_STATUSES)} />
            </Form.Item>
            <Form.Item name="settingKey" label="二维码设置">
              <Select
                allowClear
                style={{ width: 180 }}
                loading={settings.isLoading}
                options={(settings.data?.items ?? []).map((s) => ({ value: s.key, label: s.name ?? s.key }))}
              />
            </Form.Item>
            <Form.Item name="source" label="来源">
              <Select allowClear style={{ width: 130 }} options={optionsOf(SOURCES)} />
            </Form.Item>
            <Form.Item name="orderNo" label="订单号">
              <Input allowClear style={{ width: 200 }} />
            </Form.Item>
          </>
        }
        onRowClick={(o) => setOpen(o.orderNo)}
        columns={[
          { title: '订单号', dataIndex: 'orderNo' },
          {
            title: '二维码设置',
            dataIndex: 'settingKey',
            render: (k: string) => settings.data?.items.find((s) => s.key === k)?.name ?? k,
          },
          { title: '来源', dataIndex: 'source', render: (s: string) => SOURCES[s] ?? s },
          { title: '状态', render: (_, o) => statusTag(o) },
          { title: '金额', dataIndex: 'total', align: 'right', render: money },
          { title: '抬头', render: (_, o) => o.buyer?.name ?? '—' },
          {
            title: '发票',
            render: (_, o) =>
              o.invoices.length > 0
                ? o.invoices.map((i) => (
                    <Link key={i.serialNo} to={invoiceLink(i.serialNo)} onClick={(e) => e.stopPropagation()}>
                      {i.number ?? i.serialNo}
                    </Link>
                  ))
                : '—',
          },
          { title: '有效期至', dataIndex: 'expiresAt', render: dateTime },
          { title: '创建时间', dataIndex: 'createdAt', render: dateTime },
        ]}
      />
      <OrderDrawer orderNo={open} onClose={() => setOpen(null)} />
    </>
  );
}

function OrderDrawer({ orderNo, onClose }: { orderNo: string | null; onClose: () => void }) {
  const { data: session } = useSession();
  const queryClient = useQueryClient();
  const message = useToast();
  const [busy, setBusy] = useState(false);
  const q = useQuery({
    queryKey: ['scan-order', orderNo],
    queryFn: () => get<Order>(`/api/v1/scan/orders/${encodeURIComponent(orderNo ?? '')}`),
    enabled: orderNo !== null,
    // While the invoice is being issued, follow it.
    refetchInterval: (query) => (query.state.data?.status === 'invoicing' ? 2000 : false),
  });
  const o = q.data;
  const manage = can(session, 'scan.manage');
  const act = async (action: 'withdraw' | 'issue', done: string) => {
    setBusy(true);
    try {
      const updated = await post<Order>(`/api/v1/scan/orders/${encodeURIComponent(orderNo ?? '')}/${action}`);
      queryClient.setQueryData(['scan-order', orderNo], updated);
      void queryClient.invalidateQueries({ queryKey: ['/api/v1/scan/orders'] });
      void message.success(done);
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const canWithdraw = o && (o.status === 'open' || o.awaitingConfirmation);
  const canIssue = o && o.buyer !== null && (o.status === 'submitted' || o.status === 'failed');
  return (
    <Drawer
      open={orderNo !== null}
      onClose={onClose}
      width={720}
      title={`扫码订单 ${orderNo ?? ''}`}
      extra={
        manage &&
        o && (
          <Space>
            {canIssue && (
              <Popconfirm
                title={o.awaitingConfirmation ? '确认为该订单开票？' : '按消费者提交的抬头开具发票？'}
                okText="开票"
                onConfirm={() => act('issue', '已提交开票')}
              >
                <Button type="primary" loading={busy}>
                  {o.awaitingConfirmation ? '确认开票' : '开具发票'}
                </Button>
              </Popconfirm>
            )}
            {canWithdraw && (
              <Popconfirm
                title={o.awaitingConfirmation ? '拒绝该开票申请？' : '撤回后消费者将无法再提交抬头，确定撤回？'}
                okText={o.awaitingConfirmation ? '拒绝' : '撤回'}
                okButtonProps={{ danger: true }}
                onConfirm={() => act('withdraw', o.awaitingConfirmation ? '已拒绝' : '已撤回')}
              >
                <Button danger loading={busy}>
                  {o.awaitingConfirmation ? '拒绝' : '撤回'}
                </Button>
              </Popconfirm>
            )}
          </Space>
        )
      }
    >
      <PageState loading={q.isLoading} error={q.error} onRetry={() => void q.refetch()}>
        {o && (
          <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="order-detail">
            <Descriptions column={2} size="small" bordered>
              <Descriptions.Item label="状态">{statusTag(o)}</Descriptions.Item>
              <Descriptions.Item label="来源">{SOURCES[o.source] ?? o.source}</Descriptions.Item>
              <Descriptions.Item label="价税合计">¥{money(o.total)}</Descriptions.Item>
              <Descriptions.Item label="允许票种">{o.allowedKinds.map(kindName).join('、')}</Descriptions.Item>
              <Descriptions.Item label="创建时间">{dateTime(o.createdAt)}</Descriptions.Item>
              <Descriptions.Item label="有效期至">{dateTime(o.expiresAt)}</Descriptions.Item>
              <Descriptions.Item label="提交时间">{dateTime(o.submittedAt)}</Descriptions.Item>
              <Descriptions.Item label="开票时间">{dateTime(o.invoicedAt)}</Descriptions.Item>
              {o.failureReason && (
                <Descriptions.Item label="失败原因" span={2}>
                  <Typography.Text type="danger">{o.failureReason}</Typography.Text>
                </Descriptions.Item>
              )}
            </Descriptions>
            <Table
              size="small"
              rowKey={(_, i) => String(i)}
              pagination={false}
              dataSource={o.items}
              columns={[
                { title: '项目', dataIndex: 'name' },
                { title: '数量', dataIndex: 'quantity', render: (v) => v ?? '—' },
                { title: '单位', dataIndex: 'unit', render: (v) => v ?? '—' },
                { title: '金额（含税）', dataIndex: 'total', align: 'right', render: money },
              ]}
            />
            <Descriptions title="抬头" column={2} size="small" bordered>
              {o.buyer ? (
                <>
                  <Descriptions.Item label="名称" span={2}>
                    {o.buyer.name}
                  </Descriptions.Item>
                  <Descriptions.Item label="税号">{o.buyer.taxId ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label="票种">{kindName(o.buyer.kind)}</Descriptions.Item>
                  <Descriptions.Item label="邮箱">{o.buyer.email ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label="手机">{o.buyer.mobile ?? '—'}</Descriptions.Item>
                </>
              ) : (
                <Descriptions.Item label="名称">消费者尚未提交抬头</Descriptions.Item>
              )}
            </Descriptions>
            {o.invoices.length > 0 && (
              <Descriptions title="发票" column={1} size="small" bordered>
                {o.invoices.map((i) => (
                  <Descriptions.Item key={i.serialNo} label={kindName(i.kind)}>
                    <Link to={invoiceLink(i.serialNo)}>{i.number ?? i.serialNo}</Link>{' '}
                    <Tag color={STATUS_LABELS[i.status]?.color}>{STATUS_LABELS[i.status]?.text ?? i.status}</Tag>
                  </Descriptions.Item>
                ))}
              </Descriptions>
            )}
            {o.url && o.qrSvgUrl && (
              <Space align="start" size={16}>
                <img src={pathOf(o.qrSvgUrl)} alt="订单二维码" width={132} height={132} />
                <div>
                  <div className="ofp-secondary">扫码开票链接</div>
                  <Typography.Paragraph copyable={{ tooltips: ['复制', '已复制'] }}>{o.url}</Typography.Paragraph>
                </div>
              </Space>
            )}
          </Space>
        )}
      </PageState>
    </Drawer>
  );
}
