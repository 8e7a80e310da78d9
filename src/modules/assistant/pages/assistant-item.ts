/**
 * AssistantItem (docs/assistant.md#assistantitem): the pool view of a received invoice plus what the assistant page
 * needs to decide — `check` (may it be imported into this bill, and why not) and `claim` (how much of it other bills
 * claim already).
 */
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../../../platform/db/database.js';
import { fenToDecimalString, normalizeCompanyName, normalizeTaxId } from '../../../tax/index.js';
import {
  claimableFen,
  type ReceivedInvoice,
  type ReceivedInvoiceView,
  ReceivedInvoiceViewSchema,
  toReceivedInvoiceViews,
} from '../../collection/index.js';
import { BILL_INVOICE_NOT_ON_PLATFORM, BILL_INVOICE_REVERSED, BILL_INVOICE_VOID } from '../bills/bills.errors.js';
import { claimRefusal } from '../bills/save-bill.js';
import type { CompanyInfo } from '../events/create-event.js';
import { claimsOf, ownersOf } from '../folder/folder.repo.js';

export const CHECK_LEVELS = ['pass', 'warn', 'block', 'pending'] as const;
export type CheckLevel = (typeof CHECK_LEVELS)[number];

export interface ItemCheck {
  importable: boolean;
  level: CheckLevel;
  reasons: string[];
}

export interface ItemClaim {
  claimed: string;
  remaining: string;
  /** 已红冲: what red invoices reversed of it (价税合计, ≥ 0), taken off what may be claimed. */
  reversed: string;
}

export type AssistantItem = ReceivedInvoiceView & { check: ItemCheck; claim: ItemClaim };

/** OpenAPI/serialization schema of an AssistantItem. */
export const AssistantItemSchema = Type.Object({
  ...ReceivedInvoiceViewSchema.properties,
  check: Type.Object({
    importable: Type.Boolean(),
    level: Type.Enum(CHECK_LEVELS, { description: 'pass | warn | block | pending (查验或合规检查进行中)' }),
    reasons: Type.Array(Type.String()),
  }),
  claim: Type.Object({
    claimed: Type.String({ description: '已被单据报销的金额' }),
    remaining: Type.String({ description: '尚可报销的金额 (价税合计 − 已红冲 − 已报销)' }),
    reversed: Type.String({ description: '已红冲金额 (部分红冲时从可报销金额中扣除)' }),
  }),
});

/** Whether the invoice's buyer is one of the bill's companies (by tax id, or by normalised name); null: not known yet. */
export function buyerMatches(
  buyer: { name: string | null; taxId: string | null },
  companies: readonly CompanyInfo[],
): boolean | null {
  if (!buyer.taxId && !buyer.name) return null;
  const taxId = buyer.taxId ? normalizeTaxId(buyer.taxId) : null;
  const name = buyer.name ? normalizeCompanyName(buyer.name) : null;
  return companies.some(
    (c) =>
      (taxId !== null && normalizeTaxId(c.taxNo) === taxId) || (name !== null && normalizeCompanyName(c.name) === name),
  );
}

const RANK: Record<CheckLevel, number> = { pass: 0, warn: 1, pending: 2, block: 3 };

