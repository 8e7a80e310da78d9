import { DeleteOutlined, EditOutlined, MinusCircleOutlined, PlusOutlined, RedoOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Form,
  Input,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, errorMessage, get, post } from '../api';
import { PageState } from '../components/PageState';
import { dateTime, kindName, money, STATUS_LABELS } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';
import type { Invoice, Page } from '../types';

interface MonitorItem {
  serialNo: string;
  status: string;
  kind: string;
  isRed: boolean;
  buyerName: string;
  total: string;
  failure: { code: string; reason: string } | null;
  createdAt: string;
  updatedAt: string;
}

interface MonitorException {
  kind: string;
  code: string;
  message: string;
  sellerTaxId: string | null;
  subject: string;
  count: number;
  firstAt: string;
  lastAt: string;
}

interface Monitor {
  counts: Record<string, number>;
  inFlight: MonitorItem[];
  failed: MonitorItem[];
  failureCodes: { code: string; count: number }[];
  exceptions: MonitorException[];
}

interface Job {
  id: string;
  task: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  updatedAt: string;
}

/** A request still in flight after this long is shown as stuck (滞留): a person should look at it. */
const STUCK_AFTER_MS = 10 * 60_000;
const MONITOR_KEY = ['invoice-monitor'] as const;

const invoiceLink = (serialNo: string) =>
  `/invoices?serialNo=${encodeURIComponent(serialNo)}&open=${encodeURIComponent(serialNo)}`;

/**
 * 开票监控 / 异常处理: failed requests with the channel's reason (edit and resubmit, resubmit, cancel), requests in
 * flight (stuck ones marked), other exceptions reported by modules, and dead background jobs (retry). The tab and
 * the failure-code filter are kept in the URL; the 工作台's failure figures link here.
 */
export default function MonitorPage() {
  const { data: session } = useSession();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'failed';
  const code = params.get('code') ?? undefined;
  const seesJobs = can(session, 'system.read');
  const monitor = useQuery({ queryKey: MONITOR_KEY, queryFn: () => get<Monitor>('/api/v1/invoice-monitor') });
  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };
  const m = monitor.data;
  const failed = m ? m.failed.filter((f) => !code || f.failure?.code === code) : [];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card title="开票监控 / 异常处理" extra={<Button onClick={() => void monitor.refetch()}>刷新</Button>}>
        <PageState loading={monitor.isLoading} error={monitor.error} onRetry={() => void monitor.refetch()}>
          {m && (
            <Row gutter={16}>
              {(['pending', 'issuing', 'failed', 'red_pending', 'issued'] as const).map((s) => (
                <Col key={s} xs={12} md={4}>
                  <Statistic title={STATUS_LABELS[s]?.text ?? s} value={m.counts[s] ?? 0} />
                </Col>
              ))}
            </Row>
          )}
        </PageState>
      </Card>
      {m && (
        <Card>
          <Tabs
            activeKey={tab}
            onChange={(key) => set({ tab: key === 'failed' ? undefined : key, code: undefined })}
            items={[
              {
                key: 'failed',
                label: `开具失败（${m.failed.length}）`,
                children: (
                  <Space direction="vertical" style={{ width: '100%' }}>
                    <Space wrap>
                      <label htmlFor="monitor-code">失败原因</label>
                      <Select
                        id="monitor-code"
                        allowClear
                        placeholder="全部"
                        style={{ minWidth: 240 }}
                        value={code}
                        onChange={(v?: string) => set({ code: v })}
                        options={m.failureCodes.map((c) => ({ value: c.code, label: `${c.code}（${c.count}）` }))}
                      />
                    </Space>
                    <FailedTable items={failed} />
                  </Space>
                ),
              },
              {
                key: 'in-flight',
                label: `处理中（${m.inFlight.length}）`,
                children: <InFlightTable items={m.inFlight} />,
              },
              {
                key: 'exceptions',
                label: `其他异常（${m.exceptions.length}）`,
                children: <ExceptionsTable items={m.exceptions} />,
              },
              ...(seesJobs ? [{ key: 'jobs', label: '失败的后台任务', children: <DeadJobs /> }] : []),
            ]}
          />
        </Card>
      )}
    </Space>
  );
}

