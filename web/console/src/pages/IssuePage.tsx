import { DeleteOutlined, PercentageOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  CURRENT_TAX_RATES,
  formatTaxRatePercent,
  getInvoiceKindInfo,
  INVOICE_KINDS,
  type InvoiceDraft,
  type InvoiceDraftLine,
  type LineNature,
  parseDecimal,
  roundHalfUp,
  validateInvoiceDraft,
} from '@tax';
import {
  Alert,
  AutoComplete,
  Button,
  Card,
  Col,
  Collapse,
  Descriptions,
  Form,
  Input,
  Result,
  Row,
  Select,
  Space,
  Switch,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage, get, post } from '../api';
import { CataloguePicker, catalogueUnitPrice } from '../components/CataloguePicker';
import { PageState } from '../components/PageState';
import { money, STATUS_LABELS } from '../format';
import { useToast } from '../toast';
import type { CatalogueItem, Invoice, Org, Page, TaxCodeItem } from '../types';

interface LineValues {
  lineNature?: LineNature;
  name?: string;
  taxCode?: string;
  spec?: string;
  unit?: string;
  quantity?: string;
  unitPrice?: string;
  amount?: string;
  taxRate?: string;
}

interface IssueValues {
  sellerTaxId?: string;
  kind?: string;
  buyer?: {
    name?: string;
    taxId?: string;
    address?: string;
    phone?: string;
    bankName?: string;
    bankAccount?: string;
  };
  priceIncludesTax?: boolean;
  lines?: LineValues[];
  remark?: string;
}

const trimmed = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
const opt = <K extends string>(key: K, v: string | undefined) =>
  (trimmed(v) === undefined ? {} : { [key]: trimmed(v) }) as Partial<Record<K, string>>;

/** The form as an invoice draft, exactly as the API receives it (a discount line copies its 被折扣行's item). */
export function toDraft(v: IssueValues): InvoiceDraft {
  const lines = v.lines ?? [];
  const includes = v.priceIncludesTax === true;
  return {
    kind: v.kind ?? '',
    seller: { taxId: v.sellerTaxId ?? '' },
    buyer: {
      name: trimmed(v.buyer?.name) ?? '',
      ...opt('taxId', v.buyer?.taxId),
      ...opt('address', v.buyer?.address),
      ...opt('phone', v.buyer?.phone),
      ...opt('bankName', v.buyer?.bankName),
      ...opt('bankAccount', v.buyer?.bankAccount),
    },
    lines: lines.map((l, i): InvoiceDraftLine => {
      if (l.lineNature === 'discount') {
        const prev = lines[i - 1] ?? {};
        const amount = trimmed(l.amount) ?? '';
        return {
          name: trimmed(prev.name) ?? '',
          taxCode: trimmed(prev.taxCode) ?? '',
          taxRate: prev.taxRate ?? '',
          amount: amount === '' || amount.startsWith('-') ? amount : `-${amount}`,
          lineNature: 'discount',
          ...(includes ? { priceIncludesTax: true } : {}),
        };
      }
      return {
        name: trimmed(l.name) ?? '',
        taxCode: trimmed(l.taxCode) ?? '',
        ...opt('spec', l.spec),
        ...opt('unit', l.unit),
        ...opt('quantity', l.quantity),
        ...opt('unitPrice', l.unitPrice),
        amount: trimmed(l.amount) ?? '',
        taxRate: l.taxRate ?? '',
        ...(l.lineNature === 'discounted' ? { lineNature: 'discounted' as const } : {}),
        ...(includes ? { priceIncludesTax: true } : {}),
      };
    }),
    ...opt('remark', v.remark),
  };
}

const newSerialNo = () =>
  `WEB${Date.now().toString(36).toUpperCase()}${Math.random().toString(36).slice(2, 6).toUpperCase()}`;