/** The check of one item against the bill's companies, its compliance, its owner and what remains to claim. */
export function checkItem(
  view: ReceivedInvoiceView,
  companies: readonly CompanyInfo[],
  options: { ownedByOther: boolean; remainingFen: number; reversedFen?: number; verificationRefusal?: string | null },
): ItemCheck {
  let level: CheckLevel = 'pass';
  const reasons: string[] = [];
  const raise = (to: CheckLevel, reason?: string) => {
    if (RANK[to] > RANK[level]) level = to;
    if (reason && !reasons.includes(reason)) reasons.push(reason);
  };
  if (options.ownedByOther) raise('block', '该发票已在其他员工的票夹中');
  // What billSave refuses after verification (red-reversed, void, not on the platform), in its words: never
  // importable, whatever the tenant's compliance rules say.
  if (options.verificationRefusal) raise('block', options.verificationRefusal);
  const matches = buyerMatches(view.buyer, companies);
  if (matches === false) {
    raise(
      'block',
      `发票抬头与单据公司不符：发票购买方为 ${view.buyer.name ?? view.buyer.taxId ?? '未知'}，单据公司为 ${companies
        .map((c) => c.name)
        .join('、')}`,
    );
  }
  const compliance = view.compliance.result;
  const failed = (lvl: 'block' | 'warn') =>
    view.compliance.findings.filter((f) => f.outcome === 'fail' && f.level === lvl).map((f) => f.reason);
  if (compliance === 'block') for (const r of failed('block')) raise('block', r);
  if (compliance === 'block' && !reasons.length) raise('block', '合规检查未通过');
  if (compliance === 'warn') for (const r of failed('warn')) raise('warn', r);
  if (matches === null || compliance === 'pending' || view.verification.status === 'pending') {
    raise('pending', matches === null ? '等待查验结果以核对发票抬头' : undefined);
  }
  const importable = (level === 'pass' || level === 'warn') && options.remainingFen > 0;
  if ((level === 'pass' || level === 'warn') && options.remainingFen <= 0) {
    reasons.push(
      view.totals.total === null
        ? '发票金额未知，暂不能报销'
        : (options.reversedFen ?? 0) > 0
          ? '发票已部分红冲，其余金额已全部报销'
          : '发票已全额报销',
    );
  }
  return { importable, level, reasons };
}

/** The codes of billSave's refusals that come from verification (compliance and totals are checked above). */
const VERIFICATION_REFUSALS: ReadonlySet<string> = new Set([
  BILL_INVOICE_REVERSED.code,
  BILL_INVOICE_VOID.code,
  BILL_INVOICE_NOT_ON_PLATFORM.code,
]);

/** billSave's refusal of any claim on the row because of its verification (the same function), as a reason. */
function verificationRefusalOf(row: ReceivedInvoice): string | null {
  const refusal = claimRefusal(row, 0);
  return refusal && VERIFICATION_REFUSALS.has(refusal.code) ? refusal.message : null;
}

/** AssistantItems of the rows, checked against the bill's companies and the folder of `employeeId`. */
export async function toAssistantItems(
  db: Kysely<Database>,
  tenantId: string,
  rows: readonly ReceivedInvoice[],
  companies: readonly CompanyInfo[],
  employeeId: string | null,
): Promise<AssistantItem[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [views, claims, owners] = await Promise.all([
    toReceivedInvoiceViews(db, tenantId, rows),
    claimsOf(db, tenantId, ids),
    employeeId === null ? Promise.resolve(new Map<string, string>()) : ownersOf(db, tenantId, ids),
  ]);
  return views.map((view, i) => {
    const row = rows[i]!;
    const claimedFen = claims.get(row.id)?.claimedFen ?? 0;
    const remainingFen = Math.max(0, claimableFen(row) - claimedFen);
    const reversedFen = row.total_fen === null ? 0 : Number(row.total_fen) - claimableFen(row);
    const owner = owners.get(row.id);
    return {
      ...view,
      check: checkItem(view, companies, {
        ownedByOther: employeeId !== null && owner !== undefined && owner !== employeeId,
        remainingFen,
        reversedFen,
        verificationRefusal: verificationRefusalOf(row),
      }),
      claim: {
        claimed: fenToDecimalString(claimedFen),
        remaining: fenToDecimalString(remainingFen),
        reversed: fenToDecimalString(reversedFen),
      },
    };
  });
}

/** Remaining claimable fen of a row (total − claimed). */
export async function remainingFenOf(db: Kysely<Database>, tenantId: string, rows: readonly ReceivedInvoice[]) {
  const claims = await claimsOf(
    db,
    tenantId,
    rows.map((r) => r.id),
  );
  return new Map(rows.map((r) => [r.id, Math.max(0, claimableFen(r) - (claims.get(r.id)?.claimedFen ?? 0))]));
}