function FailedTable({ items }: { items: MonitorItem[] }) {
  const { data: session } = useSession();
  const queryClient = useQueryClient();
  const message = useToast();
  const [editing, setEditing] = useState<string | null>(null);
  const mayIssue = can(session, 'invoices.issue');
  const act = useMutation({
    mutationFn: ({ serialNo, verb }: { serialNo: string; verb: 'retry' | 'cancel' }) =>
      post<Invoice>(`/api/v1/invoices/${encodeURIComponent(serialNo)}/${verb}${verb === 'retry' ? '?wait=10' : ''}`),
    onSuccess: (inv, { verb }) => {
      void message.success(
        verb === 'cancel'
          ? `已取消 ${inv.serialNo}`
          : `已重新提交 ${inv.serialNo}：${STATUS_LABELS[inv.status]?.text ?? inv.status}`,
      );
      void queryClient.invalidateQueries({ queryKey: MONITOR_KEY });
    },
    onError: (err) => void message.error(errorMessage(err)),
  });
  if (items.length === 0) return <PageState empty emptyText="没有开具失败的请求" />;
  return (
    <>
      <Table<MonitorItem>
        rowKey="serialNo"
        size="middle"
        dataSource={items}
        pagination={false}
        scroll={{ x: 1200 }}
        columns={[
          {
            title: '开票流水号',
            dataIndex: 'serialNo',
            render: (sn: string, r) => (
              <Space size={4}>
                <Link to={invoiceLink(sn)}>{sn}</Link>
                {r.isRed && <Tag color="red">红字</Tag>}
              </Space>
            ),
          },
          { title: '票种', dataIndex: 'kind', render: kindName },
          { title: '购买方', dataIndex: 'buyerName', ellipsis: true },
          { title: '价税合计', dataIndex: 'total', align: 'right', render: money },
          {
            title: '失败原因',
            dataIndex: 'failure',
            width: 300,
            render: (f: MonitorItem['failure']) =>
              f ? (
                <span data-testid="failure-reason">
                  <Typography.Text type="danger">{f.reason}</Typography.Text>{' '}
                  <Typography.Text type="secondary">({f.code})</Typography.Text>
                </span>
              ) : (
                '—'
              ),
          },
          { title: '更新时间', dataIndex: 'updatedAt', render: dateTime },
          ...(mayIssue
            ? [
                {
                  title: '操作',
                  key: 'actions',
                  width: 300,
                  render: (_: unknown, r: MonitorItem) => (
                    <Space size={4} wrap>
                      {!r.isRed && (
                        <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r.serialNo)}>
                          修改并重新提交
                        </Button>
                      )}
                      <Button
                        size="small"
                        icon={<RedoOutlined />}
                        loading={act.isPending && act.variables?.serialNo === r.serialNo}
                        onClick={() => act.mutate({ serialNo: r.serialNo, verb: 'retry' })}
                      >
                        重新提交
                      </Button>
                      <Popconfirm
                        title="取消此开票请求？"
                        okText="取消请求"
                        cancelText="返回"
                        onConfirm={() => act.mutate({ serialNo: r.serialNo, verb: 'cancel' })}
                      >
                        <Button size="small" danger icon={<DeleteOutlined />}>
                          取消
                        </Button>
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editing && (
        <EditModal
          serialNo={editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            void queryClient.invalidateQueries({ queryKey: MONITOR_KEY });
          }}
        />
      )}
    </>
  );
}

interface EditLine {
  name: string;
  taxCode: string;
  spec?: string;
  unit?: string;
  quantity?: string;
  unitPrice?: string;
  amount: string;
  taxRate: string;
  lineNature: string;
}

interface EditValues {
  buyer: {
    name: string;
    taxId?: string;
    address?: string;
    phone?: string;
    bankName?: string;
    bankAccount?: string;
    email?: string;
    mobile?: string;
  };
  remark?: string;
  lines: EditLine[];
}

const blankToUndefined = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && String(v).trim() !== ''));

