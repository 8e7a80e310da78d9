import { type Insertable, type Kysely, type SelectQueryBuilder, sql, type Updateable } from 'kysely';
import type { DbDialect } from '../../platform/db/create-db.js';
import type { Database } from '../../platform/db/database.js';
import { fetchPage, type Page } from '../../platform/db/pagination.js';
import { escapeLike } from '../../platform/db/sql-helpers.js';
import type {
  ReceivedFile,
  ReceivedFileTable,
  ReceivedInvoice,
  ReceivedInvoiceTable,
  ReceivedSource,
} from './collection.tables.js';

// ---- files ----

/** Inserts a file row unless the tenant has these bytes already; answers the row that holds them and whether it is new. */
export async function insertReceivedFile(
  db: Kysely<Database>,
  row: Insertable<ReceivedFileTable>,
): Promise<{ file: ReceivedFile; created: boolean }> {
  const inserted = await db
    .insertInto('received_files')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'sha256']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { file: inserted, created: true };
  const existing = await findFileBySha(db, row.tenant_id, row.sha256);
  if (!existing) throw new Error(`received file ${row.sha256} conflicted but cannot be read`);
  return { file: existing, created: false };
}

export async function findFileBySha(
  db: Kysely<Database>,
  tenantId: string,
  sha256: string,
): Promise<ReceivedFile | undefined> {
  return db
    .selectFrom('received_files')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('sha256', '=', sha256)
    .executeTakeFirst();
}

