import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, errorMessage, get, post } from '../../api';
import { ActionModal } from '../../components/ActionModal';
import { FilteredList, optionsOf } from '../../components/FilteredList';
import { PageState } from '../../components/PageState';
import { dateTime } from '../../format';
import { can, useSession } from '../../session';
import { useToast } from '../../toast';

interface CollectionAddress {
  id: string;
  ownerType: 'org' | 'user';
  ownerId: string;
  ownerName: string;
  address: string | null;
  localPart: string;
  createdAt: string;
  rotatedAt: string | null;
}

interface Mailbox {
  id: string;
  name: string | null;
  buyerOrgId: string | null;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  folder: string;
  pollIntervalSeconds: number;
  afterImport: 'move' | 'flag' | 'none';
  moveTo: string | null;
  enabled: boolean;
  lastPoll: { at: string; ok: boolean; error: string | null; count: number } | null;
  polling: boolean;
}

interface MailFile {
  origin: 'attachment' | 'link';
  name: string;
  result: string;
  sha256?: string;
  itemIds?: string[];
  reason?: string;
  error?: { code: string; message: string };
}

interface ReceivedMail {
  id: string;
  channel: 'smtp' | 'imap';
  from: string | null;
  subject: string | null;
  receivedAt: string;
  outcome: string;
  detail: { files: MailFile[]; ignoredLinks?: number; duplicateOf?: string | null; error?: string } | null;
}

const AFTER_IMPORT: Record<Mailbox['afterImport'], string> = {
  flag: '标记为已读并加星标',
  move: '移动到文件夹',
  none: '不处理',
};

export const OUTCOME_LABELS: Record<string, { text: string; color: string }> = {
  pending: { text: '导入中', color: 'processing' },
  imported: { text: '已导入', color: 'success' },
  no_invoice: { text: '无发票', color: 'default' },
  failed: { text: '失败', color: 'error' },
  duplicate: { text: '重复邮件', color: 'warning' },
};

const FILE_RESULTS: Record<string, { text: string; color: string }> = {
  imported: { text: '已导入', color: 'success' },
  already_received: { text: '已收过', color: 'default' },
  not_invoice: { text: '不是发票', color: 'warning' },
  ocr_pending: { text: '待识别', color: 'processing' },
  skipped: { text: '已跳过', color: 'default' },
  refused: { text: '链接被拒绝', color: 'error' },
  failed: { text: '下载失败', color: 'error' },
};

const MAIL_COLUMNS: ColumnsType<ReceivedMail> = [
  { key: 'receivedAt', title: '接收时间', dataIndex: 'receivedAt', render: dateTime, width: 170 },
  { key: 'channel', title: '渠道', dataIndex: 'channel', render: (c: string) => (c === 'imap' ? 'IMAP' : '收票地址') },
  { key: 'from', title: '发件人', dataIndex: 'from', render: (v) => v ?? '—', ellipsis: true, width: 220 },
  { key: 'subject', title: '主题', dataIndex: 'subject', render: (v) => v ?? '—', ellipsis: true, width: 220 },
  {
    key: 'outcome',
    title: '结果',
    dataIndex: 'outcome',
    render: (o: string, m) => (
      <Space direction="vertical" size={0}>
        <Tag color={OUTCOME_LABELS[o]?.color} data-testid="mail-outcome">
          {OUTCOME_LABELS[o]?.text ?? o}
        </Tag>
        {m.detail?.error && <Typography.Text type="danger">{m.detail.error}</Typography.Text>}
      </Space>
    ),
  },
  {
    key: 'files',
    title: '附件与链接',
    render: (_, m) =>
      m.detail && m.detail.files.length > 0 ? (
        <Space direction="vertical" size={2}>
          {m.detail.files.map((f) => (
            <Space key={`${f.origin}:${f.name}:${f.sha256 ?? f.result}`} size={4} wrap>
              <Typography.Text ellipsis style={{ maxWidth: 240 }} title={f.name}>
                {f.origin === 'link' ? '🔗 ' : ''}
                {f.name}
              </Typography.Text>
              <Tag color={FILE_RESULTS[f.result]?.color} title={f.error?.message ?? f.reason}>
                {FILE_RESULTS[f.result]?.text ?? f.result}
              </Tag>
              {f.itemIds?.map((id) => (
                <Link key={id} to={`/received/invoices/${encodeURIComponent(id)}`}>
                  查看
                </Link>
              ))}
            </Space>
          ))}
        </Space>
      ) : (
        <Typography.Text type="secondary">—</Typography.Text>
      ),
  },
];

