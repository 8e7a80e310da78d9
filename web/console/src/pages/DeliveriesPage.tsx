import { RedoOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
  Popconfirm,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { errorMessage, get, post } from '../api';
import { FilteredList } from '../components/FilteredList';
import { PageState } from '../components/PageState';
import { dateTime } from '../format';
import { DELIVERY_STATUSES, EVENT_LABELS } from '../integrations';
import { can, useSession } from '../session';
import { useToast } from '../toast';

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  businessSystemCode: string;
  invoiceSerialNo: string | null;
  status: string;
  attempts: number;
  redeliveries: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

interface Attempt {
  attemptNo: number;
  startedAt: string;
  durationMs: number;
  address: string | null;
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

type DeliveryDetail = Delivery & { payload: string; attemptLog: Attempt[] };

const statusTag = (s: string) => <Tag color={DELIVERY_STATUSES[s]?.color}>{DELIVERY_STATUSES[s]?.text ?? s}</Tag>;
const invoiceLink = (sn: string) => `/invoices?serialNo=${encodeURIComponent(sn)}&open=${encodeURIComponent(sn)}`;
const lastResult = (d: Delivery) => d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '—');

/** 推送记录 (webhook deliveries): filters in the URL, a detail with the payload and every attempt, 重新推送. */
export default function DeliveriesPage() {
  const [params, setParams] = useSearchParams();
  const open = params.get('open');
  const setOpen = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set('open', id);
    else next.delete('open');
    setParams(next);
  };
  const systems = useQuery({
    queryKey: ['business-systems'],
    queryFn: () => get<{ items: { code: string; name: string }[] }>('/api/v1/business-systems'),
  });
  return (
    <>
      <FilteredList<Delivery>
        title="Webhook 推送记录"
        path="/api/v1/webhook-deliveries"
        rowKey="id"
        testId="delivery-table"
        emptyText="没有符合条件的推送记录"
        filterKeys={['status', 'businessSystemCode', 'eventType', 'serialNo']}
        fields={
          <>
            <Form.Item name="status" label="状态">
              <Select
                allowClear
                style={{ width: 120 }}
                options={Object.entries(DELIVERY_STATUSES).map(([value, { text }]) => ({ value, label: text }))}
              />
            </Form.Item>
            <Form.Item name="businessSystemCode" label="业务系统">
              <Select
                allowClear
                style={{ width: 160 }}
                loading={systems.isLoading}
                options={(systems.data?.items ?? []).map((s) => ({ value: s.code, label: `${s.name}（${s.code}）` }))}
              />
            </Form.Item>
            <Form.Item name="eventType" label="事件">
              <Select
                allowClear
                style={{ width: 160 }}
                options={Object.entries(EVENT_LABELS).map(([value, label]) => ({ value, label }))}
              />
            </Form.Item>
            <Form.Item name="serialNo" label="发票流水号">
              <Input allowClear style={{ width: 180 }} />
            </Form.Item>
          </>
        }
        onRowClick={(d) => setOpen(d.id)}
        columns={[
          { title: '事件', dataIndex: 'eventType', render: (e: string) => EVENT_LABELS[e] ?? e },
          { title: '业务系统', dataIndex: 'businessSystemCode' },
          {
            title: '发票',
            dataIndex: 'invoiceSerialNo',
            render: (sn: string | null) =>
              sn ? (
                <Link to={invoiceLink(sn)} onClick={(e) => e.stopPropagation()}>
                  {sn}
                </Link>
              ) : (
                '—'
              ),
          },
          { title: '状态', dataIndex: 'status', render: statusTag },
          { title: '尝试次数', dataIndex: 'attempts', align: 'right' },
          { title: '最后结果', render: (_, d) => lastResult(d) },
          { title: '最后尝试', dataIndex: 'lastAttemptAt', render: dateTime },
          { title: '创建时间', dataIndex: 'createdAt', render: dateTime },
        ]}
      />
      <DeliveryDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}

function DeliveryDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { data: session } = useSession();
  const queryClient = useQueryClient();
  const message = useToast();
  const [busy, setBusy] = useState(false);
  const q = useQuery({
    queryKey: ['webhook-delivery', id],
    queryFn: () => get<DeliveryDetail>(`/api/v1/webhook-deliveries/${encodeURIComponent(id ?? '')}`),
    enabled: id !== null,
    // While a redelivery is under way, follow it.
    refetchInterval: (query) =>
      query.state.data && ['pending', 'retrying'].includes(query.state.data.status) ? 2000 : false,
  });
  const d = q.data;
  const redeliver = async () => {
    setBusy(true);
    try {
      await post(`/api/v1/webhook-deliveries/${encodeURIComponent(id ?? '')}/redeliver`);
      void message.success('已重新推送');
      void queryClient.invalidateQueries({ queryKey: ['webhook-delivery', id] });
      void queryClient.invalidateQueries({ queryKey: ['/api/v1/webhook-deliveries'] });
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  let payload = d?.payload ?? '';
  try {
    payload = JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    // not JSON: shown as sent
  }
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={760}
      title="推送详情"
      extra={
        d &&
        can(session, 'integrations.manage') &&
        (d.status === 'dead' || d.status === 'delivered') && (
          <Popconfirm
            title="重新推送该事件？"
            description="以同一个投递编号（X-OpenFapiao-Delivery）重新发送，业务系统应按编号去重。"
            okText="重新推送"
            onConfirm={redeliver}
          >
            <Button type="primary" icon={<RedoOutlined />} loading={busy}>
              重新推送
            </Button>
          </Popconfirm>
        )
      }
    >
      <PageState loading={q.isLoading} error={q.error} onRetry={() => void q.refetch()}>
        {d && (
          <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="delivery-detail">
            <Descriptions column={2} size="small" bordered>
              <Descriptions.Item label="状态">{statusTag(d.status)}</Descriptions.Item>
              <Descriptions.Item label="事件">{EVENT_LABELS[d.eventType] ?? d.eventType}</Descriptions.Item>
              <Descriptions.Item label="业务系统">{d.businessSystemCode}</Descriptions.Item>
              <Descriptions.Item label="发票">
                {d.invoiceSerialNo ? <Link to={invoiceLink(d.invoiceSerialNo)}>{d.invoiceSerialNo}</Link> : '—'}
              </Descriptions.Item>
              <Descriptions.Item label="投递编号" span={2}>
                <Typography.Text copyable>{d.id}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label="尝试次数">{d.attempts}</Descriptions.Item>
              <Descriptions.Item label="重新推送次数">{d.redeliveries}</Descriptions.Item>
              <Descriptions.Item label="最后结果">{lastResult(d)}</Descriptions.Item>
              <Descriptions.Item label="送达时间">{dateTime(d.deliveredAt)}</Descriptions.Item>
            </Descriptions>
            <Tabs
              items={[
                {
                  key: 'attempts',
                  label: `尝试记录（${d.attemptLog.length}）`,
                  children: (
                    <Table<Attempt>
                      data-testid="attempt-table"
                      size="small"
                      rowKey="attemptNo"
                      pagination={false}
                      dataSource={d.attemptLog}
                      locale={{ emptyText: '还没有尝试' }}
                      columns={[
                        { title: '#', dataIndex: 'attemptNo' },
                        { title: '时间', dataIndex: 'startedAt', render: dateTime },
                        { title: '耗时', dataIndex: 'durationMs', render: (ms: number) => `${ms} ms` },
                        { title: '地址', dataIndex: 'address', render: (v) => v ?? '—' },
                        {
                          title: '结果',
                          render: (_, a) =>
                            a.error && a.statusCode === null ? (
                              <Typography.Text type="danger">{a.error}</Typography.Text>
                            ) : (
                              <Tag color={a.statusCode && a.statusCode < 300 ? 'success' : 'error'}>
                                HTTP {a.statusCode}
                              </Tag>
                            ),
                        },
                        {
                          title: '响应（节选）',
                          dataIndex: 'responseExcerpt',
                          ellipsis: true,
                          render: (v: string | null) => v ?? '—',
                        },
                      ]}
                    />
                  ),
                },
                {
                  key: 'payload',
                  label: '推送内容',
                  children: (
                    <>
                      <Typography.Text copyable={{ text: d.payload, tooltips: ['复制', '已复制'] }}>
                        原始 JSON（签名按发送的原文计算）
                      </Typography.Text>
                      <pre
                        style={{ maxHeight: 480, overflow: 'auto', fontSize: 12, marginTop: 8 }}
                        data-testid="delivery-payload"
                      >
                        {payload}
                      </pre>
                    </>
                  ),
                },
              ]}
            />
          </Space>
        )}
      </PageState>
    </Drawer>
  );
}
