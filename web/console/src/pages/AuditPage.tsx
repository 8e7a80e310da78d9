import { DownloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  AutoComplete,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  Space,
  Table,
  Tag,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { errorMessage, get, withQuery } from '../api';
import { ACTION_LABELS } from '../audit-actions';
import { cutColumns } from '../components/cut-columns';
import { PageState } from '../components/PageState';
import { dateTime } from '../format';
import type { Page } from '../types';

export interface AuditEntry {
  id: string;
  seq: number | null;
  at: string;
  actor: { kind: 'user' | 'app' | 'system'; id: string; name: string };
  action: string;
  target: { type: string; id: string };
  diff: Record<string, { from: unknown; to: unknown }>;
  requestId: string | null;
  clientAddress: string | null;
}

interface VerifyResult {
  ok: boolean;
  complete: boolean;
  checked: number;
  unsealed: number;
  broken: { id: string; seq: number; reason: string } | null;
}

const AREA_LABELS: Record<string, string> = {
  session: '登录与会话（全部）',
  users: '用户（全部）',
  orgs: '销方（全部）',
  apps: '应用（全部）',
  invoices: '发票（全部）',
  red_forms: '红字确认单（全部）',
  scan: '扫码开票（全部）',
  delivery: '推送（全部）',
  jobs: '任务（全部）',
};

const ACTOR_KINDS: Record<string, { text: string; color: string }> = {
  user: { text: '用户', color: 'blue' },
  app: { text: '应用', color: 'purple' },
  system: { text: '系统', color: 'default' },
};

const REASONS: Record<string, string> = {
  seq_gap: '序号不连续（有条目被删除或插入）',
  prev_hash_mismatch: '前一条哈希不符（链被改写）',
  hash_mismatch: '内容与哈希不符（条目被修改）',
};

const FILTERS = ['actor', 'action', 'target', 'from', 'to'] as const;

const actionOptions = [
  ...Object.entries(AREA_LABELS).map(([value, label]) => ({ value, label: `${label} · ${value}` })),
  ...Object.entries(ACTION_LABELS).map(([value, label]) => ({ value, label: `${label} · ${value}` })),
];

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 1);
}

