/**
 * Random valid invoices as our renderer takes them (fast-check arbitrary): the oracle of the round-trip property
 * tests (parse-round-trip.test.ts through our renderer, parse-layouts.test.ts through foreign layouts).
 */
import fc from 'fast-check';
import type { InvoiceDocument } from '../../src/modules/documents/render/invoice-document.js';
import {
  amountInWords,
  buildInvoiceQrPayload,
  computeUsccCheckChar,
  fenToDecimalString,
  PROVINCE_CODES,
  USCC_ALPHABET,
} from '../../src/tax/index.js';

const HAN = '华东南北中西京沪粤浙苏川湘鄂豫皖闽赣鲁冀晋辽吉黑桂琼渝云贵陕甘青宁新藏明光远达信诚丰泰安和兴盛';
const SUFFIX = ['科技有限公司', '贸易有限公司', '餐饮管理有限公司', '信息技术股份有限公司', '建筑工程有限公司'];
const ITEMS = [
  '*信息技术服务*软件开发服务费',
  '*餐饮服务*餐费',
  '*有色金属*铝锭',
  '*现代服务*咨询服务',
  '*纸制品*打印纸',
];
const RATES = ['0.13', '0.09', '0.06', '0.03', '0.01'];
const PROVINCES = Object.keys(PROVINCE_CODES);

const han = (min: number, max: number) =>
  fc.array(fc.constantFrom(...HAN), { minLength: min, maxLength: max }).map((a) => a.join(''));
const companyName = fc.tuple(han(2, 6), fc.constantFrom(...SUFFIX)).map(([a, b]) => a + b);
const uscc = fc
  .tuple(
    fc.constantFrom('91', '92', '93'),
    fc.array(fc.constantFrom(...USCC_ALPHABET.slice(0, 10)), { minLength: 6, maxLength: 6 }),
    fc.array(fc.constantFrom(...USCC_ALPHABET), { minLength: 9, maxLength: 9 }),
  )
  .map(([a, b, c]) => {
    const first17 = a + b.join('') + c.join('');
    return first17 + computeUsccCheckChar(first17);
  });
const line = fc.record({
  name: fc.constantFrom(...ITEMS),
  amountFen: fc.integer({ min: 1, max: 5_000_000 }),
  rate: fc.constantFrom(...RATES),
  unit: fc.option(fc.constantFrom('项', '次', '吨', '个'), { nil: null }),
  quantity: fc.option(fc.integer({ min: 1, max: 99 }), { nil: null }),
});

export const invoice = fc
  .record({
    kind: fc.constantFrom('81' as const, '82' as const),
    yy: fc.integer({ min: 22, max: 26 }),
    province: fc.constantFrom(...PROVINCES),
    sequence: fc.bigInt({ min: 1n, max: 999_999_999_999_999n }),
    day: fc.integer({ min: 0, max: 1500 }),
    seller: fc.record({ name: companyName, taxId: uscc }),
    buyer: fc.record({ name: companyName, taxId: uscc }),
    lines: fc.array(line, { minLength: 1, maxLength: 5 }),
  })
  .map((g): InvoiceDocument => {
    const number = `${g.yy}${g.province}2${g.sequence.toString().padStart(15, '0')}`;
    const issuedAt = Date.UTC(2022, 0, 1, 2) + g.day * 86_400_000;
    const lines = g.lines.map((l) => {
      const taxFen = Math.round(l.amountFen * Number(l.rate));
      const quantity = l.quantity === null ? null : String(l.quantity);
      return {
        name: l.name,
        taxCode: '3040201010000000000',
        spec: null,
        unit: l.unit,
        quantity,
        unitPrice: null,
        amount: fenToDecimalString(l.amountFen),
        taxRate: l.rate,
        taxRateLabel: `${Math.round(Number(l.rate) * 100)}%`,
        tax: fenToDecimalString(taxFen),
        taxLabel: fenToDecimalString(taxFen),
      };
    });
    const amountFen = g.lines.reduce((s, l) => s + l.amountFen, 0);
    const taxFen = g.lines.reduce((s, l) => s + Math.round(l.amountFen * Number(l.rate)), 0);
    const total = fenToDecimalString(amountFen + taxFen);
    const date = new Date(issuedAt + 8 * 3600_000).toISOString().slice(0, 10);
    const party = (p: { name: string; taxId: string }) => ({
      ...p,
      address: null,
      phone: null,
      bankName: null,
      bankAccount: null,
    });
    return {
      kind: g.kind,
      kindName: g.kind === '81' ? '电子发票（增值税专用发票）' : '电子发票（普通发票）',
      isSpecial: g.kind === '81',
      isRed: false,
      number,
      issuedAt,
      seller: party(g.seller),
      buyer: party(g.buyer),
      lines,
      totals: {
        amount: fenToDecimalString(amountFen),
        tax: fenToDecimalString(taxFen),
        total,
        totalInWords: amountInWords(total),
      },
      remark: null,
      drawer: '张三',
      qrPayload: buildInvoiceQrPayload({ kind: g.kind, invoiceNumber: number, amount: total, issueDate: date }),
      red: null,
      taxBureau: { code: `1${g.province}00000000`, name: '国家税务总局' },
    };
  });
