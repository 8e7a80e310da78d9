import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { errorMessage, fetchFile, get, post, saveFile } from '../api';
import { PageState } from '../components/PageState';
import { dateTime, money } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';

interface Org {
  taxId: string;
  name: string;
}

interface DeductionItem {
  invoice: {
    id: string;
    kind: string;
    kindName: string;
    code: string | null;
    number: string | null;
    issueDate: string | null;
    seller: { name: string | null; taxId: string | null };
    totals: { amount: string | null; tax: string | null; total: string | null };
  };
  deduction: {
    status: string;
    period: string | null;
    tax: string | null;
    fullTax: string | null;
    taxBasis: 'printed' | 'computed' | null;
    taxRule: string | null;
    partialAllowed: boolean;
    reason: string | null;
    actor: string | null;
    updatedAt: string | null;
    /** The pool item was deleted after it was selected or marked: listed, not selectable again. */
    invoiceDeleted: boolean;
  };
}

interface Block {
  count: number;
  amount: string;
  tax: string;
  byKind: Array<{ kind: string; kindName: string; count: number; amount: string; tax: string }>;
}

interface PeriodStats {
  buyerTaxId: string;
  period: string;
  state: 'open' | 'confirmed';
  confirmedAt: string | null;
  confirmedBy: string | null;
  selected: Block;
  candidates: Block & { truncated: boolean };
  notDeductible: Block;
}

type Tab = 'candidate' | 'selected' | 'not_deductible';

