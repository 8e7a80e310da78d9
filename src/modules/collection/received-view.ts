import type { Kysely } from 'kysely';
import { toIsoCst } from '../../platform/clock.js';
import type { Database } from '../../platform/db/database.js';
import {
  type DeductionFacts,
  type DeductionRecord,
  fenToDecimalString,
  poolDeductionState,
  RECEIVED_INVOICE_KIND_NAMES,
  type ReceivedInvoiceKind,
  toFen,
} from '../../tax/index.js';
import { actorDisplayNames, actorNameOf } from '../auth/index.js';
import type { ReceivedFile, ReceivedInvoice } from './collection.tables.js';
import { findFilesByIds } from './received.repo.js';
import { claimableFen } from './received-usage.js';
import { complianceJson, extractionJson, receivedLinesJson } from './stored-json.js';

/** One verification of an item, newest first in the view (filled by the verification stage). */
export interface VerificationHistoryEntry {
  readonly at: string;
  readonly status: string;
  readonly message: string;
  readonly mismatchField?: string;
  readonly channel: string;
}

/** Reads the verification history of items (by id); the verification stage registers it. */
export type VerificationHistoryLoader = (
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
) => Promise<ReadonlyMap<string, readonly VerificationHistoryEntry[]>>;

let historyLoader: VerificationHistoryLoader | null = null;

/** What is done with an item (报销状态), as the assistant module knows it: the bills claiming it, the voucher booking it. */
export interface ReceivedUsage {
  readonly status: string;
  /** Claimed over all bills, decimal string. */
  readonly claimed: string;
  /** What is left to claim (null when the item has no total). */
  readonly remaining: string | null;
  readonly bills: { resource: string; billId: string; billNo: string | null; amount: string; status: string }[];
  readonly voucher: { resource: string; vouchId: string; vouchNo: string | null } | null;
}

/**
 * Reads the usage of items (by id); the assistant module registers it. Items it does not answer are unused. What
 * remains to claim is the view's: it follows from the item itself ({@link claimableFen}) and what the bills claim.
 */
export type UsageLoader = (
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
) => Promise<ReadonlyMap<string, Omit<ReceivedUsage, 'remaining'>>>;

let usageLoader: UsageLoader | null = null;

/** Lets the assistant module put each item's usage (bills, voucher) into the view (until then: unused, no bills). */
export function registerUsageLoader(loader: UsageLoader | null): void {
  usageLoader = loader;
}

function unusedUsage(item: ReceivedInvoice): Omit<ReceivedUsage, 'remaining'> {
  return {
    status: item.usage_status,
    claimed: '0.00',
    bills: [],
    voucher: null,
  };
}

/** Reads the buyer's deduction records (抵扣勾选) of items (by id); the assistant module registers it. */
export type DeductionLoader = (
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
) => Promise<ReadonlyMap<string, DeductionRecord>>;

let deductionLoader: DeductionLoader | null = null;

/** Lets the assistant module put each item's deduction record into the view (until then: the rules' state only). */
export function registerDeductionLoader(loader: DeductionLoader | null): void {
  deductionLoader = loader;
}

