import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, errorMessage, get, post } from '../api';
import { CataloguePicker, catalogueUnitPrice } from '../components/CataloguePicker';
import { PageState } from '../components/PageState';
import { dateTime, kindName, money } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';
import type { CatalogueItem, Org } from '../types';

/** A catalogue item's tax-inclusive unit price when it has at most 2 decimals (a reservation's item price is money). */
const moneyPrice = (item: CatalogueItem) => {
  const p = catalogueUnitPrice(item, true);
  return p && /^\d{1,13}(\.\d{1,2})?$/.test(p) ? p : undefined;
};

interface Line {
  name: string;
  taxCode: string;
  taxRate: string;
  amount: string;
  unit?: string;
  quantity?: string;
  unitPrice?: string;
  priceIncludesTax?: boolean;
}

interface Item {
  name: string;
  taxCode: string;
  taxRate: string;
  unit?: string;
  unitPrice?: string;
}

export interface Reservation {
  id: string;
  seqNo: number;
  seqDate: string;
  status: string;
  qrKey: string;
  qrName: string;
  sellerTaxId: string;
  buyer: { kind: string; buyerType: string; name: string; taxId?: string; address?: string; phone?: string };
  mobile: string | null;
  email: string | null;
  entry: { amount?: string; quantity?: string; unitPrice?: string; remarks: { label: string; value: string }[] };
  enteredTotal: string | null;
  suggestedLines: Line[] | null;
  suggestedRemark: string | null;
  items: Item[];
  allowedKinds: string[];
  issued: { kind: string; lines: Line[]; remark: string | null } | null;
  total: string | null;
  invoice: { serialNo: string; status: string; number: string | null } | null;
  rejectReason: string | null;
  failureReason: string | null;
  expiresAt: string;
  createdAt: string;
}

interface Qr {
  key: string;
  name: string;
  sellerTaxId: string;
  sellerName: string;
  enabled: boolean;
  url: string;
  qrPngUrl: string;
  qrSvgUrl: string;
  config: {
    allowedKinds: string[];
    items: Item[];
    entryMode: 'none' | 'amount' | 'quantity_price';
    fixedAmount: string | null;
    remarkFields: { label: string; required?: boolean }[];
    expiryHours: number;
  };
}

export const RESERVATION_STATUS: Record<string, { text: string; color: string }> = {
  submitted: { text: '待开票', color: 'processing' },
  invoicing: { text: '开票中', color: 'processing' },
  invoiced: { text: '已开具', color: 'success' },
  failed: { text: '开票失败', color: 'error' },
  rejected: { text: '已拒绝', color: 'default' },
  expired: { text: '已过期', color: 'warning' },
};

const ENTRY_MODES: Record<string, string> = {
  amount: '消费者填写金额',
  quantity_price: '消费者填写数量和单价',
  none: '不填写（柜台补全）',
};

const statusTag = (s: string) => <Tag color={RESERVATION_STATUS[s]?.color}>{RESERVATION_STATUS[s]?.text ?? s}</Tag>;

/** Same-origin path of an absolute link of this server. */
const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};

/**
 * The clerk's live list: waits on `/changes` (long poll woken by the server's signal; no polling loop) and bumps the
 * version, which refetches the list.
 */
function useReservationVersion(): number {
  const [version, setVersion] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    let alive = true;
    void (async () => {
      while (alive) {
        try {
          const { version: v } = await get<{ version: number }>('/api/v1/counter/reservations/changes', {
            after: latest.current,
            wait: latest.current === 0 ? 0 : 25,
          });
          if (!alive) return;
          if (v !== latest.current) {
            latest.current = v;
            setVersion(v);
          }
        } catch {
          if (!alive) return;
          await new Promise((r) => setTimeout(r, 5000));
        }
      }
    })();
    return () => {
      alive = false;
    };
  }, []);
  return version;
}