/** The mailbox form's values → the API body (password only when typed: empty keeps the stored one). */
function mailboxBody(v: Record<string, unknown>, creating: boolean) {
  const password = String(v.password ?? '');
  return {
    name: String(v.name ?? '').trim() || null,
    buyerOrgId: (v.buyerOrgId as string | undefined) ?? null,
    host: String(v.host).trim(),
    port: Number(v.port),
    secure: Boolean(v.secure),
    user: String(v.user).trim(),
    ...(password || creating ? { password } : {}),
    folder: String(v.folder).trim(),
    pollIntervalSeconds: Number(v.pollIntervalSeconds),
    afterImport: v.afterImport as Mailbox['afterImport'],
    moveTo: v.afterImport === 'move' ? String(v.moveTo ?? '').trim() || null : null,
    enabled: Boolean(v.enabled),
  };
}

/** 收票邮箱: the collection addresses (built-in receiver), IMAP mailboxes, and recent mails with their outcome. */
export default function MailboxesPage() {
  const { data: session } = useSession();
  const manage = can(session, 'received.manage');
  const queryClient = useQueryClient();
  const message = useToast();
  const [editing, setEditing] = useState<Mailbox | 'new' | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const addresses = useQuery({
    queryKey: ['received-addresses'],
    queryFn: () =>
      get<{ receiverEnabled: boolean; domain: string | null; items: CollectionAddress[] }>(
        '/api/v1/received-addresses',
      ),
  });
  const mailboxes = useQuery({
    queryKey: ['received-mailboxes'],
    queryFn: () => get<{ items: Mailbox[] }>('/api/v1/received-mailboxes'),
  });
  const orgs = (addresses.data?.items ?? []).filter((a) => a.ownerType === 'org');
  const orgName = (id: string | null) => orgs.find((o) => o.ownerId === id)?.ownerName ?? null;
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['received-mailboxes'] });
    void queryClient.invalidateQueries({ queryKey: ['/api/v1/received-mails'] });
  };
  const act = async (key: string, fn: () => Promise<void>) => {
    setBusy(key);
    try {
      await fn();
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(null);
      refresh();
    }
  };
  const current = editing === 'new' ? null : editing;

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card title="收票地址">
        <Typography.Paragraph type="secondary">
          供应商把发票发到这些地址（或把收票邮箱的邮件转发过来），附件中的 PDF、OFD、XML、ZIP
          和图片会自动进入收票箱；正文中税务平台的下载链接也会被下载。
        </Typography.Paragraph>
        {addresses.data && !addresses.data.receiverEnabled && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            message="内置收信服务未启用"
            description="管理员设置 COLLECT_SMTP_PORT 和 COLLECT_MAIL_DOMAIN（并把域名的 MX 指向本服务器或配置转发）后，这些地址即可收信。"
          />
        )}
        <PageState
          loading={addresses.isLoading}
          error={addresses.error}
          onRetry={() => void addresses.refetch()}
          empty={addresses.data?.items.length === 0}
          emptyText="还没有组织或用户"
        >
          <Table<CollectionAddress>
            data-testid="collection-addresses"
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={addresses.data?.items ?? []}
            columns={[
              {
                title: '归属',
                render: (_, a) => (
                  <Space>
                    <Tag>{a.ownerType === 'org' ? '组织' : '用户'}</Tag>
                    {a.ownerName}
                  </Space>
                ),
              },
              {
                title: '收票地址',
                render: (_, a) =>
                  a.address ? (
                    <Typography.Text copyable data-testid="collection-address">
                      {a.address}
                    </Typography.Text>
                  ) : (
                    <Typography.Text type="secondary">{a.localPart}@（未配置域名）</Typography.Text>
                  ),
              },
              { title: '更换时间', dataIndex: 'rotatedAt', render: (v: string | null) => (v ? dateTime(v) : '—') },
              {
                title: '操作',
                render: (_, a) =>
                  manage && (
                    <Popconfirm
                      title="更换后旧地址立即失效，确定更换？"
                      onConfirm={() =>
                        act(`rotate-${a.id}`, async () => {
                          await post(`/api/v1/received-addresses/${encodeURIComponent(a.id)}/rotate`);
                          void message.success('已更换收票地址');
                          void queryClient.invalidateQueries({ queryKey: ['received-addresses'] });
                        })
                      }
                    >
                      <Button size="small" loading={busy === `rotate-${a.id}`}>
                        更换地址
                      </Button>
                    </Popconfirm>
                  ),
              },
            ]}
          />
        </PageState>
      </Card>

      <Card
        title="IMAP 邮箱"
        extra={
          manage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="mailbox-add">
              添加邮箱
            </Button>
          )
        }
      >
        <Typography.Paragraph type="secondary">
          定期登录已有的收票邮箱（如财务邮箱）收取发票邮件；每封邮件只导入一次。密码加密保存，不会再显示。
        </Typography.Paragraph>
        <PageState
          loading={mailboxes.isLoading}
          error={mailboxes.error}
          onRetry={() => void mailboxes.refetch()}
          empty={mailboxes.data?.items.length === 0}
          emptyText="还没有 IMAP 邮箱"
        >
          <Table<Mailbox>
            data-testid="mailboxes"
            rowKey="id"
            size="small"
            pagination={false}
            scroll={{ x: 'max-content' }}
            dataSource={mailboxes.data?.items ?? []}
            columns={[
              { title: '名称', render: (_, m) => m.name ?? m.user },
              {
                title: '服务器',
                render: (_, m) => (
                  <Space size={4}>
                    {`${m.host}:${m.port}`}
                    {m.secure && <Tag>TLS</Tag>}
                  </Space>
                ),
              },
              { title: '账号', dataIndex: 'user' },
              { title: '文件夹', dataIndex: 'folder' },
              { title: '归属组织', render: (_, m) => orgName(m.buyerOrgId) ?? '—' },
              { title: '间隔', render: (_, m) => `${Math.round(m.pollIntervalSeconds / 60)} 分钟` },
              {
                title: '导入后',
                render: (_, m) => (m.afterImport === 'move' ? `移动到 ${m.moveTo}` : AFTER_IMPORT[m.afterImport]),
              },
              {
                title: '启用',
                render: (_, m) => (
                  <Switch
                    checked={m.enabled}
                    disabled={!manage}
                    aria-label={`启用 ${m.name ?? m.user}`}
                    onChange={(enabled) =>
                      act(`toggle-${m.id}`, async () => {
                        await api('PATCH', `/api/v1/received-mailboxes/${encodeURIComponent(m.id)}`, { enabled });
                      })
                    }
                  />
                ),
              },
              {
                title: '上次收取',
                render: (_, m) =>
                  m.lastPoll ? (
                    <Space direction="vertical" size={0} data-testid="last-poll">
                      <span>{dateTime(m.lastPoll.at)}</span>
                      {m.lastPoll.ok ? (
                        <Tag color="success">成功，{m.lastPoll.count} 封</Tag>
                      ) : (
                        <Typography.Text type="danger">{m.lastPoll.error}</Typography.Text>
                      )}
                    </Space>
                  ) : (
                    <Typography.Text type="secondary">尚未收取</Typography.Text>
                  ),
              },
              {
                title: '操作',
                fixed: 'right',
                render: (_, m) =>
                  manage && (
                    <Space>
                      <Button size="small" onClick={() => setEditing(m)}>
                        编辑
                      </Button>
                      <Button
                        size="small"
                        loading={busy === `test-${m.id}`}
                        onClick={() =>
                          act(`test-${m.id}`, async () => {
                            const r = await post<{ ok: boolean; error: string | null; messages: number | null }>(
                              `/api/v1/received-mailboxes/${encodeURIComponent(m.id)}/test`,
                            );
                            if (r.ok) void message.success(`连接成功，文件夹中有 ${r.messages ?? 0} 封邮件`);
                            else void message.error(`连接失败：${r.error}`);
                          })
                        }
                      >
                        测试连接
                      </Button>
                      <Button
                        size="small"
                        loading={busy === `poll-${m.id}`}
                        data-testid="mailbox-poll"
                        onClick={() =>
                          act(`poll-${m.id}`, async () => {
                            const r = await post<Mailbox>(
                              `/api/v1/received-mailboxes/${encodeURIComponent(m.id)}/poll`,
                            );
                            if (r.lastPoll?.ok) void message.success(`已收取 ${r.lastPoll.count} 封邮件`);
                            else void message.error(`收取失败：${r.lastPoll?.error ?? ''}`);
                          })
                        }
                      >
                        立即收取
                      </Button>
                      <Popconfirm
                        title="删除这个邮箱？已导入的发票不受影响。"
                        onConfirm={() =>
                          act(`delete-${m.id}`, async () => {
                            await api('DELETE', `/api/v1/received-mailboxes/${encodeURIComponent(m.id)}`);
                            void message.success('已删除');
                          })
                        }
                      >
                        <Button size="small" danger>
                          删除
                        </Button>
                      </Popconfirm>
                    </Space>
                  ),
              },
            ]}
          />
        </PageState>
      </Card>

      <FilteredList<ReceivedMail>
        title="最近邮件"
        path="/api/v1/received-mails"
        rowKey="id"
        testId="received-mails"
        columns={MAIL_COLUMNS}
        filterKeys={['channel', 'outcome']}
        emptyText="还没有收到邮件"
        extra={
          <Button onClick={refresh} data-testid="mails-refresh">
            刷新
          </Button>
        }
        fields={
          <>
            <Form.Item name="channel" label="渠道">
              <Select allowClear style={{ width: 120 }} options={optionsOf({ smtp: '收票地址', imap: 'IMAP' })} />
            </Form.Item>
            <Form.Item name="outcome" label="结果">
              <Select
                allowClear
                style={{ width: 120 }}
                options={Object.entries(OUTCOME_LABELS).map(([value, l]) => ({ value, label: l.text }))}
              />
            </Form.Item>
          </>
        }
      />

      {editing !== null && (
        <ActionModal
          title={current ? `编辑邮箱 ${current.name ?? current.user}` : '添加 IMAP 邮箱'}
          okText="保存"
          initialValues={
            current
              ? { ...current, password: '' }
              : {
                  port: 993,
                  secure: true,
                  folder: 'INBOX',
                  pollIntervalSeconds: 300,
                  afterImport: 'flag',
                  enabled: true,
                }
          }
          onClose={() => setEditing(null)}
          fields={<MailboxFields creating={current === null} orgs={orgs} />}
          run={async (v) => {
            const body = mailboxBody(v, current === null);
            if (current) {
              await api('PATCH', `/api/v1/received-mailboxes/${encodeURIComponent(current.id)}`, body);
            } else {
              await post('/api/v1/received-mailboxes', body);
            }
            setEditing(null);
            void message.success('已保存');
            refresh();
          }}
        />
      )}
    </Space>
  );
}

