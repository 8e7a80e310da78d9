/**
 * Manual entry (手工录入): what a person reads off a paper invoice — number, date, an amount, maybe the 发票代码 and
 * the 校验码 — checked against the tax rules (src/tax) and stored as an item without a file; verification fills in
 * the rest. Typing the same invoice twice gives a duplicate (duplicateOf), never a refusal.
 */
import { chinaDate } from '../../platform/clock.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId } from '../../platform/ids.js';
import {
  chinaYear,
  isDigitalReceivedKind,
  isValidLegacyInvoiceCode,
  isValidLegacyInvoiceNumber,
  RECEIVED_INVOICE_KINDS,
  type ReceivedInvoiceKind,
  receivedKindOfLegacyCode,
  toFen,
  validateDigitalInvoiceNumber,
} from '../../tax/index.js';
import { RECEIVED_ENTRY_INVALID } from './collection.errors.js';
import type { ReceivedSource } from './collection.tables.js';
import { enqueueProcessing, refreshDuplicates } from './intake.js';
import { findReceivedInvoice, insertReceivedInvoice } from './received.repo.js';
import { type ReceivedInvoiceView, toReceivedInvoiceViews } from './received-view.js';
import { extractionJson, receivedLinesJson } from './stored-json.js';

/** A manual entry as the API takes it (shapes checked by the route's schema). */
export interface ManualEntry {
  readonly number: string;
  /** YYYY-MM-DD. */
  readonly issueDate: string;
  /** 价税合计. */
  readonly total?: string;
  /** 金额 (不含税). */
  readonly amount?: string;
  /** Full 20 digits or the last 6. */
  readonly checkCode?: string;
  /** 发票代码 (legacy kinds). */
  readonly code?: string;
  readonly kind?: ReceivedInvoiceKind;
}

export interface ManualEntryProblem {
  readonly field: 'number' | 'code' | 'issueDate' | 'total' | 'amount' | 'checkCode' | 'kind';
  readonly message: string;
}

