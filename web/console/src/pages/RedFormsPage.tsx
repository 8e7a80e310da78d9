import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Modal, Select, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { errorMessage, get, post } from '../api';
import { PageState } from '../components/PageState';
import { dateTime, money } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';
import type { Page } from '../types';

interface RedForm {
  id: string;
  formNo: string;
  status: string;
  redSerialNo: string;
  blueSerialNo: string;
  blueNumber: string | null;
  reason: string;
  amount: string;
  tax: string;
  appliedAt: string | null;
  confirmBy: string | null;
  /** The channel could not be asked just now: `status` is the one last stored. */
  stale?: boolean;
}

export const RED_FORM_STATUS: Record<string, { text: string; color: string }> = {
  pending_buyer: { text: '待购方确认', color: 'processing' },
  confirmed: { text: '购方已确认', color: 'success' },
  no_confirmation_needed: { text: '无需确认', color: 'default' },
  rejected: { text: '购方已否认', color: 'error' },
  expired: { text: '已作废（超期）', color: 'default' },
  used: { text: '已开具红票', color: 'magenta' },
};

const RED_REASON_LABELS: Record<string, string> = {
  '01': '开票有误',
  '02': '销货退回',
  '03': '服务中止',
  '04': '销售折让',
};

/** A pending form this close to its deadline is highlighted. */
const NEAR_DEADLINE_MS = 24 * 3600_000;

type Urgency = 'overdue' | 'near' | null;

function urgencyOf(form: RedForm, now: number): Urgency {
  if (form.status !== 'pending_buyer' || !form.confirmBy) return null;
  const left = Date.parse(form.confirmBy) - now;
  if (left <= 0) return 'overdue';
  return left <= NEAR_DEADLINE_MS ? 'near' : null;
}

function timeLeft(confirmBy: string, now: number): string {
  const minutes = Math.floor((Date.parse(confirmBy) - now) / 60_000);
  if (minutes < 60) return `${Math.max(minutes, 0)} 分钟`;
  const hours = Math.floor(minutes / 60);
  return hours < 24 ? `${hours} 小时 ${minutes % 60} 分` : `${Math.floor(hours / 24)} 天 ${hours % 24} 小时`;
}

const invoiceLink = (serialNo: string) =>
  `/invoices?serialNo=${encodeURIComponent(serialNo)}&open=${encodeURIComponent(serialNo)}`;

/**
 * 红字确认单: the tenant's red-letter confirmation forms (GET /api/v1/red-forms), pending ones first by default, with
 * their 72-hour deadline (near: within 24 h, overdue: past it) and the buyer's confirm / reject (sandbox stand-in,
 * with a reason kept in the audit log). Filters (status, 仅临近截止) are kept in the URL.
 */