/** 审计日志: search by actor, action, target and time (filters in the URL), entry detail with its diff, CSV, chain check. */
export default function AuditPage() {
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm();
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? undefined]));
  const cursor = params.get('cursor') ?? undefined;
  const q = useQuery({
    queryKey: ['/api/v1/audit-log', filters, cursor],
    queryFn: () => get<Page<AuditEntry>>('/api/v1/audit-log', { ...filters, cursor, limit: 50 }),
  });
  const verify = useQuery({
    queryKey: ['/api/v1/audit-log/verify'],
    queryFn: () => get<VerifyResult>('/api/v1/audit-log/verify'),
    enabled: false,
  });

  useEffect(() => {
    form.setFieldsValue({
      actor: params.get('actor') ?? '',
      action: params.get('action') ?? '',
      target: params.get('target') ?? '',
      range: [params.get('from'), params.get('to')].every((v) => v === null)
        ? null
        : [params.get('from') ? dayjs(params.get('from')) : null, params.get('to') ? dayjs(params.get('to')) : null],
    });
  }, [params, form]);

  const search = (v: {
    actor?: string;
    action?: string;
    target?: string;
    range?: [Dayjs | null, Dayjs | null] | null;
  }) => {
    const next = new URLSearchParams();
    const set = (k: string, value: string | undefined | null) => {
      if (value?.trim()) next.set(k, value.trim());
    };
    set('actor', v.actor);
    set('action', v.action);
    set('target', v.target);
    set('from', v.range?.[0]?.toISOString());
    set('to', v.range?.[1]?.toISOString());
    setParams(next);
  };
  const page = (c: string | undefined) => {
    const next = new URLSearchParams(params);
    if (c) next.set('cursor', c);
    else next.delete('cursor');
    setParams(next);
  };
  const exportUrl = withQuery('/api/v1/audit-log/export.csv', filters);

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title="审计日志"
        extra={
          <Space>
            <Button
              icon={<SafetyCertificateOutlined />}
              loading={verify.isFetching}
              onClick={() => void verify.refetch()}
            >
              校验哈希链
            </Button>
            <Button icon={<DownloadOutlined />} href={exportUrl} download="audit-log.csv">
              导出 CSV
            </Button>
          </Space>
        }
      >
        {verify.error ? (
          <Alert type="error" showIcon message={errorMessage(verify.error)} style={{ marginBottom: 16 }} />
        ) : verify.data ? (
          <Alert
            data-testid="audit-verify"
            style={{ marginBottom: 16 }}
            showIcon
            type={verify.data.ok ? 'success' : 'error'}
            message={
              verify.data.ok
                ? `哈希链完整：已校验 ${verify.data.checked} 条${verify.data.complete ? '' : '（仅校验了开头部分，完整校验请运行 openfapiao audit verify）'}`
                : `哈希链已被破坏：第 ${verify.data.broken?.seq} 条，${REASONS[verify.data.broken?.reason ?? ''] ?? verify.data.broken?.reason}`
            }
            description={
              verify.data.broken
                ? `条目 ${verify.data.broken.id}；之后的条目无法再证明未被篡改。`
                : verify.data.unsealed > 0
                  ? `另有 ${verify.data.unsealed} 条新条目尚未上链（数秒内完成）。`
                  : undefined
            }
          />
        ) : null}
        <Form form={form} layout="inline" onFinish={search} style={{ rowGap: 12 }}>
          <Form.Item name="actor" label="操作人">
            <Input placeholder="用户名、用户 ID 或应用 ID" allowClear style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="action" label="操作">
            <AutoComplete
              options={actionOptions}
              placeholder="如 users 或 users.create"
              allowClear
              style={{ width: 240 }}
              filterOption={(input, option) => (option?.label ?? '').toLowerCase().includes(input.toLowerCase())}
            />
          </Form.Item>
          <Form.Item name="target" label="对象">
            <Input placeholder="税号、流水号、用户 ID…" allowClear style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="range" label="时间">
            <DatePicker.RangePicker showTime allowEmpty={[true, true]} />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                查询
              </Button>
              <Button onClick={() => setParams(new URLSearchParams())}>重置</Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <Card>
        <PageState
          loading={q.isLoading}
          error={q.error}
          onRetry={() => void q.refetch()}
          empty={q.data?.items.length === 0}
          emptyText="没有符合条件的审计记录"
        >
          <Table<AuditEntry>
            rowKey="id"
            loading={q.isFetching && !q.isLoading}
            dataSource={q.data?.items ?? []}
            pagination={false}
            scroll={{ x: 'max-content' }}
            onRow={(entry) => ({ onClick: () => setOpen(entry), style: { cursor: 'pointer' } })}
            columns={cutColumns<AuditEntry>([
              { title: '时间', dataIndex: 'at', render: dateTime, width: 170 },
              {
                title: '操作人',
                render: (_, e) => (
                  <>
                    <Tag color={ACTOR_KINDS[e.actor.kind]?.color}>
                      {ACTOR_KINDS[e.actor.kind]?.text ?? e.actor.kind}
                    </Tag>
                    {e.actor.name}
                  </>
                ),
              },
              {
                title: '操作',
                dataIndex: 'action',
                render: (a: string) => (
                  <span>
                    {ACTION_LABELS[a] ?? a} <span className="ofp-secondary">{ACTION_LABELS[a] ? a : ''}</span>
                  </span>
                ),
              },
              {
                title: '对象',
                width: 260,
                ellipsis: true,
                render: (_, e) => `${e.target.type} · ${e.target.id}`,
              },
              {
                title: '变更字段',
                width: 200,
                ellipsis: true,
                render: (_, e) => Object.keys(e.diff).join('、') || '—',
              },
              { title: '客户端地址', dataIndex: 'clientAddress', render: (v) => v ?? '—' },
              {
                title: '链上序号',
                dataIndex: 'seq',
                align: 'right',
                render: (s: number | null) => (s === null ? <span className="ofp-secondary">待上链</span> : s),
              },
              {
                title: '',
                render: (_, e) => (
                  <Button size="small" type="link" onClick={() => setOpen(e)}>
                    详情
                  </Button>
                ),
              },
            ])}
          />
          <Space style={{ marginTop: 16, justifyContent: 'flex-end', width: '100%' }}>
            <Button disabled={!cursor} onClick={() => page(undefined)}>
              首页
            </Button>
            <Button disabled={!q.data?.nextCursor} onClick={() => page(q.data?.nextCursor ?? undefined)}>
              下一页
            </Button>
          </Space>
        </PageState>
      </Card>
      <Drawer title="审计记录详情" open={open !== null} onClose={() => setOpen(null)} width={720}>
        {open && (
          <>
            <Descriptions column={1} bordered size="small">
              <Descriptions.Item label="时间">{dateTime(open.at)}</Descriptions.Item>
              <Descriptions.Item label="操作人">
                {ACTOR_KINDS[open.actor.kind]?.text ?? open.actor.kind} {open.actor.name}{' '}
                <span className="ofp-secondary">{open.actor.id}</span>
              </Descriptions.Item>
              <Descriptions.Item label="操作">
                {ACTION_LABELS[open.action] ?? open.action} <span className="ofp-secondary">{open.action}</span>
              </Descriptions.Item>
              <Descriptions.Item label="对象">
                {open.target.type} · {open.target.id}
              </Descriptions.Item>
              <Descriptions.Item label="请求编号">{open.requestId ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="客户端地址">{open.clientAddress ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="链上序号">{open.seq ?? '待上链'}</Descriptions.Item>
              <Descriptions.Item label="记录 ID">{open.id}</Descriptions.Item>
            </Descriptions>
            <h4 style={{ margin: '24px 0 8px' }}>变更内容</h4>
            {Object.keys(open.diff).length === 0 ? (
              <span className="ofp-secondary">此操作没有字段变更</span>
            ) : (
              <table className="ofp-diff-table" data-testid="audit-diff">
                <thead>
                  <tr>
                    <th>字段</th>
                    <th>变更前</th>
                    <th>变更后</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(open.diff).map(([field, { from, to }]) => (
                    <tr key={field}>
                      <td>{field}</td>
                      <td className="ofp-diff-from">
                        <pre>{show(from)}</pre>
                      </td>
                      <td className="ofp-diff-to">
                        <pre>{show(to)}</pre>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Drawer>
    </Space>
  );
}
