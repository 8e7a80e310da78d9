import { DeleteOutlined, PlusOutlined, PrinterOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  type ComputedLineAmounts,
  computeInvoiceTotals,
  computeLine,
  formatTaxRatePercent,
  parseDecimal,
  roundHalfUp,
} from '@tax';
import {
  Alert,
  AutoComplete,
  Button,
  Card,
  Checkbox,
  Col,
  Collapse,
  Form,
  Input,
  Popconfirm,
  Radio,
  Result,
  Row,
  Select,
  Space,
  Steps,
  Switch,
  Typography,
} from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { api, errorMessage, get, post } from '../api';
import { CataloguePicker, catalogueUnitPrice } from '../components/CataloguePicker';
import { PageState } from '../components/PageState';
import { dateTime, money } from '../format';
import { useToast } from '../toast';
import type { CatalogueItem, Org, TaxCodeOption } from '../types';

/** One line of the sale as the clerk builds it. */
interface SaleLine {
  key: number;
  name: string;
  taxCode: string;
  shortName?: string;
  taxRate: string;
  rates: string[];
  spec?: string;
  unit?: string;
  quantity: string;
  unitPrice: string;
  priceIncludesTax: boolean;
}

interface ReceiptSettings {
  paper: '58' | '80';
  header: string;
  footer: string;
  fields: { seller: boolean; items: boolean; amount: boolean; qr: boolean; expiry: boolean; orderNo: boolean };
}

interface CounterSettings {
  sellerTaxId: string;
  sellerName: string;
  qrValidityMinutes: number;
  receipt: ReceiptSettings;
}

interface CreatedOrder {
  orderNo: string;
  sellerName: string;
  url: string;
  qrSvgUrl: string;
  total: string;
  expiresAt: string;
  status: string;
}

interface OrderView {
  orderNo: string;
  status: string;
  total: string;
  items: { name: string; quantity: string | null; unit: string | null; total: string }[];
  buyer: { name: string } | null;
  invoices: { number: string | null; status: string }[];
  failureReason: string | null;
  expiresAt: string;
}

const KIND_OPTIONS = [
  { value: '82', label: '数电普票' },
  { value: '81', label: '数电专票' },
];

const FIELD_OPTIONS: { value: keyof ReceiptSettings['fields']; label: string }[] = [
  { value: 'seller', label: '销方名称' },
  { value: 'items', label: '商品明细' },
  { value: 'amount', label: '金额' },
  { value: 'qr', label: '二维码' },
  { value: 'expiry', label: '有效期' },
  { value: 'orderNo', label: '订单号' },
];

/** The clerk's screen: 待扫码 → 开票中 → 已开具 (or the failure, withdrawal, expiry). */
const STEP_OF: Record<string, { step: number; label: string; state: 'process' | 'finish' | 'error' | 'wait' }> = {
  open: { step: 0, label: '待扫码', state: 'process' },
  submitted: { step: 1, label: '开票中', state: 'process' },
  invoicing: { step: 1, label: '开票中', state: 'process' },
  invoiced: { step: 2, label: '已开具', state: 'finish' },
  failed: { step: 1, label: '开票失败', state: 'error' },
  withdrawn: { step: 0, label: '已撤回', state: 'error' },
  expired: { step: 0, label: '已过期', state: 'error' },
};
/** States after which the order no longer changes (a failure may still be retried by the merchant). */
const FINAL = new Set(['invoiced', 'withdrawn', 'expired']);

let nextKey = 1;
const pathOf = (url: string) => {
  const u = new URL(url, window.location.href);
  return u.pathname;
};

/** Amounts of a line by the src/tax rules (null while incomplete). */
function lineAmounts(l: SaleLine): ComputedLineAmounts | null {
  const q = parseDecimal(l.quantity);
  const p = parseDecimal(l.unitPrice);
  if (!q || !p || q.isZero() || p.isZero() || !l.taxRate) return null;
  try {
    return computeLine({
      amount: roundHalfUp(q.times(p), 2).toFixed(2),
      taxRate: l.taxRate,
      quantity: q.toFixed(),
      unitPrice: p.toFixed(),
      priceIncludesTax: l.priceIncludesTax,
    });
  } catch {
    return null;
  }
}