function ReservationList({ canManage }: { canManage: boolean }) {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? undefined;
  const openId = params.get('open');
  const version = useReservationVersion();
  const set = (key: string, value: string | null | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };
  const list = useQuery({
    queryKey: ['reservations', q, status, version],
    queryFn: () =>
      get<{ items: Reservation[]; nextCursor: string | null }>('/api/v1/counter/reservations', {
        q: q || undefined,
        status,
        limit: 100,
      }),
    placeholderData: (prev) => prev,
  });
  const open = list.data?.items.find((r) => r.id === openId) ?? null;
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search
          allowClear
          defaultValue={q}
          placeholder="序号 / 手机号 / 邮箱 / 购买方名称"
          style={{ width: 300 }}
          onSearch={(v) => set('q', v.trim())}
          data-testid="reservation-search"
        />
        <Select
          allowClear
          placeholder="状态"
          style={{ width: 120 }}
          value={status}
          onChange={(v) => set('status', v)}
          options={Object.entries(RESERVATION_STATUS).map(([value, s]) => ({ value, label: s.text }))}
        />
        <Tag color="green">实时更新</Tag>
      </Space>
      <PageState loading={list.isLoading} error={list.error} onRetry={() => list.refetch()}>
        <Table<Reservation>
          rowKey="id"
          size="middle"
          data-testid="reservation-table"
          dataSource={list.data?.items ?? []}
          pagination={false}
          scroll={{ x: 640 }}
          locale={{ emptyText: q ? '没有符合条件的预约单' : '暂无预约单' }}
          onRow={(r) => ({ onClick: () => set('open', r.id), style: { cursor: 'pointer' } })}
          columns={[
            {
              title: '序号',
              dataIndex: 'seqNo',
              width: 80,
              render: (n: number, r) => (
                <span>
                  <Typography.Text strong style={{ fontSize: 18 }}>
                    {n}
                  </Typography.Text>
                  <div className="ofp-secondary" style={{ fontSize: 12 }}>
                    {r.seqDate.slice(5)}
                  </div>
                </span>
              ),
            },
            { title: '购买方', render: (_, r) => r.buyer.name },
            { title: '联系方式', render: (_, r) => [r.mobile, r.email].filter(Boolean).join(' / ') || '—' },
            {
              title: '金额',
              align: 'right',
              render: (_, r) => ((r.total ?? r.enteredTotal) ? money(r.total ?? r.enteredTotal) : '—'),
            },
            { title: '状态', dataIndex: 'status', render: statusTag },
            { title: '提交时间', dataIndex: 'createdAt', render: dateTime },
          ]}
        />
      </PageState>
      <ReservationDrawer reservation={open} canManage={canManage} onClose={() => set('open', null)} />
    </>
  );
}

