/**
 * 查验 on the simulated national platform (#14 §3, tax-rules §4), as {@link VerificationChannel}: the platform holds
 * every invoice issued on this instance by ANY tenant (the ledger) plus the operator's imports, and answers only when
 * the kind-specific inputs match — number + date + 价税合计 for 数电, + 发票代码 and 不含税金额 for legacy 专票,
 * 校验码后 6 位 for legacy 普票. A tenant learns nothing beyond what 查验 returns for the inputs it supplied.
 *
 * Order of the checks: input format → 超过五年 (issue date more than five years before today, China time) →
 * 查无此票 → the day's check counter of that invoice (every query addressed to an existing invoice counts, matched or
 * not, so the fourth input cannot be guessed: 5 a day, then 超过查验次数) → 不一致 (the first input that differs) →
 * the platform's status (作废, 已红冲, 部分红冲, 正常).
 */
import {
  fenToDecimalString,
  parseDecimal,
  receivedVerificationInputs,
  toFen,
  type VerificationInputSpec,
} from '../../../tax/index.js';
import type { ChannelScope } from '../issuing-channel.js';
import type {
  VerificationMismatchField,
  VerificationQuery,
  VerificationResult,
  VerificationStatus,
  VerifiedInvoice,
  VerifiedInvoiceLine,
} from '../verification-channel.js';
import { hasFailureInjection, injectFailure, startCall, timeoutAfterCommitError } from './failure-injection.js';
import { type LedgerRow, parseLedgerLines } from './ledger-rows.js';
import { chinaDateParts } from './numbering.js';
import type { SandboxContext } from './sandbox-context.js';
import { importLinesJson } from './stored-json.js';
import { countCheck, findImportedInvoice, findPlatformLedgerRow, type ImportedInvoiceRow } from './verify.repo.js';

/** 查验 allowed per invoice per China day (tax-rules §4). */
export const MAX_CHECKS_PER_DAY = 5;
/** Invoices issued more than this many years before today cannot be verified (tax-rules §4). */
export const VERIFIABLE_YEARS = 5;

/** An invoice as the platform holds it, from the ledger or the import table. */
interface PlatformRecord {
  readonly invoice: VerifiedInvoice;
  readonly checkCode: string | null;
  readonly amountFen: number;
  readonly totalFen: number;
  readonly status: Extract<VerificationStatus, 'normal' | 'red_reversed' | 'partly_red' | 'void'>;
}

/** Serialises imported lines for `sandbox_verify_imports.lines_json`. */
export function encodeImportLines(lines: readonly VerifiedInvoiceLine[]): string {
  return importLinesJson.encode([...lines]);
}

function fromLedger(row: LedgerRow): PlatformRecord {
  const status =
    row.status === 'reversed' ? 'red_reversed' : row.status === 'partially_reversed' ? 'partly_red' : 'normal';
  return {
    status,
    checkCode: row.check_code,
    amountFen: Number(row.amount_fen),
    totalFen: Number(row.total_fen),
    invoice: {
      kind: row.kind,
      code: row.code === '' ? null : row.code,
      number: row.number,
      issueDate: chinaDateParts(Number(row.issued_at)).date,
      seller: { name: row.seller_name, taxId: row.seller_tax_id },
      buyer: { name: row.buyer_name, taxId: row.buyer_tax_id },
      amount: fenToDecimalString(Number(row.amount_fen)),
      tax: fenToDecimalString(Number(row.tax_fen)),
      total: fenToDecimalString(Number(row.total_fen)),
      lines: parseLedgerLines(row).map((l) => ({
        name: l.name,
        spec: null,
        unit: null,
        quantity: l.quantity,
        unitPrice: null,
        amount: fenToDecimalString(l.amountFen),
        taxRate: l.taxRate,
        taxAmount: fenToDecimalString(l.taxFen),
      })),
      remark: null,
      redAmount: fenToDecimalString(Number(row.red_amount_fen)),
      redTax: fenToDecimalString(Number(row.red_tax_fen)),
    },
  };
}

function fromImport(row: ImportedInvoiceRow): PlatformRecord {
  return {
    status: row.status as PlatformRecord['status'],
    checkCode: row.check_code,
    amountFen: Number(row.amount_fen),
    totalFen: Number(row.total_fen),
    invoice: {
      kind: row.kind,
      code: row.code === '' ? null : row.code,
      number: row.number,
      issueDate: row.issue_date,
      seller: { name: row.seller_name, taxId: row.seller_tax_id },
      buyer: { name: row.buyer_name, taxId: row.buyer_tax_id },
      amount: fenToDecimalString(Number(row.amount_fen)),
      tax: fenToDecimalString(Number(row.tax_fen)),
      total: fenToDecimalString(Number(row.total_fen)),
      lines: importLinesJson.decode(row.lines_json),
      remark: row.remark,
      redAmount: fenToDecimalString(Number(row.red_amount_fen)),
      redTax: fenToDecimalString(Number(row.red_tax_fen)),
    },
  };
}

