/**
 * Cross-checks of a parsed invoice, each a warning (never a refusal): amount + tax = total, the amount in words
 * says the total, the QR payload agrees with the fields, tax ids pass the USCC check character, the number has
 * the structure of its kind, and the lines add up to the total amount.
 */
import {
  amountInWords,
  checkTaxId,
  isDigitalReceivedKind,
  PROVINCE_CODES,
  parseInvoiceQrPayload,
  TaxDecimal,
} from '../tax/index.js';
import type { InvoiceDraft } from './draft.js';
import { fieldLabel } from './draft.js';

export function crossCheck(d: InvoiceDraft): void {
  const amount = d.get('totals.amount');
  const tax = d.get('totals.tax');
  const total = d.get('totals.total');
  if (amount && tax && total && !new TaxDecimal(amount).plus(tax).eq(total)) {
    d.warn({
      code: 'TOTALS_MISMATCH',
      field: 'totals.total',
      message: `合计金额 ${amount} + 合计税额 ${tax} ≠ 价税合计 ${total}`,
    });
  }
  if (total && d.amountInWords) {
    const expected = canonWords(amountInWords(total));
    if (canonWords(d.amountInWords) !== expected) {
      d.warn({
        code: 'AMOUNT_IN_WORDS_MISMATCH',
        field: 'totals.total',
        message: `价税合计大写「${d.amountInWords}」与小写 ${total} 不符`,
      });
    }
  }
  if (d.qrPayload) checkQr(d, d.qrPayload);
  for (const field of ['seller.taxId', 'buyer.taxId'] as const) {
    const id = d.get(field);
    if (!id) continue;
    const check = checkTaxId(id);
    if (!check.ok) {
      d.warn({
        code: 'TAX_ID_CHECK_FAILED',
        field,
        message:
          check.reason === 'check_char'
            ? `${fieldLabel(field)} ${id} 的校验位不正确`
            : `${fieldLabel(field)} ${id} 的格式不正确`,
      });
    }
  }
  checkNumber(d);
  const lines = d.lines;
  if (amount && lines.length > 0 && lines.every((l) => l.amount !== null)) {
    const sum = lines.reduce((s, l) => s.plus(l.amount as string), new TaxDecimal(0));
    if (!sum.eq(amount)) {
      d.warn({
        code: 'LINES_TOTAL_MISMATCH',
        field: 'lines',
        message: `项目金额之和 ${sum.toFixed(2)} 与合计金额 ${amount} 不符`,
      });
    }
  }
  for (const field of ['number', 'issueDate', 'totals.total'] as const) {
    if (!d.get(field)) d.warn({ code: 'FIELD_MISSING', field, message: `未能读出${fieldLabel(field)}` });
  }
}

function canonWords(words: string): string {
  return words
    .replace(/\s+/g, '')
    .replace(/元/g, '圆')
    .replace(/正$/, '整')
    .replace(/[（(]负数[)）]/, '负');
}

function checkQr(d: InvoiceDraft, payload: string): void {
  const qr = parseInvoiceQrPayload(payload);
  if (!qr.ok) return;
  const q = qr.data;
  const mismatch = (what: string, qrValue: string, value: string | null) => {
    if (value !== null && value !== qrValue)
      d.warn({ code: 'QR_MISMATCH', message: `二维码中的${what} ${qrValue} 与票面 ${value} 不一致` });
  };
  mismatch('发票号码', q.invoiceNumber, d.get('number'));
  mismatch('开票日期', q.issueDate, d.get('issueDate'));
  if (q.invoiceCode) mismatch('发票代码', q.invoiceCode, d.get('code'));
  const amount = q.amountBasis === 'tax_inclusive' ? d.get('totals.total') : d.get('totals.amount');
  if (amount !== null && !new TaxDecimal(amount).eq(q.amount)) mismatch('金额', q.amount, amount);
  if (q.checkCode) mismatch('校验码', q.checkCode, d.get('checkCode'));
}

function checkNumber(d: InvoiceDraft): void {
  const number = d.get('number');
  const kind = d.get('kind');
  if (!number || !kind || kind === 'other') return;
  const fail = (message: string) => d.warn({ code: 'NUMBER_STRUCTURE', field: 'number', message });
  if (isDigitalReceivedKind(kind as Parameters<typeof isDigitalReceivedKind>[0])) {
    if (!/^\d{20}$/.test(number)) fail(`数电发票号码应为 20 位数字，读到 ${number}`);
    else if (Number(number.slice(0, 2)) < 21) fail(`发票号码 ${number} 的年份位不早于 21（数电票 2021 年试点）`);
    else if (!PROVINCE_CODES[number.slice(2, 4)]) fail(`发票号码 ${number} 的第 3–4 位不是已知的省级代码`);
    return;
  }
  if (!/^\d{8}$/.test(number) || /^0{8}$/.test(number)) fail(`发票号码应为 8 位数字，读到 ${number}`);
  const code = d.get('code');
  if (!code) fail('税控发票缺少发票代码');
}
