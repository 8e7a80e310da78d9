import type { Kysely } from 'kysely';
import { toIsoCst } from '../../platform/clock.js';
import type { Database } from '../../platform/db/database.js';
import { fenToDecimalString, RECEIVED_INVOICE_KIND_NAMES, type ReceivedInvoiceKind } from '../../tax/index.js';
import type { ReceivedFile, ReceivedInvoice } from './collection.tables.js';
import { findFilesByIds } from './received.repo.js';
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

/** Lets the verification stage put each item's history into the view (until then: []). */
export function registerVerificationHistoryLoader(loader: VerificationHistoryLoader | null): void {
  historyLoader = loader;
}

const money = (fen: number | null) => (fen === null ? null : fenToDecimalString(Number(fen)));

/** The API representation of a received invoice (docs/collection.md#the-view). */
export function toReceivedInvoiceView(
  item: ReceivedInvoice,
  file: Pick<ReceivedFile, 'sha256' | 'file_name'> | null,
  history: readonly VerificationHistoryEntry[] = [],
) {
  const extraction = extractionJson.decode(item.extraction_json);
  const kind = item.kind as ReceivedInvoiceKind;
  return {
    id: item.id,
    sha256: file?.sha256 ?? null,
    fileName: file?.file_name ?? null,
    source: item.source,
    broughtBy: item.brought_by,
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
    createdAt: toIsoCst(Number(item.created_at)),
    updatedAt: toIsoCst(Number(item.updated_at)),
  };
}

export type ReceivedInvoiceView = ReturnType<typeof toReceivedInvoiceView>;

/** Views of several items, reading their files and histories once. */
export async function toReceivedInvoiceViews(
  db: Kysely<Database>,
  tenantId: string,
  items: readonly ReceivedInvoice[],
  knownFiles: readonly ReceivedFile[] = [],
): Promise<ReceivedInvoiceView[]> {
  const files = new Map(knownFiles.map((f) => [f.id, f]));
  const missing = [...new Set(items.map((i) => i.file_id).filter((id): id is string => id !== null && !files.has(id)))];
  for (const f of await findFilesByIds(db, tenantId, missing)) files.set(f.id, f);
  const histories =
    historyLoader && items.length
      ? await historyLoader(
          db,
          tenantId,
          items.map((i) => i.id),
        )
      : null;
  return items.map((item) =>
    toReceivedInvoiceView(item, item.file_id ? (files.get(item.file_id) ?? null) : null, histories?.get(item.id) ?? []),
  );
}