/** Edit a failed request (PATCH /api/v1/invoices/{serialNo}) and resubmit it (…/retry). */
function EditModal({ serialNo, onClose, onDone }: { serialNo: string; onClose: () => void; onDone: () => void }) {
  const message = useToast();
  const [form] = Form.useForm<EditValues>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const invoice = useQuery({
    queryKey: ['invoice', serialNo],
    queryFn: () => get<Invoice>(`/api/v1/invoices/${encodeURIComponent(serialNo)}`),
  });
  const inv = invoice.data;
  const submit = async () => {
    let v: EditValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setError(null);
    try {
      // Only what was changed is sent: PATCH replaces the buyer (and the lines) as a whole.
      const buyerChanged = form.isFieldsTouched([
        ['buyer', 'name'],
        ['buyer', 'taxId'],
        ['buyer', 'address'],
        ['buyer', 'phone'],
        ['buyer', 'bankName'],
        ['buyer', 'bankAccount'],
        ['buyer', 'email'],
        ['buyer', 'mobile'],
      ]);
      const linesChanged = form.isFieldsTouched(['lines']);
      await api('PATCH', `/api/v1/invoices/${encodeURIComponent(serialNo)}`, {
        ...(buyerChanged ? { buyer: { ...blankToUndefined(v.buyer), naturalPerson: inv?.buyer.naturalPerson } } : {}),
        remark: v.remark?.trim() ? v.remark.trim() : null,
        ...(linesChanged
          ? {
              lines: v.lines.map((l) => ({
                ...blankToUndefined({ ...l, lineNature: undefined }),
                ...(l.lineNature && l.lineNature !== 'normal' ? { lineNature: l.lineNature } : {}),
              })),
              // The lines are re-entered: totals follow from them.
              totals: null,
            }
          : {}),
      });
      const retried = await post<Invoice>(`/api/v1/invoices/${encodeURIComponent(serialNo)}/retry?wait=10`);
      void message.success(`已修改并重新提交 ${serialNo}：${STATUS_LABELS[retried.status]?.text ?? retried.status}`);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open
      width={960}
      title={`修改并重新提交 ${serialNo}`}
      okText="保存并重新提交"
      cancelText="关闭"
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={saving}
      okButtonProps={{ disabled: !inv }}
    >
      <PageState loading={invoice.isLoading} error={invoice.error}>
        {inv && (
          <Form<EditValues>
            form={form}
            layout="vertical"
            initialValues={{
              buyer: blankToUndefined({ ...inv.buyer, naturalPerson: undefined }),
              remark: inv.remark ?? '',
              lines: inv.lines.map((l) => ({
                name: l.name,
                taxCode: l.taxCode,
                spec: l.spec ?? undefined,
                unit: l.unit ?? undefined,
                quantity: l.quantity ?? undefined,
                unitPrice: l.unitPrice ?? undefined,
                amount: l.amount,
                taxRate: l.taxRate,
                lineNature: l.lineNature,
              })),
            }}
          >
            {inv.failure && (
              <Alert
                type="error"
                showIcon
                style={{ marginBottom: 16 }}
                message={`失败原因：${inv.failure.reason}（${inv.failure.code}）`}
              />
            )}
            <Row gutter={16}>
              <Col xs={24} md={12}>
                <Form.Item name={['buyer', 'name']} label="购买方名称" rules={[{ required: true, max: 100 }]}>
                  <Input />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name={['buyer', 'taxId']} label="购买方纳税人识别号" rules={[{ max: 20 }]}>
                  <Input />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name={['buyer', 'address']} label="地址" rules={[{ max: 100 }]}>
                  <Input />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name={['buyer', 'phone']} label="电话" rules={[{ max: 40 }]}>
                  <Input />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name={['buyer', 'bankName']} label="开户银行" rules={[{ max: 100 }]}>
                  <Input />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name={['buyer', 'bankAccount']} label="银行账号" rules={[{ max: 50 }]}>
                  <Input />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item
                  name={['buyer', 'email']}
                  label="交付邮箱"
                  rules={[{ type: 'email', message: '邮箱格式不正确' }]}
                  extra="修改购买方信息时需重新填写；留空则开具后不自动发送"
                >
                  <Input />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item
                  name={['buyer', 'mobile']}
                  label="交付手机号"
                  rules={[{ pattern: /^1\d{10}$/, message: '手机号格式不正确' }]}
                >
                  <Input />
                </Form.Item>
              </Col>
            </Row>
            <Typography.Text strong>项目明细</Typography.Text>
            <Form.List name="lines">
              {(fields, { add, remove }) => (
                <>
                  {fields.map((field) => (
                    <Row gutter={8} key={field.key} align="bottom">
                      <Col xs={24} md={6}>
                        <Form.Item name={[field.name, 'name']} label="项目名称" rules={[{ required: true, max: 200 }]}>
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={5}>
                        <Form.Item
                          name={[field.name, 'taxCode']}
                          label="税收分类编码"
                          rules={[{ required: true, pattern: /^\d{19}$/, message: '19 位数字' }]}
                        >
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={8} md={3}>
                        <Form.Item name={[field.name, 'quantity']} label="数量">
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={8} md={3}>
                        <Form.Item name={[field.name, 'unitPrice']} label="单价">
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={8} md={3}>
                        <Form.Item
                          name={[field.name, 'amount']}
                          label="金额（不含税）"
                          rules={[{ required: true, pattern: /^-?\d{1,13}(\.\d{1,2})?$/, message: '金额格式不正确' }]}
                        >
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={8} md={2}>
                        <Form.Item
                          name={[field.name, 'taxRate']}
                          label="税率"
                          rules={[{ required: true, pattern: /^0(\.\d{1,4})?$/, message: '如 0.13' }]}
                        >
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={8} md={2}>
                        <Form.Item>
                          <Button
                            aria-label={`删除第 ${field.name + 1} 行`}
                            icon={<MinusCircleOutlined />}
                            disabled={fields.length <= 1}
                            onClick={() => remove(field.name)}
                          />
                        </Form.Item>
                      </Col>
                    </Row>
                  ))}
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    onClick={() => add({ lineNature: 'normal', taxRate: '0.13' })}
                    style={{ marginBottom: 16 }}
                  >
                    添加明细
                  </Button>
                </>
              )}
            </Form.List>
            <Form.Item name="remark" label="备注" rules={[{ max: 450 }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
            {error && <Alert type="error" showIcon message={error} data-testid="edit-error" />}
          </Form>
        )}
      </PageState>
    </Modal>
  );
}

function InFlightTable({ items }: { items: MonitorItem[] }) {
  if (items.length === 0) return <PageState empty emptyText="没有处理中的请求" />;
  const now = Date.now();
  const stuck = (r: MonitorItem) => now - Date.parse(r.updatedAt) > STUCK_AFTER_MS;
  return (
    <Table<MonitorItem>
      rowKey="serialNo"
      size="middle"
      dataSource={items}
      pagination={false}
      rowClassName={(r) => (stuck(r) ? 'ofp-row-warning' : '')}
      columns={[
        { title: '开票流水号', dataIndex: 'serialNo', render: (sn: string) => <Link to={invoiceLink(sn)}>{sn}</Link> },
        {
          title: '状态',
          dataIndex: 'status',
          render: (s: string, r) => (
            <Space size={4}>
              <Tag color={STATUS_LABELS[s]?.color}>{STATUS_LABELS[s]?.text ?? s}</Tag>
              {stuck(r) && <Tag color="orange">滞留超过 10 分钟</Tag>}
            </Space>
          ),
        },
        { title: '购买方', dataIndex: 'buyerName', ellipsis: true },
        { title: '价税合计', dataIndex: 'total', align: 'right', render: money },
        { title: '提交时间', dataIndex: 'createdAt', render: dateTime },
        { title: '更新时间', dataIndex: 'updatedAt', render: dateTime },
      ]}
    />
  );
}

function ExceptionsTable({ items }: { items: MonitorException[] }) {
  if (items.length === 0) return <PageState empty emptyText="没有其他异常" />;
  return (
    <Table<MonitorException>
      rowKey={(r) => `${r.kind}:${r.subject}`}
      size="middle"
      dataSource={items}
      pagination={false}
      columns={[
        { title: '异常', dataIndex: 'message' },
        { title: '错误码', dataIndex: 'code' },
        { title: '销方税号', dataIndex: 'sellerTaxId', render: (v: string | null) => v ?? '—' },
        { title: '对象', dataIndex: 'subject' },
        { title: '次数', dataIndex: 'count', align: 'right' },
        { title: '最近发生', dataIndex: 'lastAt', render: dateTime },
      ]}
    />
  );
}

/** Dead background jobs (GET /api/v1/jobs?state=dead) with retry (system.manage). */
function DeadJobs() {
  const { data: session } = useSession();
  const queryClient = useQueryClient();
  const message = useToast();
  const jobs = useQuery({
    queryKey: ['jobs', 'dead'],
    queryFn: () => get<Page<Job>>('/api/v1/jobs', { state: 'dead', limit: 100 }),
  });
  const retry = useMutation({
    mutationFn: (id: string) => post<Job>(`/api/v1/jobs/${encodeURIComponent(id)}/retry`),
    onSuccess: (job) => {
      void message.success(`已重新排队任务 ${job.task}`);
      void queryClient.invalidateQueries({ queryKey: ['jobs', 'dead'] });
      void queryClient.invalidateQueries({ queryKey: MONITOR_KEY });
    },
    onError: (err) => void message.error(errorMessage(err)),
  });
  const mayRetry = can(session, 'system.manage');
  return (
    <PageState
      loading={jobs.isLoading}
      error={jobs.error}
      empty={jobs.data?.items.length === 0}
      emptyText="没有失败的后台任务"
      onRetry={() => void jobs.refetch()}
    >
      <Table<Job>
        rowKey="id"
        size="middle"
        dataSource={jobs.data?.items ?? []}
        pagination={false}
        columns={[
          { title: '任务', dataIndex: 'task' },
          { title: '尝试次数', key: 'attempts', render: (_: unknown, j) => `${j.attempts} / ${j.maxAttempts}` },
          { title: '最后的错误', dataIndex: 'lastError', ellipsis: true, render: (e: string | null) => e ?? '—' },
          { title: '时间', dataIndex: 'updatedAt', render: dateTime },
          ...(mayRetry
            ? [
                {
                  title: '操作',
                  key: 'actions',
                  render: (_: unknown, j: Job) => (
                    <Button
                      size="small"
                      icon={<RedoOutlined />}
                      loading={retry.isPending && retry.variables === j.id}
                      onClick={() => retry.mutate(j.id)}
                    >
                      重试
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
    </PageState>
  );
}
