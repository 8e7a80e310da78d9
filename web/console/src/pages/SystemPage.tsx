import { ReloadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, Row, Space, Table, Tag } from 'antd';
import { errorMessage, get, post } from '../api';
import { cutColumns } from '../components/cut-columns';
import { PageState } from '../components/PageState';
import { dateTime } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';
import type { Page } from '../types';

interface SystemInfo {
  asOf: string;
  version: string;
  node: string;
  role: string;
  uptimeSeconds: number;
  health: { status: 'ok' | 'degraded'; database: string; migrations: string };
  config: {
    database: { dialect: string; location: string; poolSize: number | null };
    publicUrl: string;
    channel: string;
    blobStore: string;
    mail: { transport: string; server: string };
    sms: { transport: string; server: string };
    secretEncryption: boolean;
    downloadLinkSigningKey: boolean;
    metricsProtected: boolean;
    apiDocs: boolean;
    sessionIdleMinutes: number;
    sessionAbsoluteHours: number;
    loginMaxFailuresPerUser: number;
    loginLockoutMinutes: number;
    jobConcurrency: number;
    jobRetentionDays: number;
  };
  counts: { users: number; orgs: number };
  jobs: { byState: Record<string, number>; byTask: { task: string; state: string; count: number }[] };
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

const STATES: { key: string; text: string; color: string }[] = [
  { key: 'queued', text: '排队', color: 'default' },
  { key: 'running', text: '运行中', color: 'processing' },
  { key: 'retry', text: '等待重试', color: 'warning' },
  { key: 'succeeded', text: '成功', color: 'success' },
  { key: 'dead', text: '失败（死信）', color: 'error' },
  { key: 'cancelled', text: '已取消', color: 'default' },
];

export const TASK_LABELS: Record<string, string> = {
  'invoicing/issue-invoice': '开具发票',
  'invoicing/apply-red-form': '申请红字确认单',
  'invoicing/check-red-form': '查询红字确认单',
  'documents/render-invoice': '生成版式文件',
  'delivery/fan-out-event': '分发事件',
  'delivery/deliver-webhook': '推送 Webhook',
  'delivery/deliver-to-buyer': '交付购买方',
  'delivery/send-invoice-email': '发送邮件',
  'delivery/send-invoice-sms': '发送短信',
  'scan/issue-order': '扫码订单开票',
  'scan/invoice-settled': '扫码订单结果',
  'audit/seal-chains': '审计日志上链',
};

const yesNo = (v: boolean, yes = '已配置', no = '未配置') => (v ? <Tag color="success">{yes}</Tag> : <Tag>{no}</Tag>);

function uptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d} 天 ${h} 小时` : h > 0 ? `${h} 小时 ${m} 分` : `${m} 分钟`;
}

/** 系统: version and health, configuration summary (no secrets), the job queue by task and state, dead jobs. */
export default function SystemPage() {
  const { data: session } = useSession();
  const manage = can(session, 'system.manage');
  const message = useToast();
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: ['/api/v1/system'], queryFn: () => get<SystemInfo>('/api/v1/system') });
  const dead = useQuery({
    queryKey: ['/api/v1/jobs', 'dead'],
    queryFn: () => get<Page<Job>>('/api/v1/jobs', { state: 'dead', limit: 50 }),
  });
  const reload = () => {
    void queryClient.invalidateQueries({ queryKey: ['/api/v1/system'] });
    void queryClient.invalidateQueries({ queryKey: ['/api/v1/jobs'] });
  };
  const retry = async (job: Job) => {
    try {
      await post(`/api/v1/jobs/${encodeURIComponent(job.id)}/retry`);
      void message.success('已重新排队');
      reload();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  const tasks = [...new Set(q.data?.jobs.byTask.map((r) => r.task) ?? [])];
  const rows = tasks.map((task) => ({
    task,
    ...Object.fromEntries(
      (q.data?.jobs.byTask ?? []).filter((r) => r.task === task).map((r) => [r.state, r.count] as const),
    ),
  })) as ({ task: string } & Record<string, number | undefined>)[];
  const c = q.data?.config;

  return (
    <PageState loading={q.isLoading} error={q.error} onRetry={() => void q.refetch()}>
      {q.data && c && (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Row gutter={16}>
            <Col xs={24} xl={10}>
              <Card
                title="运行状态"
                style={{ height: '100%' }}
                extra={
                  <Button icon={<ReloadOutlined />} onClick={reload}>
                    刷新
                  </Button>
                }
              >
                <Descriptions column={1} size="small">
                  <Descriptions.Item label="健康">
                    <Tag color={q.data.health.status === 'ok' ? 'success' : 'error'} data-testid="system-health">
                      {q.data.health.status === 'ok' ? '正常' : '异常'}
                    </Tag>
                    数据库 {q.data.health.database === 'ok' ? '正常' : '无法连接'} · 迁移{' '}
                    {q.data.health.migrations === 'ok'
                      ? '已是最新'
                      : q.data.health.migrations === 'pending'
                        ? '待执行'
                        : '未知'}
                  </Descriptions.Item>
                  <Descriptions.Item label="版本">OpenFapiao {q.data.version}</Descriptions.Item>
                  <Descriptions.Item label="Node.js">{q.data.node}</Descriptions.Item>
                  <Descriptions.Item label="节点角色">{q.data.role}</Descriptions.Item>
                  <Descriptions.Item label="已运行">{uptime(q.data.uptimeSeconds)}</Descriptions.Item>
                  <Descriptions.Item label="用户 / 销方">
                    {q.data.counts.users} / {q.data.counts.orgs}
                  </Descriptions.Item>
                  <Descriptions.Item label="统计时间">{dateTime(q.data.asOf)}</Descriptions.Item>
                </Descriptions>
              </Card>
            </Col>
            <Col xs={24} xl={14}>
              <Card
                title="配置摘要"
                extra={<span className="ofp-secondary">不含任何密钥</span>}
                style={{ height: '100%' }}
              >
                <Descriptions column={{ xs: 1, md: 2 }} size="small">
                  <Descriptions.Item label="数据库">
                    {c.database.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'}
                    {c.database.poolSize !== null ? `（连接池 ${c.database.poolSize}）` : ''}
                  </Descriptions.Item>
                  <Descriptions.Item label="位置">{c.database.location}</Descriptions.Item>
                  <Descriptions.Item label="对外地址">{c.publicUrl}</Descriptions.Item>
                  <Descriptions.Item label="开票通道">{c.channel === 'sandbox' ? '沙箱' : c.channel}</Descriptions.Item>
                  <Descriptions.Item label="文件存储">{c.blobStore === 'fs' ? '文件系统' : '数据库'}</Descriptions.Item>
                  <Descriptions.Item label="邮件">
                    {c.mail.transport === 'smtp' ? `SMTP ${c.mail.server}` : '本地发件箱（不外发）'}
                  </Descriptions.Item>
                  <Descriptions.Item label="短信">
                    {c.sms.transport === 'http' ? `HTTP 网关 ${c.sms.server}` : '本地发件箱（不外发）'}
                  </Descriptions.Item>
                  <Descriptions.Item label="密钥加密">{yesNo(c.secretEncryption)}</Descriptions.Item>
                  <Descriptions.Item label="下载链接签名">{yesNo(c.downloadLinkSigningKey)}</Descriptions.Item>
                  <Descriptions.Item label="/metrics">{yesNo(c.metricsProtected, '需令牌', '公开')}</Descriptions.Item>
                  <Descriptions.Item label="API 文档">{yesNo(c.apiDocs, '开启', '关闭')}</Descriptions.Item>
                  <Descriptions.Item label="会话超时">
                    空闲 {c.sessionIdleMinutes} 分钟，最长 {c.sessionAbsoluteHours} 小时
                  </Descriptions.Item>
                  <Descriptions.Item label="登录锁定">
                    失败 {c.loginMaxFailuresPerUser} 次锁定 {c.loginLockoutMinutes} 分钟
                  </Descriptions.Item>
                  <Descriptions.Item label="任务">
                    并发 {c.jobConcurrency}，保留 {c.jobRetentionDays} 天
                  </Descriptions.Item>
                </Descriptions>
              </Card>
            </Col>
          </Row>
          <Card title="任务队列" data-testid="job-queue">
            <Space wrap style={{ marginBottom: 16 }}>
              {STATES.map((s) => (
                <Tag key={s.key} color={s.color}>
                  {s.text} {q.data.jobs.byState[s.key] ?? 0}
                </Tag>
              ))}
            </Space>
            {rows.length === 0 ? (
              <PageState empty emptyText="队列中没有任务" />
            ) : (
              <Table
                rowKey="task"
                size="small"
                pagination={false}
                dataSource={rows}
                scroll={{ x: 'max-content' }}
                columns={[
                  {
                    title: '任务',
                    dataIndex: 'task',
                    render: (t: string) => (
                      <>
                        {TASK_LABELS[t] ?? t} <span className="ofp-secondary">{t}</span>
                      </>
                    ),
                  },
                  ...STATES.map((s) => ({
                    title: s.text,
                    dataIndex: s.key,
                    align: 'right' as const,
                    render: (n: number | undefined) =>
                      n ? (
                        s.key === 'dead' ? (
                          <Tag color="error">{n}</Tag>
                        ) : (
                          n
                        )
                      ) : (
                        <span className="ofp-secondary">0</span>
                      ),
                  })),
                ]}
              />
            )}
          </Card>
          <Card title="失败任务（死信）">
            <PageState
              loading={dead.isLoading}
              error={dead.error}
              onRetry={() => void dead.refetch()}
              empty={dead.data?.items.length === 0}
              emptyText="没有失败的任务"
            >
              <Table<Job>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={dead.data?.items ?? []}
                scroll={{ x: 'max-content' }}
                columns={cutColumns<Job>([
                  { title: '任务', dataIndex: 'task', render: (t: string) => TASK_LABELS[t] ?? t },
                  { title: '任务 ID', dataIndex: 'id' },
                  { title: '尝试', render: (_, j) => `${j.attempts}/${j.maxAttempts}` },
                  { title: '最后错误', dataIndex: 'lastError', width: 360, ellipsis: true, render: (e) => e ?? '—' },
                  { title: '更新时间', dataIndex: 'updatedAt', render: dateTime },
                  ...(manage
                    ? [
                        {
                          title: '操作',
                          render: (_: unknown, j: Job) => (
                            <Button size="small" onClick={() => void retry(j)}>
                              重试
                            </Button>
                          ),
                        },
                      ]
                    : []),
                ])}
              />
            </PageState>
          </Card>
        </Space>
      )}
    </PageState>
  );
}