export default function RedFormsPage() {
  const { data: session } = useSession();
  const queryClient = useQueryClient();
  const message = useToast();
  const [params, setParams] = useSearchParams();
  // Pending forms unless the URL says otherwise (`status=all` lists every form).
  const status = params.get('status') ?? 'pending_buyer';
  const dueOnly = params.get('due') === '1';
  const cursor = params.get('cursor') ?? undefined;
  const [deciding, setDeciding] = useState<{ form: RedForm; decision: 'confirm' | 'reject' } | null>(null);
  const forms = useQuery({
    queryKey: ['red-forms', status, cursor],
    queryFn: () =>
      get<Page<RedForm>>('/api/v1/red-forms', { status: status === 'all' ? undefined : status, cursor, limit: 50 }),
  });
  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };
  const now = Date.now();
  const items = (forms.data?.items ?? []).filter((f) => !dueOnly || urgencyOf(f, now) !== null);
  const mayDecide = can(session, 'invoices.red');

  return (
    <Card
      title="红字确认单"
      extra={
        <Space wrap>
          <label htmlFor="red-form-status">状态</label>
          <Select
            id="red-form-status"
            style={{ width: 160 }}
            value={status}
            onChange={(v: string) => set({ status: v === 'pending_buyer' ? undefined : v, cursor: undefined })}
            options={[
              { value: 'all', label: '全部' },
              ...Object.entries(RED_FORM_STATUS).map(([value, s]) => ({ value, label: s.text })),
            ]}
          />
          <label htmlFor="red-form-due">仅临近或超过截止</label>
          <Switch id="red-form-due" checked={dueOnly} onChange={(on) => set({ due: on ? '1' : undefined })} />
          <Button onClick={() => void forms.refetch()}>刷新</Button>
        </Space>
      }
    >
      <PageState
        loading={forms.isLoading}
        error={forms.error}
        empty={items.length === 0}
        emptyText={status === 'pending_buyer' ? '没有待购方确认的红字确认单' : '没有符合条件的红字确认单'}
        onRetry={() => void forms.refetch()}
      >
        <Table<RedForm>
          rowKey="id"
          size="middle"
          dataSource={items}
          pagination={false}
          scroll={{ x: 1150 }}
          rowClassName={(f) => {
            const u = urgencyOf(f, now);
            return u === 'overdue' ? 'ofp-row-danger' : u === 'near' ? 'ofp-row-warning' : '';
          }}
          columns={[
            {
              title: '确认单编号',
              dataIndex: 'formNo',
              width: 180,
              render: (no: string, f) => (
                <Space direction="vertical" size={0}>
                  <span>{no}</span>
                  {f.appliedAt && <span className="ofp-secondary">申请于 {dateTime(f.appliedAt).slice(0, 16)}</span>}
                </Space>
              ),
            },
            {
              title: '状态',
              dataIndex: 'status',
              width: 110,
              render: (s: string, f) => (
                <Space direction="vertical" size={0}>
                  <Tag color={RED_FORM_STATUS[s]?.color}>{RED_FORM_STATUS[s]?.text ?? s}</Tag>
                  {f.stale && (
                    <span className="ofp-secondary" title="税局平台暂时无法查询，显示的是上次记录的状态">
                      暂未同步
                    </span>
                  )}
                </Space>
              ),
            },
            {
              title: '蓝字发票 / 红字请求',
              dataIndex: 'blueSerialNo',
              width: 230,
              render: (sn: string, f) => (
                <Space direction="vertical" size={0}>
                  <Link to={invoiceLink(sn)}>{sn}</Link>
                  {f.blueNumber && <span className="ofp-secondary">{f.blueNumber}</span>}
                  <span>
                    红字 <Link to={invoiceLink(f.redSerialNo)}>{f.redSerialNo}</Link>
                  </span>
                </Space>
              ),
            },
            { title: '红冲原因', dataIndex: 'reason', width: 90, render: (r: string) => RED_REASON_LABELS[r] ?? r },
            { title: '金额', dataIndex: 'amount', width: 110, align: 'right', render: money },
            { title: '税额', dataIndex: 'tax', width: 100, align: 'right', render: money },
            {
              title: '确认截止',
              dataIndex: 'confirmBy',
              width: 170,
              render: (by: string | null, f) => {
                if (!by) return '—';
                const u = urgencyOf(f, now);
                return (
                  <Space direction="vertical" size={0}>
                    <span>{dateTime(by).slice(0, 16)}</span>
                    {u === 'overdue' && <Tag color="red">已超过截止时间</Tag>}
                    {u === 'near' && <Tag color="orange">剩余 {timeLeft(by, now)}</Tag>}
                    {u === null && f.status === 'pending_buyer' && (
                      <span className="ofp-secondary">剩余 {timeLeft(by, now)}</span>
                    )}
                  </Space>
                );
              },
            },
            ...(mayDecide
              ? [
                  {
                    title: '操作',
                    key: 'actions',
                    width: 160,
                    fixed: 'right' as const,
                    render: (_: unknown, f: RedForm) =>
                      f.status === 'pending_buyer' ? (
                        <Space size={4}>
                          <Button
                            size="small"
                            type="primary"
                            icon={<CheckOutlined />}
                            onClick={() => setDeciding({ form: f, decision: 'confirm' })}
                          >
                            确认
                          </Button>
                          <Button
                            size="small"
                            danger
                            icon={<CloseOutlined />}
                            onClick={() => setDeciding({ form: f, decision: 'reject' })}
                          >
                            否认
                          </Button>
                        </Space>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
        {(cursor || forms.data?.nextCursor) && (
          <Space style={{ marginTop: 16 }}>
            <Button disabled={!cursor} onClick={() => set({ cursor: undefined })}>
              第一页
            </Button>
            <Button
              disabled={!forms.data?.nextCursor}
              onClick={() => set({ cursor: forms.data?.nextCursor ?? undefined })}
            >
              下一页
            </Button>
          </Space>
        )}
      </PageState>
      {deciding && (
        <DecisionModal
          {...deciding}
          onClose={() => setDeciding(null)}
          onDone={(form) => {
            setDeciding(null);
            void message.success(`确认单 ${form.formNo}：${RED_FORM_STATUS[form.status]?.text ?? form.status}`);
            void queryClient.invalidateQueries({ queryKey: ['red-forms'] });
          }}
        />
      )}
    </Card>
  );
}

/** Confirm or reject a form, with a reason (required to reject) that the audit log keeps. */
function DecisionModal({
  form,
  decision,
  onClose,
  onDone,
}: {
  form: RedForm;
  decision: 'confirm' | 'reject';
  onClose: () => void;
  onDone: (form: RedForm) => void;
}) {
  const [values] = Form.useForm<{ reason?: string }>();
  const decide = useMutation({
    mutationFn: (reason: string | undefined) =>
      post<RedForm>(`/api/v1/red-forms/${encodeURIComponent(form.id)}/${decision}`, reason ? { reason } : {}),
    onSuccess: onDone,
  });
  const submit = async () => {
    try {
      const v = await values.validateFields();
      decide.mutate(v.reason?.trim() || undefined);
    } catch {
      // The form shows what is missing.
    }
  };
  const verb = decision === 'confirm' ? '确认' : '否认';
  return (
    <Modal
      open
      title={`${verb}红字确认单 ${form.formNo}`}
      okText={verb}
      cancelText="取消"
      okButtonProps={{ danger: decision === 'reject' }}
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={decide.isPending}
    >
      <p>
        蓝字发票 {form.blueNumber ?? form.blueSerialNo}，红冲金额 {money(form.amount)}，税额 {money(form.tax)}。
        {decision === 'confirm' ? '确认后将开具红字发票。' : '否认后红冲请求失败，蓝字发票恢复原状态。'}
      </p>
      <Form form={values} layout="vertical">
        <Form.Item
          name="reason"
          label={decision === 'confirm' ? '确认说明（可选）' : '否认理由'}
          rules={[
            { required: decision === 'reject', whitespace: true, message: '请填写否认理由' },
            { max: 200, message: '最多 200 字' },
          ]}
        >
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
      {decide.error && <Alert type="error" showIcon message={errorMessage(decide.error)} />}
    </Modal>
  );
}
