import {
  CopyOutlined,
  DownloadOutlined,
  RedoOutlined,
  SendOutlined,
  StopOutlined,
  UndoOutlined,
} from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { errorMessage, get, post } from '../api';
import { dateTime, money, ORIGIN_LABELS, STATUS_LABELS } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';
import type { Invoice, InvoiceLine } from '../types';
import { PageState } from './PageState';

const RED_REASONS = [
  { value: '01', label: '01 开票有误' },
  { value: '02', label: '02 销货退回' },
  { value: '03', label: '03 服务中止' },
  { value: '04', label: '04 销售折让' },
];

interface Delivery {
  id: string;
  channel: string;
  recipient: string;
  trigger: string;
  status: string;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

const newSerial = (prefix: string) =>
  `${prefix}${Date.now().toString(36).toUpperCase()}${Math.random().toString(36).slice(2, 6).toUpperCase()}`;

/** 发票详情: parties, lines, PDF preview, history, and the actions the API offers for the invoice's state. */
export function InvoiceDrawer({ serialNo, onClose }: { serialNo: string | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const message = useToast();
  const { data: session } = useSession();
  const [action, setAction] = useState<'red' | 'deliver' | null>(null);
  const q = useQuery({
    queryKey: ['invoice', serialNo],
    queryFn: () => get<Invoice>(`/api/v1/invoices/${encodeURIComponent(serialNo!)}`),
    enabled: serialNo !== null,
  });
  const deliveries = useQuery({
    queryKey: ['invoice-deliveries', serialNo],
    queryFn: () => get<{ items: Delivery[] }>(`/api/v1/invoices/${encodeURIComponent(serialNo!)}/deliveries`),
    enabled: serialNo !== null,
  });
  const inv = q.data;
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['invoice', serialNo] });
    void queryClient.invalidateQueries({ queryKey: ['invoices'] });
    void queryClient.invalidateQueries({ queryKey: ['invoice-deliveries', serialNo] });
  };
  const run = async (label: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      void message.success(label);
      refresh();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  const copyLink = () =>
    run('下载链接已复制', async () => {
      const links = await get<{ pdf: string; expiresAt: string }>(
        `/api/v1/invoices/${encodeURIComponent(inv!.serialNo)}/links`,
      );
      await navigator.clipboard.writeText(links.pdf);
    });

  const issued = inv?.files != null;
  const canRed = inv && !inv.isRed && (inv.status === 'issued' || inv.status === 'partially_reversed');

  return (
    <Drawer
      open={serialNo !== null}
      onClose={onClose}
      width={960}
      title={inv ? `发票详情 · ${inv.serialNo}` : '发票详情'}
      rootClassName="invoice-drawer"
      extra={
        inv && (
          <Space wrap>
            {issued &&
              (['pdf', 'ofd', 'xml'] as const).map((f) => (
                <Button key={f} icon={<DownloadOutlined />} href={inv.files![f]} download>
                  {f.toUpperCase()}
                </Button>
              ))}
            {issued && (
              <Button icon={<CopyOutlined />} onClick={() => void copyLink()}>
                复制下载链接
              </Button>
            )}
            {issued && can(session, 'invoices.deliver') && (
              <Button icon={<SendOutlined />} onClick={() => setAction('deliver')}>
                重新交付
              </Button>
            )}
            {canRed && can(session, 'invoices.red') && (
              <Button danger icon={<UndoOutlined />} onClick={() => setAction('red')}>
                红冲
              </Button>
            )}
            {inv.status === 'failed' && can(session, 'invoices.issue') && (
              <>
                <Button
                  icon={<RedoOutlined />}
                  onClick={() =>
                    void run('已重新提交', () => post(`/api/v1/invoices/${encodeURIComponent(inv.serialNo)}/retry`))
                  }
                >
                  重试
                </Button>
                <Popconfirm
                  title="取消这张未开具的发票？"
                  onConfirm={() =>
                    run('已取消', () => post(`/api/v1/invoices/${encodeURIComponent(inv.serialNo)}/cancel`))
                  }
                >
                  <Button icon={<StopOutlined />}>取消</Button>
                </Popconfirm>
              </>
            )}
          </Space>
        )
      }
    >
      <PageState loading={q.isPending && serialNo !== null} error={q.error} onRetry={() => void q.refetch()}>
        {inv && (
          <Tabs
            items={[
              {
                key: 'detail',
                label: '详情',
                children: <Detail inv={inv} />,
              },
              {
                key: 'pdf',
                label: 'PDF 预览',
                disabled: !issued,
                children: issued && (
                  <iframe
                    title="发票 PDF"
                    src={inv.files!.pdf}
                    style={{ width: '100%', height: '70vh', border: '1px solid #f0f0f0' }}
                  />
                ),
              },
              {
                key: 'history',
                label: '历史',
                children: <History inv={inv} deliveries={deliveries.data?.items ?? []} />,
              },
            ]}
          />
        )}
      </PageState>
      {inv && action === 'red' && (
        <RedModal
          inv={inv}
          onClose={() => setAction(null)}
          onDone={() => {
            setAction(null);
            refresh();
          }}
        />
      )}
      {inv && action === 'deliver' && (
        <DeliverModal
          inv={inv}
          onClose={() => setAction(null)}
          onDone={() => {
            setAction(null);
            refresh();
          }}
        />
      )}
    </Drawer>
  );
}

