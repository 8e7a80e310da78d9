/**
 * The operator's import format for the sandbox's 查验 (docs/collection.md#import-format): JSON lines (one invoice
 * object per line) or CSV with a header row. Pure: text in, rows or per-line errors out. Every field is capped in
 * length before any pattern is applied, and every pattern is linear.
 */
import {
  isDigitalReceivedKind,
  parseDecimal,
  RECEIVED_INVOICE_KINDS,
  type ReceivedInvoiceKind,
  toFen,
  usesCheckCode,
} from '../../../tax/index.js';
import type { VerifiedInvoiceLine } from '../verification-channel.js';

/** Largest import file (bytes) and line (characters), and most rows of one import. */
export const IMPORT_LIMITS = { maxBytes: 50 * 1024 * 1024, maxLineChars: 256 * 1024, maxRows: 200_000 } as const;

/** Statuses an imported invoice may carry. */
export const IMPORT_STATUSES = ['normal', 'void', 'red_reversed', 'partly_red'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** The CSV columns, in any order (header row required; `code`, `checkCode`, buyer tax id, remark, status, red amounts optional). */
export const IMPORT_CSV_COLUMNS = [
  'kind',
  'code',
  'number',
  'issueDate',
  'checkCode',
  'sellerName',
  'sellerTaxId',
  'buyerName',
  'buyerTaxId',
  'amount',
  'tax',
  'total',
  'remark',
  'status',
  'redAmount',
  'redTax',
] as const;

/** One valid invoice of an import. */
export interface ImportedInvoice {
  readonly kind: ReceivedInvoiceKind;
  /** '' for 数电. */
  readonly code: string;
  readonly number: string;
  readonly issueDate: string;
  readonly checkCode: string | null;
  readonly sellerName: string;
  readonly sellerTaxId: string;
  readonly buyerName: string;
  readonly buyerTaxId: string | null;
  readonly amountFen: number;
  readonly taxFen: number;
  readonly totalFen: number;
  readonly lines: readonly VerifiedInvoiceLine[];
  readonly remark: string | null;
  readonly status: ImportStatus;
  /** ≤ 0. */
  readonly redAmountFen: number;
  readonly redTaxFen: number;
}

/** A problem of one line (1-based line number of the file). */
export interface ImportLineError {
  readonly line: number;
  readonly message: string;
}

export type ImportParseResult =
  | { readonly ok: true; readonly format: 'jsonl' | 'csv'; readonly rows: ImportedInvoice[] }
  | { readonly ok: false; readonly format: 'jsonl' | 'csv' | null; readonly errors: ImportLineError[] };

const MAX_ERRORS = 100;

/** Parses an import file: JSON lines when its first non-blank character is `{`, else CSV. */
export function parseLedgerImport(text: string): ImportParseResult {
  if (text.length > IMPORT_LIMITS.maxBytes) {
    return {
      ok: false,
      format: null,
      errors: [{ line: 0, message: `文件过大（最多 ${IMPORT_LIMITS.maxBytes} 字节）` }],
    };
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const format = body.trimStart().startsWith('{') ? 'jsonl' : 'csv';
  const records = format === 'jsonl' ? jsonlRecords(body) : csvRecords(body);
  const rows: ImportedInvoice[] = [];
  const errors: ImportLineError[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    if (errors.length >= MAX_ERRORS) break;
    if ('error' in record) {
      errors.push({ line: record.line, message: record.error });
      continue;
    }
    const checked = checkRow(record.fields);
    if (typeof checked === 'string') {
      errors.push({ line: record.line, message: checked });
      continue;
    }
    const key = `${checked.code}:${checked.number}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ line: record.line, message: `与第 ${first} 行重复（发票代码+号码相同）` });
      continue;
    }
    seen.set(key, record.line);
    rows.push(checked);
    if (rows.length > IMPORT_LIMITS.maxRows) {
      errors.push({ line: record.line, message: `行数过多（最多 ${IMPORT_LIMITS.maxRows} 行）` });
      break;
    }
  }
  if (errors.length > 0) return { ok: false, format, errors };
  if (rows.length === 0) return { ok: false, format, errors: [{ line: 0, message: '文件中没有发票' }] };
  return { ok: true, format, rows };
}

type RawRecord = { line: number; fields: Record<string, unknown> } | { line: number; error: string };

function* lines(text: string): Generator<{ line: number; text: string }> {
  let start = 0;
  let line = 1;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    yield { line, text: text.slice(start, stop).replace(/\r$/, '') };
    if (end === -1) return;
    start = end + 1;
    line++;
  }
}

function* jsonlRecords(text: string): Generator<RawRecord> {
  for (const { line, text: raw } of lines(text)) {
    if (raw.trim() === '') continue;
    if (raw.length > IMPORT_LIMITS.maxLineChars) {
      yield { line, error: `行过长（最多 ${IMPORT_LIMITS.maxLineChars} 个字符）` };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      yield { line, error: '不是合法的 JSON' };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line, error: '每行须是一个 JSON 对象' };
      continue;
    }
    const o = value as Record<string, unknown>;
    const seller = (o.seller ?? {}) as Record<string, unknown>;
    const buyer = (o.buyer ?? {}) as Record<string, unknown>;
    yield {
      line,
      fields: {
        ...o,
        sellerName: o.sellerName ?? seller.name,
        sellerTaxId: o.sellerTaxId ?? seller.taxId,
        buyerName: o.buyerName ?? buyer.name,
        buyerTaxId: o.buyerTaxId ?? buyer.taxId,
      },
    };
  }
}

/** RFC 4180 fields of one CSV text (quoted fields may span lines); linear in the text. */
function* csvRecords(text: string): Generator<RawRecord> {
  let header: string[] | null = null;
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let recordChars = 0;
  const finish = function* (): Generator<RawRecord> {
    fields.push(field);
    const current = fields;
    fields = [];
    field = '';
    if (current.length === 1 && current[0]?.trim() === '') return;
    if (recordChars > IMPORT_LIMITS.maxLineChars) {
      yield { line: recordLine, error: `行过长（最多 ${IMPORT_LIMITS.maxLineChars} 个字符）` };
      return;
    }
    if (!header) {
      header = current.map((h) => h.trim());
      const unknown = header.filter((h) => !(IMPORT_CSV_COLUMNS as readonly string[]).includes(h));
      if (unknown.length > 0) yield { line: recordLine, error: `未知的列：${unknown.slice(0, 5).join('、')}` };
      return;
    }
    if (current.length !== header.length) {
      yield { line: recordLine, error: `列数 ${current.length} 与表头的 ${header.length} 列不一致` };
      return;
    }
    const record: Record<string, unknown> = {};
    header.forEach((h, i) => {
      const v = current[i] ?? '';
      if (v !== '') record[h] = v;
    });
    yield { line: recordLine, fields: record };
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    recordChars++;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        if (recordChars <= IMPORT_LIMITS.maxLineChars) field += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n') {
      if (field.endsWith('\r')) field = field.slice(0, -1);
      yield* finish();
      line++;
      recordLine = line;
      recordChars = 0;
    } else if (recordChars <= IMPORT_LIMITS.maxLineChars) field += c;
  }
  if (quoted) {
    yield { line: recordLine, error: '引号未闭合' };
    return;
  }
  if (field !== '' || fields.length > 0) yield* finish();
  if (!header) yield { line: 1, error: '缺少表头行' };
}

const str = (v: unknown, max: number): string | null | 'too_long' | 'not_string' => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') return typeof v === 'number' ? String(v) : 'not_string';
  if (v.length > max) return 'too_long';
  const t = v.trim();
  return t === '' ? null : t;
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TAX_ID = /^[0-9A-Z]{15,20}$/;
const MONEY = /^-?\d{1,13}(\.\d{1,2})?$/;

function validDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** A checked row, or the first problem in Chinese. */
function checkRow(f: Record<string, unknown>): ImportedInvoice | string {
  const text: Record<string, string | null> = {};
  const caps: Record<string, number> = {
    kind: 8,
    code: 16,
    number: 24,
    issueDate: 16,
    checkCode: 24,
    sellerName: 200,
    sellerTaxId: 24,
    buyerName: 200,
    buyerTaxId: 24,
    amount: 24,
    tax: 24,
    total: 24,
    remark: 500,
    status: 16,
    redAmount: 24,
    redTax: 24,
  };
  for (const [name, max] of Object.entries(caps)) {
    const v = str(f[name], max);
    if (v === 'too_long') return `${name} 过长（最多 ${max} 个字符）`;
    if (v === 'not_string') return `${name} 须是字符串`;
    text[name] = v;
  }
  const kind = text.kind;
  if (!kind || kind === 'other' || !(RECEIVED_INVOICE_KINDS as readonly string[]).includes(kind)) {
    return `kind 须是票种代码之一：${RECEIVED_INVOICE_KINDS.filter((k) => k !== 'other').join(', ')}`;
  }
  const k = kind as ReceivedInvoiceKind;
  const number = text.number ?? '';
  const code = text.code ?? '';
  if (isDigitalReceivedKind(k)) {
    if (!/^\d{20}$/.test(number)) return '数电发票的 number 须是 20 位数字';
    if (code !== '') return '数电发票没有发票代码（code 须为空）';
  } else {
    if (!/^\d{8}$/.test(number) || number === '00000000') return 'number 须是 8 位数字';
    if (!/^\d{10}$|^\d{12}$/.test(code)) return '税控发票的 code（发票代码）须是 10 或 12 位数字';
  }
  if (!text.issueDate || !validDate(text.issueDate)) return 'issueDate 须是 YYYY-MM-DD 格式的日期';
  const checkCode = text.checkCode ?? null;
  if (checkCode !== null && !/^\d{6,20}$/.test(checkCode)) return 'checkCode（校验码）须是 6 到 20 位数字';
  if (usesCheckCode(k) && checkCode === null) return '该票种查验需校验码，checkCode 不能为空';
  if (!text.sellerName) return 'sellerName（销方名称）不能为空';
  const sellerTaxId = text.sellerTaxId?.toUpperCase() ?? '';
  if (!TAX_ID.test(sellerTaxId)) return 'sellerTaxId（销方税号）须是 15 到 20 位数字或大写字母';
  if (!text.buyerName) return 'buyerName（购方名称）不能为空';
  const buyerTaxId = text.buyerTaxId?.toUpperCase() ?? null;
  if (buyerTaxId !== null && !TAX_ID.test(buyerTaxId)) return 'buyerTaxId（购方税号）须是 15 到 20 位数字或大写字母';
  const money: Record<string, number | null> = {};
  for (const name of ['amount', 'tax', 'total', 'redAmount', 'redTax']) {
    const v = text[name] ?? null;
    if (v === null) {
      money[name] = null;
      continue;
    }
    if (!MONEY.test(v)) return `${name} 须是最多两位小数的金额`;
    const d = parseDecimal(v);
    if (!d) return `${name} 须是最多两位小数的金额`;
    money[name] = toFen(d);
  }
  const { amount, tax, total } = money;
  if (amount === null || amount === undefined || tax === null || tax === undefined) return 'amount 和 tax 不能为空';
  const totalFen = total ?? amount + tax;
  if (amount + tax !== totalFen) return 'amount + tax 须等于 total';
  const status = (text.status ?? 'normal') as ImportStatus;
  if (!(IMPORT_STATUSES as readonly string[]).includes(status)) return `status 须是 ${IMPORT_STATUSES.join('、')} 之一`;
  let redAmountFen = money.redAmount ?? 0;
  let redTaxFen = money.redTax ?? 0;
  if (redAmountFen > 0 || redTaxFen > 0) return 'redAmount、redTax（已红冲金额）须为负数或 0';
  if (status === 'red_reversed' && money.redAmount == null && money.redTax == null) {
    redAmountFen = -amount;
    redTaxFen = -tax;
  }
  if (status === 'red_reversed' && (redAmountFen !== -amount || redTaxFen !== -tax)) {
    return 'red_reversed（全额红冲）的 redAmount、redTax 须等于金额、税额的相反数';
  }
  if (status === 'partly_red') {
    if (redAmountFen === 0 && redTaxFen === 0) return 'partly_red（部分红冲）须给出 redAmount';
    if (-redAmountFen > amount || -redTaxFen > tax) return '部分红冲金额不能超过发票金额';
    if (redAmountFen === -amount && redTaxFen === -tax) return '红冲金额等于发票金额：应为 red_reversed';
  }
  const lines = checkLines(f.lines);
  if (typeof lines === 'string') return lines;
  return {
    kind: k,
    code,
    number,
    issueDate: text.issueDate,
    checkCode,
    sellerName: text.sellerName,
    sellerTaxId,
    buyerName: text.buyerName,
    buyerTaxId,
    amountFen: amount,
    taxFen: tax,
    totalFen,
    lines,
    remark: text.remark ?? null,
    status,
    redAmountFen,
    redTaxFen,
  };
}

function checkLines(value: unknown): VerifiedInvoiceLine[] | string {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return 'lines 须是数组';
  if (value.length > 2000) return 'lines 最多 2000 行';
  const out: VerifiedInvoiceLine[] = [];
  for (const [i, raw] of value.entries()) {
    if (typeof raw !== 'object' || raw === null) return `lines[${i}] 须是对象`;
    const o = raw as Record<string, unknown>;
    const get = (name: string, max: number) => str(o[name], max);
    const fields: Record<string, string | null> = {};
    for (const [name, max] of Object.entries({
      name: 200,
      spec: 100,
      unit: 40,
      quantity: 32,
      unitPrice: 32,
      amount: 24,
      taxRate: 16,
      taxAmount: 24,
    })) {
      const v = get(name, max);
      if (v === 'too_long' || v === 'not_string') return `lines[${i}].${name} 不正确`;
      fields[name] = v;
    }
    if (!fields.name) return `lines[${i}].name 不能为空`;
    for (const name of ['amount', 'taxAmount']) {
      const v = fields[name];
      if (!v || !MONEY.test(v)) return `lines[${i}].${name} 须是最多两位小数的金额`;
    }
    for (const name of ['quantity', 'unitPrice']) {
      const v = fields[name];
      if (v && !/^-?\d{1,16}(\.\d{1,15})?$/.test(v)) return `lines[${i}].${name} 须是数字`;
    }
    out.push({
      name: fields.name,
      spec: fields.spec ?? null,
      unit: fields.unit ?? null,
      quantity: fields.quantity ?? null,
      unitPrice: fields.unitPrice ?? null,
      amount: fields.amount as string,
      taxRate: fields.taxRate ?? null,
      taxAmount: fields.taxAmount as string,
    });
  }
  return out;
}
