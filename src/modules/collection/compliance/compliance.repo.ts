/**
 * What compliance reads and writes of the pool's `received_invoices`: the facts of items, their earlier duplicates,
 * and the stored result. (Same module as the pool: the collection module owns both tables.)
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';

export interface ComplianceItemRow {
  id: string;
  buyer_org_id: string | null;
  kind: string;
  code: string | null;
  number: string | null;
  issue_date: string | null;
  seller_tax_id: string | null;
  buyer_name: string | null;
  buyer_tax_id: string | null;
  total_fen: number | null;
  verification_status: string;
  /** The pool's duplicate link (intake.ts refreshDuplicates): the one definition of "same invoice". */
  duplicate_of: string | null;
  created_at: number;
  compliance_result: string;
  compliance_json: string;
}

/** The live items of the tenant among `ids` (deleted and foreign ids are left out). */
export async function findComplianceItems(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<ComplianceItemRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('received_invoices')
    .select([
      'id',
      'buyer_org_id',
      'kind',
      'code',
      'number',
      'issue_date',
      'seller_tax_id',
      'buyer_name',
      'buyer_tax_id',
      'total_fen',
      'verification_status',
      'duplicate_of',
      'created_at',
      'compliance_result',
      'compliance_json',
    ])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...ids])
    .where('deleted_at', 'is', null)
    .execute();
  return rows.map((r) => ({
    ...r,
    total_fen: r.total_fen === null ? null : Number(r.total_fen),
    created_at: Number(r.created_at),
  }));
}

/**
 * The earliest live item of the tenant, created before `item` (ties by id), with the same content fingerprint: seller
 * tax id + number + issue date + total (the same invoice as another file or read as another kind). Null when there is
 * none or when `item` lacks a field of the fingerprint. The first item of a set is the original.
 */
export async function findEarlierDuplicate(
  db: Kysely<Database>,
  tenantId: string,
  item: ComplianceItemRow,
): Promise<string | null> {
  if (item.seller_tax_id === null || item.number === null || item.issue_date === null || item.total_fen === null) {
    return null;
  }
  const row = await db
    .selectFrom('received_invoices')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is', null)
    .where('id', '!=', item.id)
    .where((eb) =>
      eb.or([
        eb('created_at', '<', item.created_at),
        eb.and([eb('created_at', '=', item.created_at), eb('id', '<', item.id)]),
      ]),
    )
    .where('seller_tax_id', '=', item.seller_tax_id)
    .where('number', '=', item.number)
    .where('issue_date', '=', item.issue_date)
    .where('total_fen', '=', item.total_fen)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Stores an item's compliance result and findings (JSON through the pool's codec). */
export async function updateItemCompliance(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  set: { compliance_result: 'pass' | 'warn' | 'block'; compliance_json: string; updated_at: number },
): Promise<void> {
  await db.updateTable('received_invoices').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/**
 * The next batch of live item ids (by id, after `afterId`) a rules change may affect: the org's items, or for the
 * tenant's default (`buyerOrgId` null) every item of the tenant (orgs without their own rules follow it).
 */
export async function findItemIdsForRules(
  db: Kysely<Database>,
  tenantId: string,
  buyerOrgId: string | null,
  afterId: string | null,
  limit: number,
): Promise<string[]> {
  let q = db
    .selectFrom('received_invoices')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is', null);
  if (buyerOrgId !== null) q = q.where('buyer_org_id', '=', buyerOrgId);
  if (afterId !== null) q = q.where('id', '>', afterId);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/**
 * Live items that may have counted `item` as their original: the same number (any kind or code: the duplicate keys
 * all include it). Used after `item` is deleted, to recompute them.
 */
export async function findItemIdsSharingNumber(
  db: Kysely<Database>,
  tenantId: string,
  item: { id: string; number: string },
): Promise<string[]> {
  const rows = await db
    .selectFrom('received_invoices')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is', null)
    .where('id', '!=', item.id)
    .where('number', '=', item.number)
    .limit(1000)
    .execute();
  return rows.map((r) => r.id);
}