function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** 购买方名称 with 抬头 suggestions from the buyers of earlier invoices. */
function BuyerNameInput({
  onPick,
  ...props
}: {
  onPick: (p: Invoice['buyer']) => void;
  value?: string;
  onChange?: (v: string) => void;
}) {
  const term = useDebounced((props.value ?? '').trim());
  const q = useQuery({
    queryKey: ['buyer-suggest', term],
    queryFn: () => get<Page<Invoice>>('/api/v1/invoices', { buyerName: term, limit: 50 }),
    enabled: term.length >= 2,
    staleTime: 60_000,
  });
  const buyers = new Map<string, Invoice['buyer']>();
  for (const i of q.data?.items ?? []) if (!buyers.has(i.buyer.name)) buyers.set(i.buyer.name, i.buyer);
  return (
    <AutoComplete
      {...props}
      options={[...buyers.values()].slice(0, 10).map((b) => ({ value: b.name, label: `${b.name} ${b.taxId ?? ''}` }))}
      onSelect={(name: string) => {
        const b = buyers.get(name);
        if (b) onPick(b);
      }}
    >
      <Input data-testid="buyer-name" placeholder="输入名称，选择历史抬头" />
    </AutoComplete>
  );
}

/** 税收分类编码 with search by code or name; picking one fills the default rate and an empty name. */
function TaxCodeInput({
  onPick,
  ...props
}: {
  onPick: (c: TaxCodeItem) => void;
  value?: string;
  onChange?: (v: string) => void;
}) {
  const term = useDebounced((props.value ?? '').trim());
  const q = useQuery({
    queryKey: ['tax-codes', term],
    queryFn: () => get<{ items: TaxCodeItem[] }>('/api/v1/tax-codes', { q: term, limit: 20 }),
    enabled: term.length >= 1 && term.length < 19,
    staleTime: 5 * 60_000,
  });
  const items = q.data?.items ?? [];
  return (
    <AutoComplete
      {...props}
      popupMatchSelectWidth={420}
      options={items.map((c) => ({
        value: c.code,
        label: `${c.code} *${c.shortName}* ${c.name} ${formatTaxRatePercent(c.defaultRate || '0')}`,
      }))}
      onSelect={(code: string) => {
        const c = items.find((i) => i.code === code);
        if (c) onPick(c);
      }}
    >
      <Input placeholder="编码或名称" />
    </AutoComplete>
  );
}