/** The current 所属期 (YYYYMM) in China time. */
function currentPeriod(): string {
  const d = new Date(Date.now() + 8 * 3_600_000);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The last 12 periods, newest first. */
function recentPeriods(): string[] {
  const now = currentPeriod();
  let y = Number(now.slice(0, 4));
  let m = Number(now.slice(4));
  const out: string[] = [];
  for (let i = 0; i < 12; i++) {
    out.push(`${y}${String(m).padStart(2, '0')}`);
    m--;
    if (m === 0) {
      m = 12;
      y--;
    }
  }
  return out;
}

const periodLabel = (p: string) => `${p.slice(0, 4)}年${p.slice(4)}月`;

/**
 * 抵扣勾选: per buyer org and 所属期, the candidates (待勾选), the selected invoices (已勾选; confirmed ones once the
 * period is confirmed) and the ones marked 不抵扣; select with checkboxes (有效抵扣税额 editable where partial
 * deduction is allowed), statistics by kind, 确认勾选 (locks the period) and export. docs/deduction.md.
 */
export default function DeductionPage() {
  const { data: session } = useSession();
  const manage = can(session, 'deduction.manage');
  const queryClient = useQueryClient();
  const message = useToast();
  const [params, setParams] = useSearchParams();
  const orgs = useQuery({ queryKey: ['/api/v1/orgs'], queryFn: () => get<{ items: Org[] }>('/api/v1/orgs') });
  const buyer = params.get('buyer') ?? orgs.data?.items[0]?.taxId ?? '';
  const period = params.get('period') ?? currentPeriod();
  const tab = (params.get('tab') as Tab | null) ?? 'candidate';
  const [picked, setPicked] = useState<string[]>([]);
  const [taxes, setTaxes] = useState<Record<string, string>>({});
  const [confirming, setConfirming] = useState(false);
  const [reasonFor, setReasonFor] = useState<string[] | null>(null);
  const [reason, setReason] = useState('');

  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(key, value);
    setParams(next, { replace: true });
    setPicked([]);
  };

  const stats = useQuery({
    queryKey: ['deduction-stats', buyer, period],
    enabled: buyer !== '',
    queryFn: () => get<PeriodStats>(`/api/v1/deduction/periods/${encodeURIComponent(buyer)}/${period}`),
  });
  const locked = stats.data?.state === 'confirmed';
  const listStatus = tab === 'selected' && locked ? 'confirmed' : tab;
  const list = useQuery({
    queryKey: ['deduction-invoices', buyer, period, listStatus],
    enabled: buyer !== '',
    queryFn: () =>
      get<{ items: DeductionItem[]; nextCursor: string | null }>('/api/v1/deduction/invoices', {
        buyerTaxId: buyer,
        period,
        status: listStatus,
        limit: 200,
      }),
  });
  const refresh = () => {
    setPicked([]);
    void queryClient.invalidateQueries({ queryKey: ['deduction-stats'] });
    void queryClient.invalidateQueries({ queryKey: ['deduction-invoices'] });
  };

  const change = useMutation({
    mutationFn: async (action: { kind: 'select' | 'cancel' | 'not' | 'undo' | 'confirm'; ids: string[] }) => {
      if (action.kind === 'select') {
        return post('/api/v1/deduction/selections', {
          buyerTaxId: buyer,
          period,
          invoices: action.ids.map((invoiceId) =>
            taxes[invoiceId] ? { invoiceId, tax: taxes[invoiceId] } : { invoiceId },
          ),
        });
      }
      if (action.kind === 'cancel') {
        return post('/api/v1/deduction/selections/cancel', { buyerTaxId: buyer, period, invoiceIds: action.ids });
      }
      if (action.kind === 'not') {
        return post('/api/v1/deduction/not-deductible', { buyerTaxId: buyer, invoiceIds: action.ids, reason });
      }
      if (action.kind === 'undo') {
        return post('/api/v1/deduction/not-deductible', { buyerTaxId: buyer, invoiceIds: action.ids, undo: true });
      }
      return post(`/api/v1/deduction/periods/${encodeURIComponent(buyer)}/${period}/confirm`);
    },
    onSuccess: (_r, action) => {
      const done = {
        select: '已勾选',
        cancel: '已撤销勾选',
        not: '已标记不抵扣',
        undo: '已撤销不抵扣',
        confirm: '已确认勾选',
      };
      message.success(done[action.kind]);
      setConfirming(false);
      setReasonFor(null);
      setReason('');
      refresh();
    },
    onError: (err) => message.error(errorMessage(err)),
  });

  const exportFile = async (format: 'csv' | 'xlsx') => {
    try {
      saveFile(
        await fetchFile('GET', `/api/v1/deduction/periods/${encodeURIComponent(buyer)}/${period}/export.${format}`),
      );
    } catch (err) {
      message.error(errorMessage(err));
    }
  };

  const columns = [
    { title: '票种', dataIndex: ['invoice', 'kindName'], width: 200 },
    {
      title: '发票号码',
      key: 'number',
      render: (_: unknown, r: DeductionItem) => (
        <span>
          {r.invoice.code ? `${r.invoice.code} ` : ''}
          {r.invoice.number}
          {r.deduction.invoiceDeleted ? (
            <Tag color="default" style={{ marginLeft: 4 }} title="票池中已删除，不能再勾选，可撤销">
              票池已删除
            </Tag>
          ) : null}
        </span>
      ),
    },
    { title: '开票日期', dataIndex: ['invoice', 'issueDate'], width: 110 },
    { title: '销方', dataIndex: ['invoice', 'seller', 'name'] },
    {
      title: '金额',
      key: 'amount',
      align: 'right' as const,
      render: (_: unknown, r: DeductionItem) => money(r.invoice.totals.amount),
    },
    {
      title: '可抵扣税额',
      key: 'fullTax',
      align: 'right' as const,
      render: (_: unknown, r: DeductionItem) => (
        <span title={r.deduction.taxRule ?? undefined}>
          {money(r.deduction.fullTax)}
          {r.deduction.taxBasis === 'computed' ? <Tag style={{ marginLeft: 4 }}>计算</Tag> : null}
        </span>
      ),
    },
    ...(tab === 'not_deductible'
      ? [{ title: '不抵扣原因', dataIndex: ['deduction', 'reason'] }]
      : [
          {
            title: '有效抵扣税额',
            key: 'tax',
            width: 150,
            render: (_: unknown, r: DeductionItem) =>
              tab === 'candidate' && manage && r.deduction.partialAllowed ? (
                <InputNumber
                  aria-label={`有效抵扣税额 ${r.invoice.number ?? ''}`}
                  size="small"
                  min="0.01"
                  max={r.deduction.fullTax ?? undefined}
                  step="0.01"
                  stringMode
                  precision={2}
                  value={taxes[r.invoice.id] ?? r.deduction.tax ?? undefined}
                  onChange={(v) => setTaxes((t) => ({ ...t, [r.invoice.id]: v ?? '' }))}
                />
              ) : (
                money(r.deduction.tax)
              ),
          },
        ]),
    ...(tab === 'selected'
      ? [
          {
            title: '状态',
            key: 'status',
            render: (_: unknown, r: DeductionItem) =>
              r.deduction.status === 'confirmed' ? (
                <Tag color="success">已确认</Tag>
              ) : (
                <Tag color="processing">已勾选</Tag>
              ),
          },
          { title: '操作人', dataIndex: ['deduction', 'actor'] },
          { title: '时间', key: 'at', render: (_: unknown, r: DeductionItem) => dateTime(r.deduction.updatedAt) },
        ]
      : []),
  ];

  const s = stats.data;
  const canChange = manage && !locked;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card>
        <Form layout="inline">
          <Form.Item label="购买方">
            <Select
              aria-label="购买方"
              style={{ minWidth: 320 }}
              loading={orgs.isLoading}
              value={buyer || undefined}
              options={(orgs.data?.items ?? []).map((o) => ({ value: o.taxId, label: `${o.name}（${o.taxId}）` }))}
              onChange={(v: string) => setParam('buyer', v)}
            />
          </Form.Item>
          <Form.Item label="所属期">
            <Select
              aria-label="所属期"
              style={{ width: 140 }}
              value={period}
              options={recentPeriods().map((p) => ({ value: p, label: periodLabel(p) }))}
              onChange={(v: string) => setParam('period', v)}
            />
          </Form.Item>
          <Space wrap>
            {locked ? <Tag color="success">已确认勾选</Tag> : <Tag>未确认</Tag>}
            <Button onClick={() => void exportFile('xlsx')} disabled={!buyer}>
              导出 Excel
            </Button>
            <Button onClick={() => void exportFile('csv')} disabled={!buyer}>
              导出 CSV
            </Button>
            {manage ? (
              <Button type="primary" danger disabled={!buyer || locked} onClick={() => setConfirming(true)}>
                确认勾选
              </Button>
            ) : null}
          </Space>
        </Form>
      </Card>

      <PageState loading={stats.isLoading} error={stats.error} onRetry={() => void stats.refetch()}>
        {s ? (
          <Card title={`${periodLabel(s.period)} 统计`} size="small">
            <Space size="large" wrap>
              <Statistic title="已勾选份数" value={s.selected.count} />
              <Statistic title="已勾选金额" value={s.selected.amount} />
              <Statistic title="有效抵扣税额" value={s.selected.tax} />
              <Statistic title="待勾选份数" value={s.candidates.count} />
              <Statistic title="待勾选税额" value={s.candidates.tax} />
              <Statistic title="不抵扣份数" value={s.notDeductible.count} />
            </Space>
            <Table
              size="small"
              style={{ marginTop: 12 }}
              rowKey="kind"
              pagination={false}
              dataSource={s.selected.byKind}
              locale={{ emptyText: '本期尚未勾选' }}
              columns={[
                { title: '票种', dataIndex: 'kindName' },
                { title: '份数', dataIndex: 'count' },
                { title: '金额', dataIndex: 'amount', render: (v: string) => money(v) },
                { title: '有效抵扣税额', dataIndex: 'tax', render: (v: string) => money(v) },
              ]}
            />
            {locked ? (
              <Descriptions size="small" style={{ marginTop: 12 }}>
                <Descriptions.Item label="确认人">{s.confirmedBy}</Descriptions.Item>
                <Descriptions.Item label="确认时间">{dateTime(s.confirmedAt)}</Descriptions.Item>
              </Descriptions>
            ) : null}
          </Card>
        ) : null}
      </PageState>

      <Card>
        <Tabs
          activeKey={tab}
          onChange={(k) => setParam('tab', k)}
          items={[
            { key: 'candidate', label: '待勾选' },
            { key: 'selected', label: '已勾选' },
            { key: 'not_deductible', label: '不抵扣' },
          ]}
        />
        {canChange ? (
          <Space style={{ marginBottom: 12 }}>
            {tab === 'candidate' ? (
              <>
                <Button
                  type="primary"
                  disabled={picked.length === 0}
                  loading={change.isPending}
                  onClick={() => change.mutate({ kind: 'select', ids: picked })}
                >
                  勾选（{picked.length}）
                </Button>
                <Button disabled={picked.length === 0} onClick={() => setReasonFor(picked)}>
                  不抵扣
                </Button>
              </>
            ) : null}
            {tab === 'selected' ? (
              <Button
                disabled={picked.length === 0}
                loading={change.isPending}
                onClick={() => change.mutate({ kind: 'cancel', ids: picked })}
              >
                撤销勾选（{picked.length}）
              </Button>
            ) : null}
            {tab === 'not_deductible' ? (
              <Button disabled={picked.length === 0} onClick={() => change.mutate({ kind: 'undo', ids: picked })}>
                撤销不抵扣
              </Button>
            ) : null}
          </Space>
        ) : null}
        <PageState loading={list.isLoading} error={list.error} onRetry={() => void list.refetch()}>
          <Table
            size="small"
            rowKey={(r: DeductionItem) => r.invoice.id}
            dataSource={list.data?.items ?? []}
            columns={columns}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            rowSelection={
              canChange ? { selectedRowKeys: picked, onChange: (keys) => setPicked(keys.map(String)) } : undefined
            }
            locale={{ emptyText: '暂无发票' }}
          />
          {list.data?.nextCursor ? (
            <Typography.Text type="secondary">仅显示前 200 份，请先处理后再查看其余发票。</Typography.Text>
          ) : null}
        </PageState>
      </Card>

      <Modal
        title="确认勾选"
        open={confirming}
        okText="确认"
        okButtonProps={{ danger: true, loading: change.isPending }}
        onOk={() => change.mutate({ kind: 'confirm', ids: [] })}
        onCancel={() => setConfirming(false)}
      >
        <p>
          确认 {periodLabel(period)} 的勾选：{s?.selected.count ?? 0} 份发票，有效抵扣税额 {money(s?.selected.tax)}。
        </p>
        <p>确认后该所属期将锁定，不能再勾选或撤销。</p>
      </Modal>
      <Modal
        title="不抵扣"
        open={reasonFor !== null}
        okText="确定"
        okButtonProps={{ disabled: reason.trim() === '', loading: change.isPending }}
        onOk={() => reasonFor && change.mutate({ kind: 'not', ids: reasonFor })}
        onCancel={() => setReasonFor(null)}
      >
        <Input.TextArea
          aria-label="不抵扣原因"
          maxLength={200}
          placeholder="不抵扣原因，如：用于集体福利"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
    </Space>
  );
}