/** The deduction records of items (an empty map until a loader is registered): the view's and the export's. */
export async function loadDeductionRecords(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<ReadonlyMap<string, DeductionRecord>> {
  return deductionLoader && ids.length ? deductionLoader(db, tenantId, ids) : new Map();
}

/** The pool's deduction state of an item (src/tax/deduction-statuses.ts). */
/** What the deduction rule (`src/tax/deduction.ts`) decides from, read off a pool item: the pool and the selection. */
export function deductionFactsOf(
  item: Pick<ReceivedInvoice, 'kind' | 'number' | 'issue_date' | 'verification_status' | 'is_red' | 'duplicate_of'>,
): DeductionFacts & { readonly number: string | null } {
  return {
    kind: item.kind,
    number: item.number,
    issueDate: item.issue_date,
    verificationStatus: item.verification_status,
    isRed: Boolean(Number(item.is_red)),
    duplicate: item.duplicate_of !== null,
  };
}

export function deductionStateOf(
  item: Pick<ReceivedInvoice, 'kind' | 'number' | 'issue_date' | 'verification_status' | 'is_red' | 'duplicate_of'>,
  record: DeductionRecord | null,
) {
  return poolDeductionState({ ...deductionFactsOf(item), record });
}

/** Lets the verification stage put each item's history into the view (until then: []). */
export function registerVerificationHistoryLoader(loader: VerificationHistoryLoader | null): void {
  historyLoader = loader;
}

const money = (fen: number | null) => (fen === null ? null : fenToDecimalString(Number(fen)));

/** The API representation of a received invoice (docs/collection.md#the-view). */
function toReceivedInvoiceView(
  item: ReceivedInvoice,
  file: Pick<ReceivedFile, 'sha256' | 'file_name'> | null,
  history: readonly VerificationHistoryEntry[],
  usage: Omit<ReceivedUsage, 'remaining'> | null,
  deduction: DeductionRecord | null,
  /** Who brought it, by name (actorNameOf: the id when no name is known). */
  broughtByName: string | null,
) {
  const used = usage ?? unusedUsage(item);
  const extraction = extractionJson.decode(item.extraction_json);
  const kind = item.kind as ReceivedInvoiceKind;
  return {
    id: item.id,
    sha256: file?.sha256 ?? null,
    fileName: file?.file_name ?? null,
    source: item.source,
    broughtBy: item.brought_by,
    broughtByName,
    buyerOrgId: item.buyer_org_id,
    kind: item.kind,
    kindName: RECEIVED_INVOICE_KIND_NAMES[kind] ?? RECEIVED_INVOICE_KIND_NAMES.other,
    code: item.code,
    number: item.number,
    issueDate: item.issue_date,
    checkCode: item.check_code,
    seller: { name: item.seller_name, taxId: item.seller_tax_id },
    buyer: { name: item.buyer_name, taxId: item.buyer_tax_id },
    totals: { amount: money(item.amount_fen), tax: money(item.tax_fen), total: money(item.total_fen) },
    lines: receivedLinesJson.decode(item.lines_json),
    remark: item.remark,
    passenger: extraction.passenger,
    extraction: {
      fieldSources: extraction.fieldSources,
      confidence: extraction.confidence,
      warnings: extraction.warnings,
    },
    verification: {
      status: item.verification_status,
      checkedAt: item.verified_at === null ? null : toIsoCst(Number(item.verified_at)),
      history: [...history],
    },
    compliance: { result: item.compliance_result, findings: complianceJson.decode(item.compliance_json) },
    duplicateOf: item.duplicate_of,
    usageStatus: item.usage_status,
    usage: {
      ...used,
      // Never below 0: a red invoice may lower what can be claimed below what bills claimed already.
      remaining:
        item.total_fen === null ? null : fenToDecimalString(Math.max(0, claimableFen(item) - toFen(used.claimed))),
    } satisfies ReceivedUsage,
    deduction: deductionStateOf(item, deduction),
    createdAt: toIsoCst(Number(item.created_at)),
    updatedAt: toIsoCst(Number(item.updated_at)),
  };
}

export type ReceivedInvoiceView = ReturnType<typeof toReceivedInvoiceView>;

/**
 * Views of several items, reading their files and histories once. `knownNames` (actorDisplayNames covering the items'
 * brought_by, maybe still running) saves the lookup of who brought them when the caller makes it anyway.
 */
export async function toReceivedInvoiceViews(
  db: Kysely<Database>,
  tenantId: string,
  items: readonly ReceivedInvoice[],
  knownFiles: readonly ReceivedFile[] = [],
  knownNames?: Promise<ReadonlyMap<string, string>>,
): Promise<ReceivedInvoiceView[]> {
  const files = new Map(knownFiles.map((f) => [f.id, f]));
  const missing = [...new Set(items.map((i) => i.file_id).filter((id): id is string => id !== null && !files.has(id)))];
  const ids = items.map((i) => i.id);
  // Independent reads: side by side.
  const [found, histories, usages, deductions, names] = await Promise.all([
    findFilesByIds(db, tenantId, missing),
    historyLoader && items.length ? historyLoader(db, tenantId, ids) : null,
    usageLoader && items.length ? usageLoader(db, tenantId, ids) : null,
    loadDeductionRecords(db, tenantId, ids),
    knownNames ??
      actorDisplayNames(
        db,
        tenantId,
        items.map((i) => i.brought_by),
      ),
  ]);
  for (const f of found) files.set(f.id, f);
  return items.map((item) =>
    toReceivedInvoiceView(
      item,
      item.file_id ? (files.get(item.file_id) ?? null) : null,
      histories?.get(item.id) ?? [],
      usages?.get(item.id) ?? null,
      deductions.get(item.id) ?? null,
      actorNameOf(names, item.brought_by),
    ),
  );
}