/** The day five years before `today` (YYYY-MM-DD): older issue dates are 超过五年. */
export function oldestVerifiableDate(today: string): string {
  return `${String(Number(today.slice(0, 4)) - VERIFIABLE_YEARS).padStart(4, '0')}${today.slice(4)}`;
}

function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const answer = (
  status: VerificationStatus,
  message: string,
  extra: { mismatchField?: VerificationMismatchField; invoice?: VerifiedInvoice } = {},
): VerificationResult => ({ status, message, ...extra });

/** Verifies one invoice against the whole platform (every tenant's ledger, then the imports). */
export async function verifyOnPlatform(
  ctx: SandboxContext,
  scope: ChannelScope,
  query: VerificationQuery,
): Promise<VerificationResult> {
  const settings = await startCall(ctx, scope.tenantId);
  const timeoutRule = hasFailureInjection(settings)
    ? await injectFailure(ctx, scope.tenantId, settings, {
        operation: 'verify',
        buyerName: '',
        sellerTaxId: '',
        kind: '',
        amount: query.total ?? query.amount ?? '0',
      })
    : null;
  const result = await answerQuery(ctx, query);
  if (timeoutRule) throw timeoutAfterCommitError(timeoutRule);
  return result;
}

async function answerQuery(ctx: SandboxContext, query: VerificationQuery): Promise<VerificationResult> {
  const number = query.number.slice(0, 32).trim();
  const code = (query.code ?? '').slice(0, 32).trim();
  const issueDate = query.issueDate.slice(0, 16).trim();
  const digital = /^\d{20}$/.test(number);
  if (!digital && !/^\d{8}$/.test(number)) return answer('not_found', '查无此票：发票号码须是20位（数电）或8位数字');
  if (!digital && !/^\d{10}$|^\d{12}$/.test(code))
    return answer('not_found', '查无此票：税控发票须提供10或12位发票代码');
  if (!isIsoDate(issueDate)) return answer('mismatch', '开票日期格式不正确', { mismatchField: 'issueDate' });
  const today = chinaDateParts(ctx.clock.now()).date;
  if (issueDate < oldestVerifiableDate(today)) {
    return answer('too_old', `超过五年：开票日期早于 ${oldestVerifiableDate(today)} 的发票不能查验`);
  }
  const lookupCode = digital ? '' : code;
  const ledger = await findPlatformLedgerRow(ctx.db, number, lookupCode);
  const imported = ledger ? undefined : await findImportedInvoice(ctx.db, number, lookupCode);
  const record = ledger ? fromLedger(ledger) : imported ? fromImport(imported) : null;
  if (!record) return answer('not_found', '查无此票');
  const checks = await countCheck(ctx.db, { number, code: lookupCode, day: today });
  if (checks > MAX_CHECKS_PER_DAY) {
    return answer('too_many_checks', `超过查验次数：同一张发票每天最多查验${MAX_CHECKS_PER_DAY}次，请明天再查`);
  }
  const mismatch = firstMismatch(record, issueDate, query);
  if (mismatch) return answer('mismatch', mismatch.message, { mismatchField: mismatch.field });
  const invoice = record.invoice;
  switch (record.status) {
    case 'void':
      return answer('void', '该发票已作废', { invoice });
    case 'red_reversed':
      return answer('red_reversed', '该发票已全额红冲', { invoice });
    case 'partly_red':
      return answer('partly_red', `该发票已部分红冲（已红冲金额 ${invoice.redAmount}，税额 ${invoice.redTax}）`, {
        invoice,
      });
    default:
      return answer('normal', '查验一致，发票状态正常', { invoice });
  }
}

/** The first input that does not match the platform's record (date, then the kind's fourth input). */
function firstMismatch(
  record: PlatformRecord,
  issueDate: string,
  query: VerificationQuery,
): { field: VerificationMismatchField; message: string } | null {
  if (record.invoice.issueDate !== issueDate) return { field: 'issueDate', message: '不一致：开票日期不符' };
  const spec = receivedVerificationInputs(record.invoice.kind) as VerificationInputSpec;
  const label = spec.fourthLabel;
  if (spec.fourth === 'check_code_last6') {
    const given = (query.checkCodeLast6 ?? '').slice(0, 8).trim();
    if (!/^\d{6}$/.test(given)) return { field: 'checkCode', message: `不一致：缺少${label}` };
    return record.checkCode?.slice(-6) === given ? null : { field: 'checkCode', message: `不一致：${label}不符` };
  }
  const byTotal = spec.fourth === 'total_with_tax' || spec.fourth === 'used_car_total';
  const field: VerificationMismatchField = byTotal ? 'total' : 'amount';
  const raw = (byTotal ? query.total : query.amount)?.slice(0, 32) ?? null;
  const given = raw === null ? null : parseDecimal(raw.trim());
  if (!given) return { field, message: `不一致：缺少${label}` };
  const expected = byTotal ? record.totalFen : record.amountFen;
  return toFen(given) === expected ? null : { field, message: `不一致：${label}不符` };
}
