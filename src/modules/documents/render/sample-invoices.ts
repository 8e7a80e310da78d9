/**
 * Sample invoices for tests, the benchmark and the docs screenshots (专票, 普票, red, multi-page). Fictitious
 * parties with valid-looking numbers; the QR payloads are built with the official format from src/tax.
 */
import {
  amountInWords,
  buildInvoiceQrPayload,
  fenToDecimalString,
  type InvoiceKind,
  toFen,
} from '../../../tax/index.js';
import type { DocumentLine, InvoiceDocument } from './invoice-document.js';

const SELLER = {
  name: '上海开源发票云科技有限公司',
  taxId: '91310115MA1K4Q8R5X',
  address: '上海市浦东新区张江路 88 号',
  phone: '021-55550188',
  bankName: '招商银行上海张江支行',
  bankAccount: '121900000010888',
};
const BUYER = {
  name: '北京测试科技有限公司',
  taxId: '91110000600037341L',
  address: null,
  phone: null,
  bankName: null,
  bankAccount: null,
};

const line = (name: string, amount: string, rate: string, tax: string, extra: Partial<DocumentLine> = {}) => ({
  name,
  taxCode: '3040201010000000000',
  spec: null,
  unit: null,
  quantity: null,
  unitPrice: null,
  amount,
  taxRate: rate,
  taxRateLabel: `${Math.round(Number(rate) * 100)}%`,
  tax,
  taxLabel: tax,
  ...extra,
});

/** A sample invoice; `lines` defaults to three lines, `kind` to 82 (数电普票). */
export function sampleInvoice(
  options: { kind?: '81' | '82'; red?: boolean; lineCount?: number; number?: string } = {},
): InvoiceDocument {
  const kind: InvoiceKind = options.kind ?? '82';
  const sign = options.red ? '-' : '';
  const lines: DocumentLine[] =
    options.lineCount === undefined
      ? [
          line('*信息技术服务*软件开发服务费', `${sign}8000.00`, '0.06', `${sign}480.00`, {
            unit: '项',
            quantity: `${sign}1`,
            unitPrice: '8000',
          }),
          line('*有色金属*铝锭', `${sign}1000.00`, '0.13', `${sign}130.00`, {
            spec: 'A00',
            unit: '吨',
            quantity: `${sign}2`,
            unitPrice: '500',
          }),
          line('*餐饮服务*工作餐', `${sign}100.00`, '0.06', `${sign}6.00`),
        ]
      : Array.from({ length: options.lineCount }, (_, i) =>
          line(`*现代服务*第${i + 1}号服务`, `${sign}100.00`, '0.06', `${sign}6.00`, {
            unit: '次',
            quantity: `${sign}1`,
            unitPrice: '100',
          }),
        );
  const amountFen = lines.reduce((s, l) => s + toFen(l.amount), 0);
  const taxFen = lines.reduce((s, l) => s + toFen(l.tax), 0);
  const total = fenToDecimalString(amountFen + taxFen);
  const number = options.number ?? (options.red ? '25312000000000000042' : '25312000000000000017');
  const issuedAt = Date.parse('2025-06-01T02:30:00Z');
  return {
    kind,
    kindName: kind === '81' ? '电子发票（增值税专用发票）' : '电子发票（普通发票）',
    isSpecial: kind === '81',
    isRed: options.red === true,
    number,
    issuedAt,
    seller: SELLER,
    buyer: BUYER,
    lines,
    totals: {
      amount: fenToDecimalString(amountFen),
      tax: fenToDecimalString(taxFen),
      total,
      totalInWords: amountInWords(total),
    },
    remark: options.red
      ? '被红冲蓝字数电票号码：25312000000000000017 红字发票信息确认单编号：31011525060100000001'
      : '项目编号 OF-2025-001',
    drawer: '王小明',
    qrPayload: buildInvoiceQrPayload({ kind, invoiceNumber: number, amount: total, issueDate: '2025-06-01' }),
    red: options.red ? { blueNumber: '25312000000000000017', formNo: '31011525060100000001' } : null,
    taxBureau: { code: '13100000000', name: '国家税务总局上海市税务局' },
  };
}