/** The entry's kind and its problems (empty = fine). `now` bounds the date and the number's year. */
export function checkManualEntry(
  entry: ManualEntry,
  now: number,
): { kind: ReceivedInvoiceKind; problems: ManualEntryProblem[] } {
  const problems: ManualEntryProblem[] = [];
  const number = entry.number;
  const code = entry.code ?? '';
  let kind: ReceivedInvoiceKind = entry.kind ?? 'other';
  if (/^\d{20}$/.test(number)) {
    const checked = validateDigitalInvoiceNumber(number, { now: new Date(now) });
    if (!checked.ok) {
      problems.push({
        field: 'number',
        message: checked.errors.includes('year_in_future')
          ? '发票号码中的年份晚于今年'
          : '数电发票号码应为 20 位数字，前两位为开票年份（21 起）',
      });
    }
    kind = entry.kind ?? '82';
    if (!isDigitalReceivedKind(kind))
      problems.push({ field: 'kind', message: '20 位发票号码属于数电发票，票种应为数电票种' });
    if (code !== '' && !['85', '86'].includes(kind))
      problems.push({ field: 'code', message: '数电发票没有发票代码，请留空' });
  } else if (/^\d{8}$/.test(number)) {
    if (!isValidLegacyInvoiceNumber(number)) problems.push({ field: 'number', message: '发票号码不能全为 0' });
    if (code === '') problems.push({ field: 'code', message: '8 位发票号码需同时填写 10 或 12 位发票代码' });
    else if (!isValidLegacyInvoiceCode(code)) problems.push({ field: 'code', message: '发票代码应为 10 或 12 位数字' });
    else {
      const byCode = receivedKindOfLegacyCode(code);
      if (entry.kind === undefined) {
        if (byCode) kind = byCode;
        else problems.push({ field: 'code', message: '无法从发票代码识别票种，请同时填写 kind' });
      }
    }
    if (entry.kind !== undefined && isDigitalReceivedKind(entry.kind))
      problems.push({ field: 'kind', message: '8 位发票号码不属于数电发票' });
  } else {
    problems.push({ field: 'number', message: '发票号码应为 20 位（数电发票）或 8 位（需同时填写发票代码）数字' });
  }
  const date = entry.issueDate;
  const parsed = Date.parse(`${date}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(parsed) ||
    new Date(parsed).toISOString().slice(0, 10) !== date
  ) {
    problems.push({ field: 'issueDate', message: '开票日期应为有效日期 YYYY-MM-DD' });
  } else {
    const today = chinaDate(now);
    if (date > today) problems.push({ field: 'issueDate', message: '开票日期不能晚于今天' });
    if (Number(date.slice(0, 4)) < chinaYear(new Date(now)) - 30)
      problems.push({ field: 'issueDate', message: '开票日期过早' });
  }
  if (entry.total === undefined && entry.amount === undefined)
    problems.push({ field: 'total', message: '请填写价税合计（total）或金额（amount）' });
  for (const field of ['total', 'amount'] as const) {
    const value = entry[field];
    if (value !== undefined && Number(value) <= 0) problems.push({ field, message: '金额应大于 0' });
  }
  if (entry.total !== undefined && entry.amount !== undefined && Number(entry.amount) > Number(entry.total))
    problems.push({ field: 'amount', message: '金额（不含税）不能大于价税合计' });
  if (entry.checkCode !== undefined && !/^\d{6}$|^\d{20}$/.test(entry.checkCode))
    problems.push({ field: 'checkCode', message: '校验码应为 20 位数字或其后 6 位' });
  if (entry.kind !== undefined && !(RECEIVED_INVOICE_KINDS as readonly string[]).includes(entry.kind))
    problems.push({ field: 'kind', message: '未知的票种' });
  return { kind, problems };
}

/** Stores a manual entry as an item (and its processing job, in one transaction); 422 with every problem otherwise. */
export async function enterReceivedInvoice(
  deps: Deps,
  input: {
    tenantId: string;
    entry: ManualEntry;
    source?: ReceivedSource;
    broughtBy?: string;
    buyerOrgId?: string | null;
    note?: string;
  },
): Promise<ReceivedInvoiceView> {
  const now = deps.clock.now();
  const { entry } = input;
  const { kind, problems } = checkManualEntry(entry, now);
  if (problems.length > 0) {
    throw new AppError(RECEIVED_ENTRY_INVALID, problems.map((p) => p.message).join('；'), { problems });
  }
  const manual = (fields: string[]) => Object.fromEntries(fields.map((f) => [f, 'manual']));
  const given = ['number', 'issueDate'];
  if (entry.code) given.push('code');
  if (entry.checkCode) given.push('checkCode');
  if (entry.total) given.push('totals.total');
  if (entry.amount) given.push('totals.amount');
  const db = deps.db.kysely;
  const item = await db.transaction().execute(async (trx) => {
    const row = await insertReceivedInvoice(trx, {
      id: newId('rcv', now),
      tenant_id: input.tenantId,
      file_id: null,
      index_in_file: 0,
      source: input.source ?? 'manual',
      source_ref: null,
      brought_by: input.broughtBy?.slice(0, 200) ?? null,
      buyer_org_id: input.buyerOrgId ?? null,
      note: input.note?.slice(0, 500) ?? null,
      kind,
      code: entry.code || null,
      number: entry.number,
      issue_date: entry.issueDate,
      check_code: entry.checkCode ?? null,
      seller_name: null,
      seller_tax_id: null,
      buyer_name: null,
      buyer_tax_id: null,
      amount_fen: entry.amount === undefined ? null : toFen(entry.amount),
      tax_fen:
        entry.amount !== undefined && entry.total !== undefined ? toFen(entry.total) - toFen(entry.amount) : null,
      total_fen: entry.total === undefined ? null : toFen(entry.total),
      is_red: 0,
      lines_json: receivedLinesJson.encode([]),
      remark: null,
      extraction_json: extractionJson.encode({
        format: 'manual',
        fieldSources: manual(given),
        confidence: Object.fromEntries(given.map((f) => [f, 1])),
        overallConfidence: 1,
        warnings: [],
        passenger: null,
        qrPayload: null,
      }),
      verification_status: 'pending',
      verified_at: null,
      compliance_result: 'pending',
      compliance_json: '[]',
      duplicate_of: null,
      usage_status: 'unused',
      created_at: now,
      updated_at: now,
      deleted_at: null,
    });
    if (!row) throw new Error('manual entry was not inserted');
    await enqueueProcessing(deps, trx, row);
    await refreshDuplicates(trx, row, now);
    return row;
  });
  deps.jobs.notify();
  const fresh = (await findReceivedInvoice(db, input.tenantId, item.id)) ?? item;
  const [view] = await toReceivedInvoiceViews(db, input.tenantId, [fresh]);
  return view!;
}