function ReservationDrawer({
  reservation: r,
  canManage,
  onClose,
}: {
  reservation: Reservation | null;
  canManage: boolean;
  onClose: () => void;
}) {
  const [form] = Form.useForm<{ kind: string; lines: Line[]; remark?: string }>();
  const [busy, setBusy] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const queryClient = useQueryClient();
  const toast = useToast();
  const id = r?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the form is reset when another reservation opens
  useEffect(() => {
    if (!r) return;
    const lines =
      r.issued?.lines ??
      r.suggestedLines ??
      (r.items.length > 0
        ? r.items.map((i) => ({ name: i.name, taxCode: i.taxCode, taxRate: i.taxRate, amount: r.enteredTotal ?? '' }))
        : [{ name: '', taxCode: '', taxRate: '0.06', amount: r.enteredTotal ?? '' }]);
    form.setFieldsValue({
      kind: r.issued?.kind ?? r.buyer.kind,
      lines: lines.map((l) => ({ ...l, priceIncludesTax: true })),
      remark: r.issued?.remark ?? r.suggestedRemark ?? undefined,
    });
  }, [id]);
  if (!r) return <Drawer open={false} />;
  const open = r.status === 'submitted' || r.status === 'failed';
  const issue = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      await post(`/api/v1/counter/reservations/${r.id}/issue`, {
        kind: values.kind,
        lines: values.lines.map((l) => ({
          name: l.name,
          taxCode: l.taxCode,
          taxRate: l.taxRate,
          amount: String(l.amount),
          priceIncludesTax: true,
          ...(l.unit ? { unit: l.unit } : {}),
        })),
        ...(values.remark ? { remark: values.remark } : {}),
      });
      toast.success(`序号 ${r.seqNo} 已提交开票`);
      await queryClient.invalidateQueries({ queryKey: ['reservations'] });
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const reject = async () => {
    setBusy(true);
    try {
      await post(`/api/v1/counter/reservations/${r.id}/reject`, { reason });
      setRejecting(false);
      toast.success('已拒绝');
      await queryClient.invalidateQueries({ queryKey: ['reservations'] });
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Drawer
      open
      onClose={onClose}
      width={Math.min(640, typeof window === 'undefined' ? 640 : window.innerWidth)}
      title={
        <Space>
          <span>序号 {r.seqNo}</span>
          {statusTag(r.status)}
        </Space>
      }
      data-testid="reservation-drawer"
    >
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label="购买方">{r.buyer.name}</Descriptions.Item>
        {r.buyer.taxId && <Descriptions.Item label="税号">{r.buyer.taxId}</Descriptions.Item>}
        <Descriptions.Item label="票种">{kindName(r.buyer.kind)}</Descriptions.Item>
        <Descriptions.Item label="手机">{r.mobile ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="邮箱">{r.email ?? '—'}</Descriptions.Item>
        {r.entry.amount && <Descriptions.Item label="填写金额">¥{money(r.entry.amount)}</Descriptions.Item>}
        {r.entry.quantity && (
          <Descriptions.Item label="数量 × 单价">
            {r.entry.quantity} × ¥{r.entry.unitPrice}
          </Descriptions.Item>
        )}
        {r.entry.remarks.map((x) => (
          <Descriptions.Item key={x.label} label={x.label}>
            {x.value || '—'}
          </Descriptions.Item>
        ))}
        <Descriptions.Item label="二维码">{r.qrName}</Descriptions.Item>
        <Descriptions.Item label="提交时间">{dateTime(r.createdAt)}</Descriptions.Item>
        <Descriptions.Item label="过期时间">{dateTime(r.expiresAt)}</Descriptions.Item>
        {r.invoice && (
          <Descriptions.Item label="发票">
            <Link
              to={`/invoices?serialNo=${encodeURIComponent(r.invoice.serialNo)}&open=${encodeURIComponent(r.invoice.serialNo)}`}
            >
              {r.invoice.number ?? r.invoice.serialNo}
            </Link>
          </Descriptions.Item>
        )}
        {r.rejectReason && <Descriptions.Item label="拒绝原因">{r.rejectReason}</Descriptions.Item>}
      </Descriptions>
      {r.failureReason && <Alert style={{ marginTop: 12 }} type="error" showIcon message={r.failureReason} />}
      {open && canManage && (
        <Card size="small" title="补全开票信息" style={{ marginTop: 16 }}>
          <Form form={form} layout="vertical" requiredMark={false}>
            <Form.Item name="kind" label="票种" rules={[{ required: true }]}>
              <Select options={r.allowedKinds.map((k) => ({ value: k, label: kindName(k) }))} />
            </Form.Item>
            <Form.List name="lines">
              {(fields, { add, remove }) => (
                <>
                  {fields.map((f) => (
                    <Space key={f.key} wrap align="start" style={{ display: 'flex', marginBottom: 4 }}>
                      <Form.Item name={[f.name, 'name']} rules={[{ required: true, message: '项目名称' }]}>
                        <Input placeholder="项目名称" style={{ width: 140 }} />
                      </Form.Item>
                      <Form.Item
                        name={[f.name, 'taxCode']}
                        rules={[{ required: true, pattern: /^\d{19}$/, message: '19位编码' }]}
                      >
                        <Input placeholder="税收分类编码" style={{ width: 190 }} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'taxRate']} rules={[{ required: true }]}>
                        <Select
                          style={{ width: 80 }}
                          options={['0.13', '0.09', '0.06', '0.03', '0.01', '0'].map((v) => ({
                            value: v,
                            label: `${Number(v) * 100}%`,
                          }))}
                        />
                      </Form.Item>
                      <Form.Item
                        name={[f.name, 'amount']}
                        rules={[{ required: true, pattern: /^\d{1,13}(\.\d{1,2})?$/, message: '含税金额' }]}
                      >
                        <Input placeholder="含税金额" style={{ width: 110 }} data-testid="line-amount" />
                      </Form.Item>
                      {fields.length > 1 && <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} />}
                    </Space>
                  ))}
                  <Space wrap style={{ marginBottom: 12 }}>
                    <Button icon={<PlusOutlined />} onClick={() => add({ taxRate: '0.06' })}>
                      添加项目
                    </Button>
                    <CataloguePicker
                      sellerTaxId={r.sellerTaxId}
                      testId="reservation-catalogue"
                      onPick={(item) =>
                        add({
                          name: item.name,
                          taxCode: item.taxCode,
                          taxRate: item.taxRate,
                          amount: moneyPrice(item) ?? '',
                          ...(item.unit ? { unit: item.unit } : {}),
                        })
                      }
                    />
                  </Space>
                </>
              )}
            </Form.List>
            <Form.Item name="remark" label="备注">
              <Input maxLength={230} />
            </Form.Item>
            <Space>
              <Button type="primary" loading={busy} onClick={issue} data-testid="issue-reservation">
                开具发票
              </Button>
              <Button danger disabled={busy} onClick={() => setRejecting(true)}>
                拒绝
              </Button>
            </Space>
          </Form>
        </Card>
      )}
      <Modal
        open={rejecting}
        title={`拒绝序号 ${r.seqNo}`}
        okText="拒绝"
        okButtonProps={{ danger: true, disabled: reason.trim() === '', loading: busy }}
        onOk={reject}
        onCancel={() => setRejecting(false)}
        destroyOnHidden
      >
        <Input.TextArea
          maxLength={100}
          placeholder="原因（消费者可见）"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
    </Drawer>
  );
}