function MailboxFields({ creating, orgs }: { creating: boolean; orgs: CollectionAddress[] }) {
  return (
    <>
      <Form.Item name="name" label="名称">
        <Input maxLength={100} placeholder="财务收票邮箱" />
      </Form.Item>
      <Space wrap>
        <Form.Item name="host" label="IMAP 服务器" rules={[{ required: true, message: '请填写服务器地址' }]}>
          <Input maxLength={253} placeholder="imap.example.com" style={{ width: 240 }} />
        </Form.Item>
        <Form.Item name="port" label="端口" rules={[{ required: true, message: '请填写端口' }]}>
          <InputNumber min={1} max={65535} />
        </Form.Item>
        <Form.Item name="secure" label=" " valuePropName="checked">
          <Checkbox>SSL/TLS</Checkbox>
        </Form.Item>
      </Space>
      <Form.Item name="user" label="账号" rules={[{ required: true, message: '请填写账号' }]}>
        <Input maxLength={320} autoComplete="off" />
      </Form.Item>
      <Form.Item
        name="password"
        label="密码（或授权码）"
        extra={creating ? undefined : '不填则保持原密码'}
        rules={creating ? [{ required: true, message: '请填写密码' }] : []}
      >
        <Input.Password maxLength={1000} autoComplete="new-password" />
      </Form.Item>
      <Space wrap>
        <Form.Item name="folder" label="文件夹" rules={[{ required: true, message: '请填写文件夹' }]}>
          <Input maxLength={200} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="pollIntervalSeconds" label="收取间隔（秒）">
          <InputNumber min={60} max={86400} step={60} />
        </Form.Item>
      </Space>
      <Form.Item name="buyerOrgId" label="归属组织" extra="收到的发票记在这个组织名下；不选则按发票上的购买方识别">
        <Select allowClear options={orgs.map((o) => ({ value: o.ownerId, label: o.ownerName }))} />
      </Form.Item>
      <Form.Item name="afterImport" label="导入后">
        <Select options={Object.entries(AFTER_IMPORT).map(([value, label]) => ({ value, label }))} />
      </Form.Item>
      <Form.Item noStyle shouldUpdate={(a, b) => a.afterImport !== b.afterImport}>
        {({ getFieldValue }) =>
          getFieldValue('afterImport') === 'move' && (
            <Form.Item name="moveTo" label="移动到文件夹" rules={[{ required: true, message: '请填写目标文件夹' }]}>
              <Input maxLength={200} placeholder="已导入发票" />
            </Form.Item>
          )
        }
      </Form.Item>
      <Form.Item name="enabled" valuePropName="checked">
        <Checkbox>启用定时收取</Checkbox>
      </Form.Item>
    </>
  );
}