export default function IssuePage() {
  const [form] = Form.useForm<IssueValues>();
  const message = useToast();
  const values = Form.useWatch([], form) as IssueValues | undefined;
  const [submitting, setSubmitting] = useState(false);
  const [issued, setIssued] = useState<Invoice | { serialNo: string; status: string } | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const orgs = useQuery({ queryKey: ['orgs'], queryFn: () => get<{ items: Org[] }>('/api/v1/orgs') });

  // Live totals and violations: the same src/tax rules the server applies.
  const check = useMemo(() => (values ? validateInvoiceDraft(toDraft(values)) : null), [values]);

  const setLine = (index: number, patch: Partial<LineValues>) => {
    const lines = [...(form.getFieldValue('lines') as LineValues[])];
    lines[index] = { ...lines[index], ...patch };
    form.setFieldValue('lines', lines);
  };
  const fillAmount = (index: number) => {
    const l = (form.getFieldValue('lines') as LineValues[])[index];
    const q = parseDecimal(l?.quantity);
    const p = parseDecimal(l?.unitPrice);
    if (q && p) setLine(index, { amount: roundHalfUp(q.times(p), 2).toFixed(2) });
  };
  /** 从商品档案添加: a line with the item's name, code, rate, unit and price (on the form's 含税 basis), quantity 1. */
  const addFromCatalogue = (item: CatalogueItem) => {
    const includes = form.getFieldValue('priceIncludesTax') === true;
    const price = catalogueUnitPrice(item, includes);
    const line: LineValues = {
      lineNature: 'normal',
      name: item.name,
      taxCode: item.taxCode,
      taxRate: item.taxRate,
      ...(item.spec ? { spec: item.spec } : {}),
      ...(item.unit ? { unit: item.unit } : {}),
      ...(price ? { quantity: '1', unitPrice: price, amount: roundHalfUp(price, 2).toFixed(2) } : {}),
    };
    const lines = [...((form.getFieldValue('lines') as LineValues[] | undefined) ?? [])];
    // A single untouched line is replaced rather than left empty above the item.
    const blank = lines.length === 1 && !lines[0]?.name && !lines[0]?.amount && !lines[0]?.taxCode;
    form.setFieldValue('lines', blank ? [line] : [...lines, line]);
  };
  const addDiscount = (index: number) => {
    const lines = [...(form.getFieldValue('lines') as LineValues[])];
    lines[index] = { ...lines[index], lineNature: 'discounted' };
    lines.splice(index + 1, 0, { lineNature: 'discount', amount: '' });
    form.setFieldValue('lines', lines);
  };
  const removeLine = (index: number) => {
    const lines = [...(form.getFieldValue('lines') as LineValues[])];
    const line = lines[index];
    if (line?.lineNature === 'discount') {
      lines.splice(index, 1);
      const prev = lines[index - 1];
      if (prev) lines[index - 1] = { ...prev, lineNature: 'normal' };
    } else {
      lines.splice(index, line?.lineNature === 'discounted' ? 2 : 1);
    }
    form.setFieldValue('lines', lines);
  };

  const submit = async () => {
    const v = form.getFieldsValue(true) as IssueValues;
    const result = validateInvoiceDraft(toDraft(v));
    if (!result.ok) {
      void message.error('请先修正标出的问题');
      return;
    }
    setSubmitting(true);
    setServerError(null);
    try {
      const { kind, seller, buyer, lines, remark } = toDraft(v);
      const body = { serialNo: newSerialNo(), kind, seller, buyer, lines, ...(remark ? { remark } : {}) };
      const inv = await post<Invoice | { serialNo: string; status: string }>('/api/v1/invoices?wait=10', body);
      setIssued(inv);
    } catch (err) {
      setServerError(errorMessage(err));
    } finally {
      setSubmitting(false);
    }
  };

  if (issued) {
    const status = STATUS_LABELS[issued.status]?.text ?? issued.status;
    const full = 'totals' in issued ? issued : null;
    return (
      <Card>
        <Result
          status={issued.status === 'issued' ? 'success' : issued.status === 'failed' ? 'error' : 'info'}
          title={`发票${status}`}
          subTitle={
            full
              ? `流水号 ${full.serialNo}，发票号码 ${full.number ?? '—'}，价税合计 ¥${money(full.totals.total)}`
              : `流水号 ${issued.serialNo}`
          }
          extra={[
            <Link
              key="view"
              to={`/invoices?serialNo=${encodeURIComponent(issued.serialNo)}&open=${encodeURIComponent(issued.serialNo)}`}
            >
              <Button type="primary">在销项发票中查看</Button>
            </Link>,
            <Button
              key="again"
              onClick={() => {
                setIssued(null);
              }}
            >
              继续开票
            </Button>,
          ]}
        />
      </Card>
    );
  }

  const violations = check && !check.ok ? check.violations : [];
  const totals = check?.ok ? check.invoice.totals : null;
  const lines = values?.lines ?? [];
  // A row's shape comes from the form's store as it is now: the watched `values` catch up a macrotask later
  // (rc-field-form batches watchers), so a new discount line read from them would first render as a normal line,
  // and what was typed into that short-lived row would be lost when it turns into the discount row.
  const lineAt = (index: number) => (form.getFieldValue(['lines', index]) as LineValues | undefined) ?? lines[index];

  return (
    <PageState loading={orgs.isPending} error={orgs.error} onRetry={() => void orgs.refetch()}>
      <Form<IssueValues>
        form={form}
        name="issue"
        layout="vertical"
        initialValues={{
          kind: '82',
          sellerTaxId: orgs.data?.items[0]?.taxId,
          priceIncludesTax: false,
          lines: [{ lineNature: 'normal', taxRate: '0.13' }],
        }}
        onFinish={submit}
      >
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Card title="开票信息">
            <Row gutter={16}>
              <Col span={12}>
                <Form.Item name="sellerTaxId" label="销售方" rules={[{ required: true, message: '请选择销售方' }]}>
                  <Select
                    options={(orgs.data?.items ?? []).map((o) => ({
                      value: o.taxId,
                      label: `${o.name}（${o.taxId}）`,
                    }))}
                  />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="kind" label="票种" rules={[{ required: true }]}>
                  <Select
                    options={INVOICE_KINDS.map((k) => ({ value: k, label: `${getInvoiceKindInfo(k).name}（${k}）` }))}
                  />
                </Form.Item>
              </Col>
            </Row>
          </Card>
          <Card title="购买方">
            <Row gutter={16}>
              <Col span={12}>
                <Form.Item
                  name={['buyer', 'name']}
                  label="名称"
                  rules={[{ required: true, message: '请输入购买方名称' }]}
                >
                  <BuyerNameInput
                    onPick={(b) =>
                      form.setFieldValue('buyer', {
                        name: b.name,
                        taxId: b.taxId ?? undefined,
                        address: b.address ?? undefined,
                        phone: b.phone ?? undefined,
                        bankName: b.bankName ?? undefined,
                        bankAccount: b.bankAccount ?? undefined,
                      })
                    }
                  />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name={['buyer', 'taxId']} label="纳税人识别号">
                  <Input placeholder="专票必填；个人可不填" />
                </Form.Item>
              </Col>
            </Row>
            <Collapse
              ghost
              items={[
                {
                  key: 'more',
                  label: '地址、电话、开户行（选填）',
                  forceRender: true,
                  children: (
                    <Row gutter={16}>
                      <Col span={12}>
                        <Form.Item name={['buyer', 'address']} label="地址">
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col span={12}>
                        <Form.Item name={['buyer', 'phone']} label="电话">
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col span={12}>
                        <Form.Item name={['buyer', 'bankName']} label="开户行">
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col span={12}>
                        <Form.Item name={['buyer', 'bankAccount']} label="账号">
                          <Input />
                        </Form.Item>
                      </Col>
                    </Row>
                  ),
                },
              ]}
            />
          </Card>
          <Card
            title="项目明细"
            extra={
              <Space>
                <span>单价/金额含税</span>
                <Form.Item name="priceIncludesTax" valuePropName="checked" noStyle>
                  <Switch data-testid="price-includes-tax" />
                </Form.Item>
              </Space>
            }
          >
            <div style={{ marginBottom: 12, maxWidth: 420 }}>
              <CataloguePicker
                sellerTaxId={values?.sellerTaxId}
                onPick={addFromCatalogue}
                placeholder="从商品档案添加（搜索名称或编码）"
                testId="issue-catalogue"
              />
            </div>
            <Form.List name="lines">
              {(fields, { add }) => (
                <>
                  {fields.map((field, index) => {
                    const nature = lineAt(index)?.lineNature ?? 'normal';
                    // Registered (hidden) so that useWatch sees the line's nature.
                    const natureField = (
                      <Form.Item name={[field.name, 'lineNature']} hidden noStyle>
                        <Input type="hidden" />
                      </Form.Item>
                    );
                    if (nature === 'discount') {
                      return (
                        <Row key={field.key} gutter={8} align="bottom" data-testid={`line-${index}`}>
                          {natureField}
                          <Col span={12}>
                            <Form.Item label="折扣行">
                              <Typography.Text type="secondary">
                                {lineAt(index - 1)?.name ?? ''}（与上一行同名、同编码、同税率）
                              </Typography.Text>
                            </Form.Item>
                          </Col>
                          <Col span={6}>
                            <Form.Item name={[field.name, 'amount']} label="折扣金额">
                              <Input prefix="-" placeholder="如 100.00" />
                            </Form.Item>
                          </Col>
                          <Col span={2}>
                            <Form.Item label=" ">
                              <Button icon={<DeleteOutlined />} onClick={() => removeLine(index)} />
                            </Form.Item>
                          </Col>
                        </Row>
                      );
                    }
                    return (
                      <Row key={field.key} gutter={8} align="bottom" data-testid={`line-${index}`}>
                        {natureField}
                        <Col span={4}>
                          <Form.Item name={[field.name, 'name']} label="项目名称">
                            <Input />
                          </Form.Item>
                        </Col>
                        <Col span={5}>
                          <Form.Item name={[field.name, 'taxCode']} label="税收分类编码">
                            <TaxCodeInput
                              onPick={(c) =>
                                setLine(index, {
                                  taxCode: c.code,
                                  ...(c.defaultRate ? { taxRate: c.defaultRate } : {}),
                                  ...(lineAt(index)?.name ? {} : { name: c.name }),
                                })
                              }
                            />
                          </Form.Item>
                        </Col>
                        <Col span={2}>
                          <Form.Item name={[field.name, 'spec']} label="规格型号">
                            <Input />
                          </Form.Item>
                        </Col>
                        <Col span={2}>
                          <Form.Item name={[field.name, 'unit']} label="单位">
                            <Input />
                          </Form.Item>
                        </Col>
                        <Col span={2}>
                          <Form.Item name={[field.name, 'quantity']} label="数量">
                            <Input onBlur={() => fillAmount(index)} />
                          </Form.Item>
                        </Col>
                        <Col span={2}>
                          <Form.Item name={[field.name, 'unitPrice']} label="单价">
                            <Input onBlur={() => fillAmount(index)} />
                          </Form.Item>
                        </Col>
                        <Col span={3}>
                          <Form.Item name={[field.name, 'amount']} label="金额">
                            <Input />
                          </Form.Item>
                        </Col>
                        <Col span={2}>
                          <Form.Item name={[field.name, 'taxRate']} label="税率">
                            <Select
                              options={CURRENT_TAX_RATES.map((r) => ({ value: r, label: formatTaxRatePercent(r) }))}
                            />
                          </Form.Item>
                        </Col>
                        <Col span={2}>
                          <Form.Item label=" ">
                            <Space.Compact>
                              {nature === 'normal' && (
                                <Button
                                  title="添加折扣"
                                  data-testid={`add-discount-${index}`}
                                  icon={<PercentageOutlined />}
                                  onClick={() => addDiscount(index)}
                                />
                              )}
                              <Button
                                title="删除"
                                icon={<DeleteOutlined />}
                                disabled={fields.length === 1}
                                onClick={() => removeLine(index)}
                              />
                            </Space.Compact>
                          </Form.Item>
                        </Col>
                      </Row>
                    );
                  })}
                  <Button
                    type="dashed"
                    block
                    icon={<PlusOutlined />}
                    onClick={() =>
                      add({
                        lineNature: 'normal',
                        taxRate: (form.getFieldValue('lines') as LineValues[] | undefined)?.at(-1)?.taxRate ?? '0.13',
                      })
                    }
                  >
                    添加明细行
                  </Button>
                </>
              )}
            </Form.List>
            <Form.Item name="remark" label="备注" style={{ marginTop: 16 }}>
              <Input.TextArea rows={2} maxLength={450} />
            </Form.Item>
          </Card>
          <Card title="合计" data-testid="totals">
            {totals ? (
              <Descriptions column={4} size="small">
                <Descriptions.Item label="合计金额">
                  <span data-testid="total-amount">¥{money(totals.amount)}</span>
                </Descriptions.Item>
                <Descriptions.Item label="合计税额">
                  <span data-testid="total-tax">¥{money(totals.tax)}</span>
                </Descriptions.Item>
                <Descriptions.Item label="价税合计">
                  <span data-testid="total-total">¥{money(totals.total)}</span>
                </Descriptions.Item>
                <Descriptions.Item label="大写">{totals.totalInWords}</Descriptions.Item>
              </Descriptions>
            ) : (
              <Typography.Text type="secondary">填写完整后显示合计</Typography.Text>
            )}
            {violations.length > 0 && (
              <Alert
                data-testid="violations"
                style={{ marginTop: 12 }}
                type="warning"
                showIcon
                message={`${violations.length} 个问题需要修正`}
                description={
                  <ul style={{ margin: 0, paddingLeft: 20 }}>
                    {violations.slice(0, 12).map((v) => (
                      <li key={`${v.code}${v.path}`}>{v.message}</li>
                    ))}
                  </ul>
                }
              />
            )}
            {serverError && (
              <Alert style={{ marginTop: 12 }} type="error" showIcon message={serverError} data-testid="issue-error" />
            )}
            <div style={{ marginTop: 16, textAlign: 'right' }}>
              <Button type="primary" htmlType="submit" size="large" loading={submitting} disabled={!check?.ok}>
                开具发票
              </Button>
            </div>
          </Card>
        </Space>
      </Form>
    </PageState>
  );
}