interface QrFormValues {
  sellerTaxId: string;
  name: string;
  entryMode: Qr['config']['entryMode'];
  fixedAmount?: string;
  expiryHours: number;
  allowedKinds: string[];
  items: Item[];
  remarkFields: { label: string; required?: boolean }[];
}

function QrSettings({ canManage }: { canManage: boolean }) {
  const qrs = useQuery({
    queryKey: ['reservation-qrs'],
    queryFn: () => get<{ items: Qr[] }>('/api/v1/counter/reservation-qrs'),
  });
  const orgs = useQuery({ queryKey: ['orgs'], queryFn: () => get<{ items: Org[] }>('/api/v1/orgs') });
  const [editing, setEditing] = useState<Qr | 'new' | null>(null);
  const [form] = Form.useForm<QrFormValues>();
  const qrSeller = Form.useWatch('sellerTaxId', form);
  const queryClient = useQueryClient();
  const toast = useToast();
  const startEdit = (qr: Qr | 'new') => {
    setEditing(qr);
    form.resetFields();
    if (qr === 'new') {
      form.setFieldsValue({
        sellerTaxId: orgs.data?.items[0]?.taxId,
        name: '前台',
        entryMode: 'amount',
        expiryHours: 72,
        allowedKinds: ['82', '81'],
        items: [{ name: '餐饮服务', taxCode: '3070401000000000000', taxRate: '0.06' }],
        remarkFields: [],
      });
    } else {
      form.setFieldsValue({
        sellerTaxId: qr.sellerTaxId,
        name: qr.name,
        ...qr.config,
        fixedAmount: qr.config.fixedAmount ?? undefined,
      });
    }
  };
  const save = async () => {
    const v = await form.validateFields();
    const config = {
      entryMode: v.entryMode,
      fixedAmount: v.fixedAmount ? String(v.fixedAmount) : null,
      expiryHours: v.expiryHours,
      allowedKinds: v.allowedKinds,
      items: (v.items ?? []).map((i) => ({
        name: i.name,
        taxCode: i.taxCode,
        taxRate: i.taxRate,
        ...(i.unit ? { unit: i.unit } : {}),
        ...(i.unitPrice ? { unitPrice: String(i.unitPrice) } : {}),
      })),
      remarkFields: (v.remarkFields ?? []).map((f) => ({ label: f.label, required: Boolean(f.required) })),
    };
    try {
      if (editing === 'new') {
        await post('/api/v1/counter/reservation-qrs', { sellerTaxId: v.sellerTaxId, name: v.name, config });
      } else if (editing) {
        await api('PATCH', `/api/v1/counter/reservation-qrs/${editing.key}`, { name: v.name, config });
      }
      setEditing(null);
      toast.success('已保存');
      await queryClient.invalidateQueries({ queryKey: ['reservation-qrs'] });
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  const toggle = async (qr: Qr, enabled: boolean) => {
    try {
      await api('PATCH', `/api/v1/counter/reservation-qrs/${qr.key}`, { enabled });
      await queryClient.invalidateQueries({ queryKey: ['reservation-qrs'] });
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  return (
    <PageState loading={qrs.isLoading} error={qrs.error} onRetry={() => qrs.refetch()}>
      {canManage && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => startEdit('new')} style={{ marginBottom: 12 }}>
          新建预约二维码
        </Button>
      )}
      {(qrs.data?.items ?? []).length === 0 && <Alert type="info" showIcon message="还没有预约二维码" />}
      <Space wrap align="start">
        {(qrs.data?.items ?? []).map((qr) => (
          <Card
            key={qr.key}
            size="small"
            style={{ width: 300 }}
            title={qr.name}
            extra={
              canManage && (
                <Switch size="small" checked={qr.enabled} onChange={(v) => toggle(qr, v)} aria-label="启用" />
              )
            }
          >
            <div style={{ textAlign: 'center' }}>
              <img src={`${pathOf(qr.url)}/qr.svg`} alt={`预约二维码 ${qr.name}`} width={160} height={160} />
            </div>
            <Typography.Paragraph className="ofp-secondary" style={{ marginBottom: 4 }}>
              {qr.sellerName} · {ENTRY_MODES[qr.config.fixedAmount ? 'none' : qr.config.entryMode]}
              {qr.config.fixedAmount ? ` · 固定 ¥${qr.config.fixedAmount}` : ''} · {qr.config.expiryHours} 小时有效
            </Typography.Paragraph>
            <Typography.Paragraph copyable={{ text: qr.url }} style={{ fontSize: 12, wordBreak: 'break-all' }}>
              {qr.url}
            </Typography.Paragraph>
            <Space wrap size={4}>
              <Button size="small" href={`${pathOf(qr.url)}/qr.png`} download={`reservation-${qr.key}.png`}>
                PNG
              </Button>
              <Button size="small" href={`${pathOf(qr.url)}/qr.svg`} download={`reservation-${qr.key}.svg`}>
                SVG
              </Button>
              <Button
                size="small"
                href={`/api/v1/counter/reservation-qrs/${qr.key}/poster.pdf?size=a4`}
                target="_blank"
              >
                海报 A4
              </Button>
              <Button
                size="small"
                href={`/api/v1/counter/reservation-qrs/${qr.key}/poster.pdf?size=a5`}
                target="_blank"
              >
                海报 A5
              </Button>
              {canManage && (
                <Button size="small" onClick={() => startEdit(qr)}>
                  配置
                </Button>
              )}
            </Space>
          </Card>
        ))}
      </Space>
      <Modal
        open={editing !== null}
        title={editing === 'new' ? '新建预约二维码' : '预约二维码配置'}
        onOk={save}
        onCancel={() => setEditing(null)}
        okText="保存"
        width={720}
        destroyOnHidden
        forceRender
      >
        <Form form={form} layout="vertical">
          <Space wrap>
            <Form.Item name="sellerTaxId" label="销方" rules={[{ required: true }]}>
              <Select
                style={{ width: 260 }}
                disabled={editing !== 'new'}
                options={(orgs.data?.items ?? []).map((o) => ({ value: o.taxId, label: o.name }))}
              />
            </Form.Item>
            <Form.Item name="name" label="名称" rules={[{ required: true, max: 60 }]}>
              <Input style={{ width: 200 }} />
            </Form.Item>
          </Space>
          <Space wrap>
            <Form.Item name="entryMode" label="消费者填写">
              <Select
                style={{ width: 200 }}
                options={Object.entries(ENTRY_MODES).map(([value, label]) => ({ value, label }))}
              />
            </Form.Item>
            <Form.Item
              name="fixedAmount"
              label="固定金额（选填）"
              rules={[{ pattern: /^\d{1,13}(\.\d{1,2})?$/, message: '金额' }]}
            >
              <Input style={{ width: 140 }} placeholder="如 99.00" />
            </Form.Item>
            <Form.Item name="expiryHours" label="有效期（小时）">
              <InputNumber min={1} max={720} />
            </Form.Item>
            <Form.Item name="allowedKinds" label="票种">
              <Select
                mode="multiple"
                style={{ width: 220 }}
                options={['82', '81'].map((k) => ({ value: k, label: kindName(k) }))}
              />
            </Form.Item>
          </Space>
          <Typography.Text strong>固定项目</Typography.Text>
          <Form.List name="items">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} wrap align="start" style={{ display: 'flex' }}>
                    <Form.Item name={[f.name, 'name']} rules={[{ required: true, message: '名称' }]}>
                      <Input placeholder="项目名称" style={{ width: 150 }} />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'taxCode']}
                      rules={[{ required: true, pattern: /^\d{19}$/, message: '19位编码' }]}
                    >
                      <Input placeholder="税收分类编码" style={{ width: 190 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'taxRate']} rules={[{ required: true }]}>
                      <Select
                        style={{ width: 80 }}
                        options={['0.13', '0.09', '0.06', '0.03', '0.01', '0'].map((v) => ({
                          value: v,
                          label: `${Number(v) * 100}%`,
                        }))}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'unitPrice']}>
                      <Input placeholder="单价（选填）" style={{ width: 110 }} />
                    </Form.Item>
                    <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
                  </Space>
                ))}
                <Space wrap style={{ marginBottom: 12 }}>
                  <Button size="small" icon={<PlusOutlined />} onClick={() => add({ taxRate: '0.06' })}>
                    添加项目
                  </Button>
                  <CataloguePicker
                    sellerTaxId={qrSeller}
                    testId="qr-catalogue"
                    onPick={(item) =>
                      add({
                        name: item.name,
                        taxCode: item.taxCode,
                        taxRate: item.taxRate,
                        ...(item.unit ? { unit: item.unit } : {}),
                        ...(moneyPrice(item) ? { unitPrice: moneyPrice(item) } : {}),
                      })
                    }
                  />
                </Space>
              </>
            )}
          </Form.List>
          <div>
            <Typography.Text strong>自定义备注字段（如 房号、桌号）</Typography.Text>
          </div>
          <Form.List name="remarkFields">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} align="start" style={{ display: 'flex' }}>
                    <Form.Item name={[f.name, 'label']} rules={[{ required: true, max: 20, message: '字段名称' }]}>
                      <Input placeholder="字段名称" style={{ width: 160 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'required']} valuePropName="checked" label="必填" layout="horizontal">
                      <Switch size="small" />
                    </Form.Item>
                    <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
                  </Space>
                ))}
                {fields.length < 5 && (
                  <Button size="small" icon={<PlusOutlined />} onClick={() => add({ required: false })}>
                    添加字段
                  </Button>
                )}
              </>
            )}
          </Form.List>
        </Form>
      </Modal>
    </PageState>
  );
}

/** 预约二维码: the clerk's live reservations (search, complete, issue, reject) and the QR settings. */
export default function ReservationsPage() {
  const { data: session } = useSession();
  const canManage = can(session, 'scan.manage');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'list';
  return (
    <Tabs
      activeKey={tab}
      onChange={(k) => setParams(k === 'list' ? {} : { tab: k })}
      items={[
        { key: 'list', label: '预约单', children: <ReservationList canManage={canManage} /> },
        { key: 'qrs', label: '二维码设置', children: <QrSettings canManage={canManage} /> },
      ]}
    />
  );
}