/** 税收分类编码 search for a hand-typed line. */
function TaxCodeSearch({ onPick }: { onPick: (c: TaxCodeOption) => void }) {
  const [text, setText] = useState('');
  const [term, setTerm] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setTerm(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);
  const q = useQuery({
    queryKey: ['catalogue-tax-codes', term],
    queryFn: () => get<{ items: TaxCodeOption[] }>('/api/v1/catalogue/tax-codes', { q: term, limit: 20 }),
    enabled: term.length >= 1,
    staleTime: 5 * 60_000,
  });
  const items = q.data?.items ?? [];
  return (
    <AutoComplete
      value={text}
      onChange={setText}
      style={{ width: '100%' }}
      options={items.map((c) => ({ value: c.code, label: `*${c.shortName}* ${c.name} ${c.code}` }))}
      onSelect={(code: string) => {
        const c = items.find((i) => i.code === code);
        if (c) {
          onPick(c);
          setText(`*${c.shortName}* ${c.name}`);
        }
      }}
    >
      <Input data-testid="hand-tax-code" placeholder="税收分类编码：输入编码或名称" />
    </AutoComplete>
  );
}

/** The printed ticket, in a portal outside the app so that printing shows it alone. */
function Receipt({
  settings,
  order,
  view,
}: {
  settings: ReceiptSettings;
  order: CreatedOrder;
  view: OrderView | null;
}) {
  const f = settings.fields;
  const items = view?.items ?? [];
  return createPortal(
    <div className={`counter-receipt paper-${settings.paper}`} data-testid="receipt">
      {settings.header && <div className="r-title">{settings.header}</div>}
      {f.seller && <div className="r-center">{order.sellerName}</div>}
      {f.items && items.length > 0 && (
        <table>
          <tbody>
            {items.map((i, n) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the ticket's rows never reorder
              <tr key={n}>
                <td>
                  {i.name.replace(/^\*[^*]+\*/, '')}
                  {i.quantity ? ` ×${i.quantity}` : ''}
                </td>
                <td className="r-right">{money(i.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {f.amount && <div className="r-total">合计 ¥{money(order.total)}</div>}
      {f.qr && (
        <div className="r-center">
          <img className="r-qr" src={pathOf(order.qrSvgUrl)} alt="开票二维码" />
          <div>微信/支付宝扫码开发票</div>
        </div>
      )}
      {f.expiry && <div className="r-center">请于 {dateTime(order.expiresAt)} 前扫码</div>}
      {f.orderNo && <div className="r-center r-small">订单号 {order.orderNo}</div>}
      {settings.footer && <div className="r-center r-small">{settings.footer}</div>}
    </div>,
    document.body,
  );
}

const RECEIPT_CSS = `
.counter-receipt { display: none; box-sizing: border-box; padding: 3mm; color: #000; background: #fff;
  font: 12px/1.45 "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
.counter-receipt.paper-80 { width: 80mm; }
.counter-receipt.paper-58 { width: 58mm; font-size: 11px; }
.counter-receipt table { width: 100%; border-collapse: collapse; margin: 2mm 0; }
.counter-receipt td { padding: 0.5mm 0; vertical-align: top; }
.counter-receipt .r-title { text-align: center; font-size: 1.35em; font-weight: 700; margin-bottom: 1mm; }
.counter-receipt .r-center { text-align: center; }
.counter-receipt .r-right { text-align: right; white-space: nowrap; }
.counter-receipt .r-total { text-align: right; font-weight: 700; border-top: 1px dashed #000; padding-top: 1mm; }
.counter-receipt .r-qr { display: block; margin: 2mm auto 1mm; }
.counter-receipt.paper-80 .r-qr { width: 50mm; height: 50mm; }
.counter-receipt.paper-58 .r-qr { width: 40mm; height: 40mm; }
.counter-receipt .r-small { font-size: 0.85em; margin-top: 1mm; }
@media print {
  body > *:not(.counter-receipt) { display: none !important; }
  .counter-receipt { display: block; }
}
.counter-qr { width: min(72vw, 320px); height: min(72vw, 320px); display: block; margin: 0 auto; }
`;

/**
 * Sets the print page to the paper's width and the ticket's measured height (a thermal roll has no page length;
 * `@page { size: 80mm auto }` is not honoured by every browser), then opens the print dialog.
 */
function printReceipt(paper: '58' | '80') {
  const el = document.querySelector<HTMLElement>('.counter-receipt');
  let style = document.getElementById('counter-page-size');
  if (!style) {
    style = document.createElement('style');
    style.id = 'counter-page-size';
    document.head.appendChild(style);
  }
  // Measure the ticket as printed: shown off-screen at the paper width for a moment.
  let heightMm = 200;
  if (el) {
    const saved = el.getAttribute('style');
    el.setAttribute('style', 'display:block;position:absolute;left:-9999px;top:0');
    heightMm = Math.ceil((el.getBoundingClientRect().height * 25.4) / 96) + 4;
    if (saved === null) el.removeAttribute('style');
    else el.setAttribute('style', saved);
  }
  style.textContent = `@page { size: ${paper}mm ${heightMm}mm; margin: 0; }`;
  window.print();
}

/** 码上开票: the clerk types the sale (or picks it from the catalogue), shows a QR, the consumer scans and gets the invoice. */
export default function CounterSalePage() {
  const toast = useToast();
  const orgs = useQuery({ queryKey: ['orgs'], queryFn: () => get<{ items: Org[] }>('/api/v1/orgs') });
  const [seller, setSeller] = useState<string | undefined>();
  const sellerTaxId = seller ?? orgs.data?.items[0]?.taxId;
  const [kinds, setKinds] = useState<string[]>(['82', '81']);
  const [lines, setLines] = useState<SaleLine[]>([]);
  const [hand, setHand] = useState<Partial<SaleLine>>({ quantity: '1', priceIncludesTax: true });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [order, setOrder] = useState<CreatedOrder | null>(null);
  const [view, setView] = useState<OrderView | null>(null);
  const [receipt, setReceipt] = useState<ReceiptSettings | null>(null);
  const settings = useQuery({
    queryKey: ['counter-settings', sellerTaxId],
    queryFn: () => get<CounterSettings>('/api/v1/counter/settings', { sellerTaxId }),
    enabled: Boolean(sellerTaxId),
  });
  useEffect(() => {
    if (settings.data) setReceipt(settings.data.receipt);
  }, [settings.data]);

  const computed = useMemo(() => lines.map(lineAmounts), [lines]);
  const totals = useMemo(() => {
    const ok = computed.filter((c): c is ComputedLineAmounts => c !== null);
    return ok.length === lines.length && ok.length > 0 ? computeInvoiceTotals(ok) : null;
  }, [computed, lines.length]);

  const addFromCatalogue = (item: CatalogueItem) => {
    setLines((ls) => [
      ...ls,
      {
        key: nextKey++,
        name: item.name,
        taxCode: item.taxCode,
        shortName: item.shortName ?? undefined,
        taxRate: item.taxRate,
        rates: [item.taxRate],
        ...(item.spec ? { spec: item.spec } : {}),
        ...(item.unit ? { unit: item.unit } : {}),
        quantity: '1',
        unitPrice: catalogueUnitPrice(item, item.taxInclusive) ?? '',
        priceIncludesTax: item.taxInclusive,
      },
    ]);
  };
  const addByHand = () => {
    if (!hand.name?.trim() || !hand.taxCode || !hand.taxRate) {
      void toast.error('请填写名称并选择税收分类编码');
      return;
    }
    setLines((ls) => [
      ...ls,
      {
        key: nextKey++,
        name: hand.name!.trim(),
        taxCode: hand.taxCode!,
        shortName: hand.shortName,
        taxRate: hand.taxRate!,
        rates: hand.rates ?? [hand.taxRate!],
        quantity: hand.quantity || '1',
        unitPrice: hand.unitPrice ?? '',
        priceIncludesTax: hand.priceIncludesTax !== false,
      },
    ]);
    setHand({
      quantity: '1',
      priceIncludesTax: true,
      taxCode: hand.taxCode,
      taxRate: hand.taxRate,
      rates: hand.rates,
      shortName: hand.shortName,
    });
  };
  const setLine = (key: number, patch: Partial<SaleLine>) =>
    setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...patch } : l)));

  const generate = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = {
        sellerTaxId,
        allowedKinds: kinds,
        lines: lines.map((l) => ({
          name: l.name,
          taxCode: l.taxCode,
          taxRate: l.taxRate,
          quantity: parseDecimal(l.quantity)!.toFixed(),
          unitPrice: parseDecimal(l.unitPrice)!.toFixed(),
          amount: roundHalfUp(parseDecimal(l.quantity)!.times(parseDecimal(l.unitPrice)!), 2).toFixed(2),
          ...(l.spec ? { spec: l.spec } : {}),
          ...(l.unit ? { unit: l.unit } : {}),
          priceIncludesTax: l.priceIncludesTax,
        })),
      };
      const created = await post<CreatedOrder>('/api/v1/counter/orders', body);
      setOrder(created);
      setView(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  // Live status: a long poll woken by the order's signal on the server (no tight polling).
  const orderNo = order?.orderNo;
  const alive = useRef(0);
  useEffect(() => {
    if (!orderNo) return;
    const run = ++alive.current;
    let since: string | null = null;
    void (async () => {
      while (alive.current === run) {
        try {
          // The first read answers at once (the ticket's items); the next ones wait for a change.
          const v: OrderView = await get<OrderView>(`/api/v1/scan/orders/${orderNo}`, since ? { since, wait: 20 } : {});
          if (alive.current !== run) return;
          setView(v);
          since = v.status;
          if (FINAL.has(v.status)) return;
        } catch {
          await new Promise((r) => setTimeout(r, 3000));
        }
      }
    })();
    return () => {
      alive.current++;
    };
  }, [orderNo]);

  const status = view?.status ?? order?.status ?? 'open';
  const step = STEP_OF[status] ?? STEP_OF.open!;

  const withdraw = async () => {
    if (!order) return;
    try {
      setView(await post<OrderView>(`/api/v1/scan/orders/${order.orderNo}/withdraw`));
    } catch (err) {
      void toast.error(errorMessage(err));
    }
  };
  const saveAndPrint = async () => {
    if (!receipt || !sellerTaxId || !settings.data) return;
    try {
      await api('PUT', '/api/v1/counter/settings', {
        sellerTaxId,
        qrValidityMinutes: settings.data.qrValidityMinutes,
        receipt,
      });
      void settings.refetch();
      printReceipt(receipt.paper);
    } catch (err) {
      void toast.error(errorMessage(err));
    }
  };
  const newSale = () => {
    setOrder(null);
    setView(null);
    setLines([]);
    setError(null);
  };

  const receiptPanel = receipt && (
    <Collapse
      size="small"
      items={[
        {
          key: 'receipt',
          label: '小票设置',
          children: (
            <Space direction="vertical" style={{ width: '100%' }}>
              <Radio.Group
                data-testid="receipt-paper"
                value={receipt.paper}
                onChange={(e) => setReceipt({ ...receipt, paper: e.target.value })}
                options={[
                  { value: '58', label: '58 mm' },
                  { value: '80', label: '80 mm' },
                ]}
              />
              <Input
                data-testid="receipt-header"
                addonBefore="票头"
                maxLength={100}
                value={receipt.header}
                onChange={(e) => setReceipt({ ...receipt, header: e.target.value })}
              />
              <Input.TextArea
                data-testid="receipt-footer"
                placeholder="票尾文字"
                maxLength={200}
                rows={2}
                value={receipt.footer}
                onChange={(e) => setReceipt({ ...receipt, footer: e.target.value })}
              />
              <Checkbox.Group
                value={FIELD_OPTIONS.filter((o) => receipt.fields[o.value]).map((o) => o.value)}
                options={FIELD_OPTIONS}
                onChange={(v) =>
                  setReceipt({
                    ...receipt,
                    fields: Object.fromEntries(
                      FIELD_OPTIONS.map((o) => [o.value, v.includes(o.value)]),
                    ) as ReceiptSettings['fields'],
                  })
                }
              />
            </Space>
          ),
        },
      ]}
    />
  );

  if (order) {
    return (
      <Card title="码上开票" className="counter-page" styles={{ body: { padding: 12 } }}>
        <style>{RECEIPT_CSS}</style>
        <Steps
          size="small"
          direction="horizontal"
          responsive={false}
          current={step.step}
          status={step.state}
          items={[{ title: '待扫码' }, { title: '开票中' }, { title: '已开具' }]}
        />
        <div style={{ textAlign: 'center', margin: '16px 0' }}>
          <Typography.Title level={3} data-testid="counter-status" style={{ marginBottom: 4 }}>
            {step.label}
          </Typography.Title>
          <Typography.Text strong style={{ fontSize: 22 }}>
            ¥{money(order.total)}
          </Typography.Text>
        </div>
        {status === 'open' && (
          <>
            <img className="counter-qr" data-testid="counter-qr" src={pathOf(order.qrSvgUrl)} alt="开票二维码" />
            <Typography.Paragraph style={{ textAlign: 'center', marginTop: 8 }}>
              请顾客用微信或支付宝扫码，填写抬头后自动开票
              <br />
              <Typography.Text type="secondary">
                有效期至 {dateTime(order.expiresAt)} · 订单号 {order.orderNo}
              </Typography.Text>
            </Typography.Paragraph>
          </>
        )}
        {status === 'invoiced' && (
          <Result
            status="success"
            title="发票已开具"
            subTitle={`${view?.buyer?.name ?? ''} 发票号码 ${view?.invoices[0]?.number ?? '—'}`}
          />
        )}
        {status === 'failed' && (
          <Alert type="error" showIcon message="开票失败" description={view?.failureReason ?? ''} />
        )}
        {(status === 'withdrawn' || status === 'expired') && (
          <Alert
            type="warning"
            showIcon
            message={status === 'withdrawn' ? '二维码已撤回，顾客无法再扫码' : '二维码已过期'}
          />
        )}
        <Space wrap style={{ width: '100%', justifyContent: 'center', margin: '12px 0' }}>
          {status === 'open' && (
            <Popconfirm title="撤回后顾客将无法扫码，确定？" onConfirm={() => void withdraw()}>
              <Button danger data-testid="counter-withdraw">
                撤回二维码
              </Button>
            </Popconfirm>
          )}
          {status === 'open' && (
            <Button
              icon={<PrinterOutlined />}
              type="primary"
              data-testid="counter-print"
              onClick={() => void saveAndPrint()}
            >
              保存并打印
            </Button>
          )}
          <Button onClick={newSale} data-testid="counter-new">
            新的销售
          </Button>
        </Space>
        {status === 'open' && receiptPanel}
        {receipt && <Receipt settings={receipt} order={order} view={view} />}
      </Card>
    );
  }

  return (
    <PageState loading={orgs.isPending} error={orgs.error} onRetry={() => void orgs.refetch()}>
      <Card title="码上开票" className="counter-page" styles={{ body: { padding: 12 } }}>
        <Space direction="vertical" size={12} style={{ width: '100%' }}>
          <Row gutter={[8, 8]}>
            <Col xs={24} md={12}>
              <Select
                data-testid="counter-org"
                style={{ width: '100%' }}
                value={sellerTaxId}
                onChange={(v) => {
                  setSeller(v);
                  setLines([]);
                }}
                options={(orgs.data?.items ?? []).map((o) => ({ value: o.taxId, label: o.name }))}
              />
            </Col>
            <Col xs={24} md={12}>
              <Space>
                <Typography.Text type="secondary">顾客可选</Typography.Text>
                <Checkbox.Group
                  data-testid="counter-kinds"
                  value={kinds}
                  options={KIND_OPTIONS}
                  onChange={(v) => setKinds(v as string[])}
                />
              </Space>
            </Col>
          </Row>
          <CataloguePicker
            sellerTaxId={sellerTaxId}
            onPick={addFromCatalogue}
            placeholder="从商品档案添加（搜索名称或编码）"
          />
          <Collapse
            size="small"
            items={[
              {
                key: 'hand',
                label: '手工添加',
                children: (
                  <Form component="div" onFinish={addByHand}>
                    <Row gutter={[8, 8]}>
                      <Col xs={24} sm={12}>
                        <Input
                          data-testid="hand-name"
                          placeholder="名称"
                          maxLength={100}
                          value={hand.name}
                          onChange={(e) => setHand({ ...hand, name: e.target.value })}
                        />
                      </Col>
                      <Col xs={24} sm={12}>
                        <TaxCodeSearch
                          onPick={(c) =>
                            setHand({
                              ...hand,
                              taxCode: c.code,
                              shortName: c.shortName,
                              taxRate: c.defaultRate,
                              rates: c.allowedRates,
                            })
                          }
                        />
                      </Col>
                      <Col xs={8} sm={6}>
                        <Select
                          style={{ width: '100%' }}
                          value={hand.taxRate}
                          placeholder="税率"
                          onChange={(v) => setHand({ ...hand, taxRate: v })}
                          options={(hand.rates ?? []).map((r) => ({ value: r, label: formatTaxRatePercent(r) }))}
                        />
                      </Col>
                      <Col xs={8} sm={6}>
                        <Input
                          placeholder="数量"
                          value={hand.quantity}
                          onChange={(e) => setHand({ ...hand, quantity: e.target.value })}
                        />
                      </Col>
                      <Col xs={8} sm={6}>
                        <Input
                          data-testid="hand-price"
                          placeholder="单价"
                          value={hand.unitPrice}
                          onChange={(e) => setHand({ ...hand, unitPrice: e.target.value })}
                        />
                      </Col>
                      <Col xs={24} sm={6}>
                        <Button block icon={<PlusOutlined />} onClick={addByHand} data-testid="hand-add">
                          添加
                        </Button>
                      </Col>
                    </Row>
                  </Form>
                ),
              },
            ]}
          />
          {lines.length === 0 ? (
            <Typography.Text type="secondary">还没有商品：从商品档案选择，或手工添加</Typography.Text>
          ) : (
            lines.map((l, i) => {
              const c = computed[i];
              return (
                <Card key={l.key} size="small" data-testid={`sale-line-${i}`}>
                  <Row gutter={[8, 8]} align="middle">
                    <Col flex="auto">
                      <Typography.Text strong>
                        {l.shortName ? `*${l.shortName}*` : ''}
                        {l.name}
                      </Typography.Text>
                      {l.spec ? <Typography.Text type="secondary"> {l.spec}</Typography.Text> : null}
                      <div>
                        <Typography.Text type="secondary">
                          {l.unit ? `单位 ${l.unit} · ` : ''}税率 {formatTaxRatePercent(l.taxRate)}
                          {c ? ` · 税额 ${money(c.tax)}` : ''}
                        </Typography.Text>
                      </div>
                    </Col>
                    <Col>
                      <Button
                        size="small"
                        icon={<DeleteOutlined />}
                        title="删除"
                        onClick={() => setLines((ls) => ls.filter((x) => x.key !== l.key))}
                      />
                    </Col>
                  </Row>
                  <Row gutter={8} style={{ marginTop: 8 }} align="middle">
                    <Col span={5}>
                      <Input
                        data-testid={`sale-qty-${i}`}
                        aria-label="数量"
                        value={l.quantity}
                        onChange={(e) => setLine(l.key, { quantity: e.target.value })}
                        inputMode="decimal"
                      />
                    </Col>
                    <Col span={8}>
                      <Input
                        data-testid={`sale-price-${i}`}
                        prefix="¥"
                        value={l.unitPrice}
                        onChange={(e) => setLine(l.key, { unitPrice: e.target.value })}
                        inputMode="decimal"
                      />
                    </Col>
                    <Col span={5}>
                      <Switch
                        size="small"
                        checked={l.priceIncludesTax}
                        checkedChildren="含税"
                        unCheckedChildren="不含"
                        onChange={(v) => setLine(l.key, { priceIncludesTax: v })}
                      />
                    </Col>
                    <Col span={6} style={{ textAlign: 'right' }}>
                      <Typography.Text strong data-testid={`sale-total-${i}`}>
                        {c ? money(c.total) : '—'}
                      </Typography.Text>
                    </Col>
                  </Row>
                </Card>
              );
            })
          )}
          <Card size="small" data-testid="sale-totals">
            <Row align="middle">
              <Col flex="auto">
                <Typography.Text type="secondary">
                  金额 {totals ? money(totals.amount) : '—'} · 税额 {totals ? money(totals.tax) : '—'}
                </Typography.Text>
                <div>
                  <Typography.Text strong style={{ fontSize: 20 }} data-testid="sale-total">
                    ¥{totals ? money(totals.total) : '0.00'}
                  </Typography.Text>
                </div>
              </Col>
              <Col>
                <Button
                  type="primary"
                  size="large"
                  data-testid="counter-generate"
                  loading={busy}
                  disabled={!totals || kinds.length === 0 || !sellerTaxId}
                  onClick={() => void generate()}
                >
                  生成二维码
                </Button>
              </Col>
            </Row>
            {error && (
              <Alert style={{ marginTop: 8 }} type="error" showIcon message={error} data-testid="counter-error" />
            )}
          </Card>
        </Space>
      </Card>
    </PageState>
  );
}