function Detail({ inv }: { inv: Invoice }) {
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      {inv.failure && (
        <Typography.Text type="danger">
          失败原因：{inv.failure.reason}（{inv.failure.code}）
        </Typography.Text>
      )}
      <Descriptions bordered size="small" column={2}>
        <Descriptions.Item label="状态">
          <Tag color={STATUS_LABELS[inv.status]?.color}>{STATUS_LABELS[inv.status]?.text ?? inv.status}</Tag>
          {inv.isRed && <Tag color="red">红字</Tag>}
        </Descriptions.Item>
        <Descriptions.Item label="票种">{inv.kindName}</Descriptions.Item>
        <Descriptions.Item label="发票号码">{inv.number ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="开票时间">{dateTime(inv.issuedAt)}</Descriptions.Item>
        <Descriptions.Item label="购买方">
          {inv.buyer.name}
          <br />
          {inv.buyer.taxId ?? ''}
        </Descriptions.Item>
        <Descriptions.Item label="销售方">
          {inv.seller.name}
          <br />
          {inv.seller.taxId ?? ''}
        </Descriptions.Item>
        <Descriptions.Item label="合计金额">¥{money(inv.totals.amount)}</Descriptions.Item>
        <Descriptions.Item label="合计税额">¥{money(inv.totals.tax)}</Descriptions.Item>
        <Descriptions.Item label="价税合计" span={2}>
          ¥{money(inv.totals.total)}（{inv.totals.totalInWords}）
        </Descriptions.Item>
        <Descriptions.Item label="来源">{ORIGIN_LABELS[inv.origin] ?? inv.origin}</Descriptions.Item>
        <Descriptions.Item label="业务系统">{inv.businessSystemCode ?? '—'}</Descriptions.Item>
        {inv.red && (
          <Descriptions.Item label="蓝字发票" span={2}>
            {inv.red.blueSerialNo} {inv.red.blueNumber ?? ''}（红冲原因 {inv.red.reason}，确认单 {inv.red.formNo ?? '—'}{' '}
            {inv.red.formStatus ?? ''}）
          </Descriptions.Item>
        )}
        <Descriptions.Item label="备注" span={2}>
          {inv.remark ?? '—'}
        </Descriptions.Item>
      </Descriptions>
      <Table<InvoiceLine>
        size="small"
        rowKey="lineNo"
        pagination={false}
        dataSource={inv.lines}
        columns={[
          { title: '序号', dataIndex: 'lineNo', width: 60 },
          {
            title: '项目名称',
            dataIndex: 'name',
            render: (name: string, l) => (
              <>
                {name} {l.lineNature === 'discount' && <Tag>折扣行</Tag>}
                {l.lineNature === 'discounted' && <Tag>被折扣行</Tag>}
              </>
            ),
          },
          { title: '规格型号', dataIndex: 'spec', render: (v) => v ?? '' },
          { title: '单位', dataIndex: 'unit', render: (v) => v ?? '' },
          { title: '数量', dataIndex: 'quantity', align: 'right', render: (v) => v ?? '' },
          { title: '单价', dataIndex: 'unitPrice', align: 'right', render: (v) => v ?? '' },
          { title: '金额', dataIndex: 'amount', align: 'right', render: money },
          { title: '税率', dataIndex: 'taxRateLabel', align: 'right' },
          { title: '税额', dataIndex: 'taxAmount', align: 'right', render: money },
        ]}
      />
    </Space>
  );
}