export async function findFileById(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<ReceivedFile | undefined> {
  return db
    .selectFrom('received_files')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** {@link findFileById} holding the row's lock until the transaction ends (PostgreSQL; SQLite's writer is alone). */
export async function lockFileById(
  db: Kysely<Database>,
  dialect: DbDialect,
  tenantId: string,
  id: string,
): Promise<ReceivedFile | undefined> {
  const q = db.selectFrom('received_files').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  return (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
}

/**
 * Records a later intake as the source of a file that still waits for OCR (compare-and-set on the status and the
 * source it had): what its reread finds follows the new source. Answers whether it did.
 */
export async function takeOverWaitingFile(
  db: Kysely<Database>,
  file: Pick<ReceivedFile, 'tenant_id' | 'id' | 'source' | 'source_ref'>,
  next: Pick<ReceivedFileTable, 'source' | 'source_ref' | 'brought_by'>,
): Promise<boolean> {
  const result = await db
    .updateTable('received_files')
    .set(next)
    .where('tenant_id', '=', file.tenant_id)
    .where('id', '=', file.id)
    .where('parse_status', '=', 'ocr_pending')
    .where('source', '=', file.source)
    .where('source_ref', file.source_ref === null ? 'is' : '=', file.source_ref)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function findFilesByIds(db: Kysely<Database>, tenantId: string, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('received_files')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...ids])
    .execute();
}

/** Sets what reading a file gave (ocr_pending → ok or failed once it could be read again). */
export async function setFileParseOutcome(
  db: Kysely<Database>,
  tenantId: string,
  fileId: string,
  outcome: Pick<ReceivedFileTable, 'parse_status' | 'error_code' | 'error_message'>,
): Promise<void> {
  await db
    .updateTable('received_files')
    .set(outcome)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', fileId)
    .execute();
}

export async function setArchiveEntries(db: Kysely<Database>, fileId: string, entriesJson: string): Promise<void> {
  await db.updateTable('received_files').set({ entries_json: entriesJson }).where('id', '=', fileId).execute();
}

export interface ReceivedFileFilters {
  source?: ReceivedSource;
  status?: ReceivedFile['parse_status'];
  createdFrom?: number;
  createdBefore?: number;
}

/** 收票箱: the files that came in (top level: uploads, mails' attachments; not the entries of a ZIP), newest first. */
export async function listReceivedFiles(
  db: Kysely<Database>,
  tenantId: string,
  filters: ReceivedFileFilters,
  page: { cursor?: string; limit: number },
): Promise<Page<ReceivedFile>> {
  let q = db.selectFrom('received_files').selectAll().where('tenant_id', '=', tenantId).where('parent_id', 'is', null);
  if (filters.source) q = q.where('source', '=', filters.source);
  if (filters.status) q = q.where('parse_status', '=', filters.status);
  if (filters.createdFrom !== undefined) q = q.where('created_at', '>=', filters.createdFrom);
  if (filters.createdBefore !== undefined) q = q.where('created_at', '<', filters.createdBefore);
  return fetchPage(q, page);
}

/** The entry files of archives. */
export async function findChildFiles(db: Kysely<Database>, tenantId: string, parentIds: readonly string[]) {
  if (parentIds.length === 0) return [];
  return db
    .selectFrom('received_files')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('parent_id', 'in', [...parentIds])
    .orderBy('id')
    .execute();
}

// ---- items ----

/** Inserts an item unless the file already has a live item at that index (a concurrent intake of the same file). */
export async function insertReceivedInvoice(
  db: Kysely<Database>,
  row: Insertable<ReceivedInvoiceTable>,
): Promise<ReceivedInvoice | undefined> {
  if (row.file_id === null || row.file_id === undefined) {
    return db.insertInto('received_invoices').values(row).returningAll().executeTakeFirstOrThrow();
  }
  return db
    .insertInto('received_invoices')
    .values(row)
    .onConflict((oc) => oc.columns(['file_id', 'index_in_file']).where('deleted_at', 'is', null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findLiveItemsOfFiles(
  db: Kysely<Database>,
  tenantId: string,
  fileIds: readonly string[],
): Promise<ReceivedInvoice[]> {
  if (fileIds.length === 0) return [];
  return db
    .selectFrom('received_invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('file_id', 'in', [...fileIds])
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
}

/** Every item ever read from a file, deleted ones too (a file read again never brings a deleted item back). */
export async function findItemsOfFile(
  db: Kysely<Database>,
  tenantId: string,
  fileId: string,
): Promise<ReceivedInvoice[]> {
  return db
    .selectFrom('received_invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('file_id', '=', fileId)
    .orderBy('id')
    .execute();
}

export async function findReceivedInvoice(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<ReceivedInvoice | undefined> {
  return db
    .selectFrom('received_invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Live items by id (with `withDeleted`, deleted ones too: what another module still refers to). */
export async function findReceivedInvoicesByIds(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
  options: { withDeleted?: boolean } = {},
): Promise<ReceivedInvoice[]> {
  if (ids.length === 0) return [];
  let q = db
    .selectFrom('received_invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...ids]);
  if (!options.withDeleted) q = q.where('deleted_at', 'is', null);
  return q.orderBy('id').execute();
}

/**
 * The live items of `ids`, locked until the caller's transaction ends (PostgreSQL `for update`, in ascending id
 * order so concurrent lockers never wait on each other in a circle; SQLite runs one transaction at a time). Whoever
 * changes what an item's usage status follows from (bills, vouchers) locks the item first, so the status it writes is
 * computed from bindings nobody else is changing.
 */
export async function lockReceivedInvoices(
  db: Kysely<Database>,
  dialect: DbDialect,
  tenantId: string,
  ids: readonly string[],
): Promise<ReceivedInvoice[]> {
  if (ids.length === 0) return [];
  const q = db
    .selectFrom('received_invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...new Set(ids)].sort())
    .where('deleted_at', 'is', null)
    .orderBy('id');
  return (dialect === 'postgres' ? q.forUpdate() : q).execute();
}

/** Updates a live item; answers whether it changed. */
export async function updateReceivedInvoice(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  patch: Updateable<ReceivedInvoiceTable>,
  where: { usageStatus?: string } = {},
): Promise<boolean> {
  let q = db
    .updateTable('received_invoices')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (where.usageStatus) q = q.where('usage_status', '=', where.usageStatus);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Sets the usage status (报销状态) of live items; answers how many rows it changed (a deleted item is not changed).
 * Ids in ascending order, so concurrent writers lock rows in one order.
 */
export async function setUsageStatus(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
  status: string,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('received_invoices')
    .set({ usage_status: status })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...ids].sort())
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The live items with the same kind, code and number, oldest first (duplicate detection). */
export async function findSameInvoice(
  db: Kysely<Database>,
  tenantId: string,
  key: { kinds: readonly string[]; code?: string | null; number: string },
): Promise<Array<Pick<ReceivedInvoice, 'id' | 'duplicate_of'>>> {
  let q = db
    .selectFrom('received_invoices')
    .select(['id', 'duplicate_of'])
    .where('tenant_id', '=', tenantId)
    .where('kind', 'in', [...key.kinds])
    .where('number', '=', key.number)
    .where('deleted_at', 'is', null);
  if (key.code !== undefined) q = key.code === null ? q.where('code', 'is', null) : q.where('code', '=', key.code);
  return q.orderBy('id').execute();
}

export async function setDuplicateOf(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  duplicateOf: string | null,
  now: number,
): Promise<void> {
  await db
    .updateTable('received_invoices')
    .set({ duplicate_of: duplicateOf, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export interface ReceivedInvoiceFilters {
  issueDateFrom?: string;
  issueDateTo?: string;
  createdFrom?: number;
  /** Exclusive. */
  createdBefore?: number;
  kind?: string;
  /** Any of these kinds (an empty list matches nothing). */
  kinds?: readonly string[];
  sellerTaxId?: string;
  /** The buyer's tax id as on the invoice (upper case). */
  buyerTaxId?: string;
  /** true: only red (negative) invoices; false: only blue ones. */
  red?: boolean;
  sellerName?: string;
  buyerOrgId?: string;
  verification?: readonly string[];
  compliance?: readonly string[];
  source?: ReceivedSource;
  /** Who brought it: the stored id or address, or any of several (one 提交人 filter resolved to its actors' ids). */
  broughtBy?: string | readonly string[];
  /** Number, or its start. */
  q?: string;
  duplicate?: boolean;
  /** 报销状态 (usage_status). */
  usage?: string;
  /** Only these ids (selected rows). */
  ids?: readonly string[];
}

function withFilters<O>(
  query: SelectQueryBuilder<Database, 'received_invoices', O>,
  tenantId: string,
  f: ReceivedInvoiceFilters,
): SelectQueryBuilder<Database, 'received_invoices', O> {
  let q = query.where('tenant_id', '=', tenantId).where('deleted_at', 'is', null);
  if (f.issueDateFrom) q = q.where('issue_date', '>=', f.issueDateFrom);
  if (f.issueDateTo) q = q.where('issue_date', '<=', f.issueDateTo);
  if (f.createdFrom !== undefined) q = q.where('created_at', '>=', f.createdFrom);
  if (f.createdBefore !== undefined) q = q.where('created_at', '<', f.createdBefore);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.kinds) q = q.where('kind', 'in', f.kinds.length ? [...f.kinds] : ['']);
  if (f.sellerTaxId) q = q.where('seller_tax_id', '=', f.sellerTaxId);
  if (f.buyerTaxId) q = q.where('buyer_tax_id', '=', f.buyerTaxId);
  if (f.red !== undefined) q = q.where('is_red', '=', f.red ? 1 : 0);
  if (f.sellerName)
    q = q.where(sql<boolean>`${sql.ref('seller_name')} like ${`%${escapeLike(f.sellerName)}%`} escape '\\'`);
  if (f.buyerOrgId) q = q.where('buyer_org_id', '=', f.buyerOrgId);
  if (f.verification?.length) q = q.where('verification_status', 'in', [...f.verification]);
  if (f.compliance?.length) q = q.where('compliance_result', 'in', [...f.compliance]);
  if (f.source) q = q.where('source', '=', f.source);
  if (typeof f.broughtBy === 'string') q = q.where('brought_by', '=', f.broughtBy);
  else if (f.broughtBy) q = q.where('brought_by', 'in', f.broughtBy.length ? [...f.broughtBy] : ['']);
  if (f.q) q = q.where(sql<boolean>`${sql.ref('number')} like ${`${escapeLike(f.q)}%`} escape '\\'`);
  if (f.duplicate !== undefined) q = q.where('duplicate_of', f.duplicate ? 'is not' : 'is', null);
  if (f.usage) q = q.where('usage_status', '=', f.usage);
  if (f.ids) q = q.where('id', 'in', f.ids.length ? [...f.ids] : ['']);
  return q;
}

/** The pool, newest first, cursor-paginated by id. */
export async function listReceivedInvoices(
  db: Kysely<Database>,
  tenantId: string,
  filters: ReceivedInvoiceFilters,
  page: { cursor?: string; limit: number },
): Promise<Page<ReceivedInvoice>> {
  return fetchPage(withFilters(db.selectFrom('received_invoices').selectAll(), tenantId, filters), page);
}

/** How many items match, counting at most `upTo` (export limit). */
export async function countReceivedInvoicesUpTo(
  db: Kysely<Database>,
  tenantId: string,
  filters: ReceivedInvoiceFilters,
  upTo: number,
): Promise<number> {
  const inner = withFilters(db.selectFrom('received_invoices').select('id'), tenantId, filters).limit(upTo);
  const row = await db
    .selectFrom(inner.as('m'))
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One keyset page of the export (all columns but the JSON ones), newest first. */
export async function exportPage(
  db: Kysely<Database>,
  tenantId: string,
  filters: ReceivedInvoiceFilters,
  after: string | null,
  limit: number,
) {
  let q = withFilters(
    db
      .selectFrom('received_invoices')
      .select([
        'id',
        'source',
        'brought_by',
        'kind',
        'code',
        'number',
        'issue_date',
        'check_code',
        'seller_name',
        'seller_tax_id',
        'buyer_name',
        'buyer_tax_id',
        'amount_fen',
        'tax_fen',
        'total_fen',
        'verification_status',
        'compliance_result',
        'duplicate_of',
        'is_red',
        'usage_status',
        'created_at',
      ]),
    tenantId,
    filters,
  );
  if (after) q = q.where('id', '<', after);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/** What 抵扣勾选 (assistant) lists as candidates; see {@link listDeductibleReceived}. */
export interface DeductibleFilters {
  /** The buyer's tax id (upper case). */
  readonly buyerTaxId: string;
  readonly kinds: readonly string[];
  /** YYYY-MM-DD, inclusive. */
  readonly issueDateFrom: string;
  readonly issueDateTo: string;
}

/**
 * Items that may be selected for deduction (抵扣勾选 candidates, #15): live, blue, not a duplicate, 查验 正常, of
 * the given kinds, addressed to the buyer's tax id and issued within the dates; newest first, cursor-paginated.
 * The pool's own filters ({@link withFilters}), so a candidate is exactly what the pool shows for them.
 */
export async function listDeductibleReceived(
  db: Kysely<Database>,
  tenantId: string,
  f: DeductibleFilters,
  page: { cursor?: string | null; limit: number },
): Promise<Page<ReceivedInvoice>> {
  const filters: ReceivedInvoiceFilters = {
    buyerTaxId: f.buyerTaxId,
    kinds: f.kinds,
    red: false,
    duplicate: false,
    verification: ['normal'],
    issueDateFrom: f.issueDateFrom,
    issueDateTo: f.issueDateTo,
  };
  return fetchPage(withFilters(db.selectFrom('received_invoices').selectAll(), tenantId, filters), page);
}

// ---- blob claims (intake's blobs until their file row is committed; the orphan sweep) ----

/** Claims a blob for an intake in flight (inserted, or its time refreshed), before the blob is written. */
export async function claimBlob(db: Kysely<Database>, sha256: string, now: number): Promise<void> {
  await db
    .insertInto('received_blob_claims')
    .values({ sha256, claimed_at: now })
    .onConflict((oc) => oc.column('sha256').doUpdateSet({ claimed_at: now }))
    .execute();
}

/** Refreshes the claims of an intake still in flight; answers how many were still there. */
export async function touchBlobClaims(db: Kysely<Database>, shas: readonly string[], now: number): Promise<number> {
  if (shas.length === 0) return 0;
  const result = await db
    .updateTable('received_blob_claims')
    .set({ claimed_at: now })
    .where('sha256', 'in', [...shas])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes claims (in the intake's transaction: its file rows reference the blobs now). */
export async function deleteBlobClaims(db: Kysely<Database>, shas: readonly string[]): Promise<void> {
  if (shas.length === 0) return;
  await db
    .deleteFrom('received_blob_claims')
    .where('sha256', 'in', [...shas])
    .execute();
}

/** Claims not refreshed since `cutoff`, oldest first. */
export async function findStaleBlobClaims(db: Kysely<Database>, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('received_blob_claims')
    .select('sha256')
    .where('claimed_at', '<=', cutoff)
    .orderBy('claimed_at')
    .orderBy('sha256')
    .limit(limit)
    .execute();
  return rows.map((r) => r.sha256);
}

/**
 * Deletes a claim still not refreshed since `cutoff` (compare-and-set: an intake that claimed the blob again keeps
 * it). PostgreSQL holds the deleted row's lock until the transaction ends, so an intake claiming it again waits.
 */
export async function releaseStaleBlobClaim(db: Kysely<Database>, sha256: string, cutoff: number): Promise<boolean> {
  const result = await db
    .deleteFrom('received_blob_claims')
    .where('sha256', '=', sha256)
    .where('claimed_at', '<=', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * The lookup behind {@link isBlobOfAnyFile}: one probe of `received_files_sha_idx` (migration 0041), whatever the
 * number of tenants or files (docs/collection.md#orphan-blobs). Exported for the plan test.
 */
export function fileOfBlobQuery(db: Kysely<Database>, sha256: string) {
  return db.selectFrom('received_files').select('id').where('sha256', '=', sha256).limit(1);
}

/** Whether a file of any tenant is stored under this blob (the orphan-blob sweep keeps it then). */
export async function isBlobOfAnyFile(db: Kysely<Database>, sha256: string): Promise<boolean> {
  return (await fileOfBlobQuery(db, sha256).executeTakeFirst()) !== undefined;
}