function History({ inv, deliveries }: { inv: Invoice; deliveries: Delivery[] }) {
  const events = [
    { at: inv.createdAt, text: '收到开票请求' },
    ...(inv.issuedAt ? [{ at: inv.issuedAt, text: `开具成功，发票号码 ${inv.number ?? ''}` }] : []),
    ...(inv.failure ? [{ at: inv.updatedAt, text: `开具失败：${inv.failure.reason}` }] : []),
    ...deliveries.map((d) => ({
      at: d.sentAt ?? d.createdAt,
      text: `${d.channel === 'email' ? '邮件' : '短信'}交付 ${d.recipient}：${d.status}${d.lastError ? `（${d.lastError}）` : ''}`,
    })),
    ...inv.reds.map((r) => ({
      at: inv.updatedAt,
      text: `红字发票 ${r.serialNo}（${STATUS_LABELS[r.status]?.text ?? r.status}）¥${money(r.total)}`,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <Timeline items={events.map((e) => ({ children: `${dateTime(e.at)}　${e.text}` }))} style={{ marginTop: 16 }} />
  );
}

function RedModal({ inv, onClose, onDone }: { inv: Invoice; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm();
  const message = useToast();
  const [saving, setSaving] = useState(false);
  const mode = Form.useWatch('mode', form) ?? 'full';
  const submit = async () => {
    const v = await form.validateFields();
    const lines =
      v.mode === 'partial'
        ? inv.lines
            .filter((l) => v[`line${l.lineNo}`])
            .map((l) => ({ lineNo: l.lineNo, amount: `-${String(v[`line${l.lineNo}`]).replace(/^-/, '')}` }))
        : undefined;
    setSaving(true);
    try {
      const red = await post<Invoice>(`/api/v1/invoices/${encodeURIComponent(inv.serialNo)}/red?wait=10`, {
        redSerialNo: newSerial('RED'),
        reason: v.reason,
        ...(lines ? { lines } : {}),
      });
      void message.success(`红字发票 ${red.serialNo}：${STATUS_LABELS[red.status]?.text ?? red.status}`);
      onDone();
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open
      title="红冲"
      okText="提交红冲"
      okButtonProps={{ danger: true }}
      onOk={submit}
      onCancel={onClose}
      confirmLoading={saving}
      width={640}
    >
      <Form form={form} layout="vertical" initialValues={{ mode: 'full', reason: '01' }}>
        <Form.Item name="mode" label="方式">
          <Radio.Group
            options={[
              { value: 'full', label: '全额红冲' },
              { value: 'partial', label: '部分红冲' },
            ]}
          />
        </Form.Item>
        <Form.Item name="reason" label="红冲原因" rules={[{ required: true }]}>
          <Select options={RED_REASONS} />
        </Form.Item>
        {mode === 'partial' &&
          inv.lines
            .filter((l) => l.lineNature !== 'discount')
            .map((l) => (
              <Form.Item
                key={l.lineNo}
                name={`line${l.lineNo}`}
                label={`第 ${l.lineNo} 行 ${l.name}（金额 ¥${money(l.amount)}）红冲金额（不含税）`}
                rules={[{ pattern: /^\d{1,13}(\.\d{1,2})?$/, message: '请输入金额，如 100.00' }]}
              >
                <Input placeholder="不填则不红冲该行" />
              </Form.Item>
            ))}
      </Form>
    </Modal>
  );
}

function DeliverModal({ inv, onClose, onDone }: { inv: Invoice; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ email?: string; mobile?: string }>();
  const message = useToast();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    if (!v.email && !v.mobile) {
      void message.warning('请填写邮箱或手机号');
      return;
    }
    setSaving(true);
    try {
      await post(`/api/v1/invoices/${encodeURIComponent(inv.serialNo)}/deliver`, {
        ...(v.email ? { email: v.email } : {}),
        ...(v.mobile ? { mobile: v.mobile } : {}),
      });
      void message.success('已提交交付');
      onDone();
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open title="重新交付发票" okText="发送" onOk={submit} onCancel={onClose} confirmLoading={saving}>
      <Form form={form} layout="vertical">
        <Form.Item name="email" label="收票邮箱" rules={[{ type: 'email', message: '邮箱格式不正确' }]}>
          <Input />
        </Form.Item>
        <Form.Item name="mobile" label="收票手机号" rules={[{ pattern: /^1\d{10}$/, message: '手机号格式不正确' }]}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}
