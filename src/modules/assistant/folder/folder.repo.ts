import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { escapeLike } from '../../../platform/db/sql-helpers.js';
import type { Employee } from '../assistant.tables.js';
import { findClaims } from '../bills/bills.repo.js';

/**
 * Puts items into an employee's folder. An item already in a folder keeps its owner (one owner per item; only a
 * hand-over moves it). Answers the owner of every given item afterwards.
 */
export async function addToFolder(
  db: Kysely<Database>,
  tenantId: string,
  employeeId: string,
  ids: readonly string[],
  now: number,
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  await db
    .insertInto('folder_items')
    .values(
      [...new Set(ids)].map((id) => ({
        tenant_id: tenantId,
        received_invoice_id: id,
        employee_id: employeeId,
        added_at: now,
        handed_over_from: null,
        handed_over_at: null,
      })),
    )
    .onConflict((oc) => oc.columns(['tenant_id', 'received_invoice_id']).doNothing())
    .execute();
  return ownersOf(db, tenantId, ids);
}

/**
 * The employee whose folder a file went into, from what intake recorded of it: a file from the assistant pages names
 * its event (the event's employee), a console folder upload names the employee; any other file none.
 */
export async function folderOwnerOfFile(
  db: Kysely<Database>,
  file: { tenant_id: string; source: string; source_ref: string | null },
): Promise<string | undefined> {
  if (!file.source_ref) return undefined;
  if (file.source === 'assistant') {
    const event = await db
      .selectFrom('assistant_events')
      .select('employee_id')
      .where('tenant_id', '=', file.tenant_id)
      .where('id', '=', file.source_ref)
      .executeTakeFirst();
    return event?.employee_id ?? undefined;
  }
  if (file.source !== 'upload') return undefined;
  const employee = await db
    .selectFrom('employees')
    .select('id')
    .where('tenant_id', '=', file.tenant_id)
    .where('id', '=', file.source_ref)
    .executeTakeFirst();
  return employee?.id;
}

/** Who owns each of the items (items in no folder are absent). */
export async function ownersOf(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('folder_items')
    .select(['received_invoice_id', 'employee_id'])
    .where('tenant_id', '=', tenantId)
    .where('received_invoice_id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.received_invoice_id, r.employee_id]));
}

/** The ids in an employee's folder, newest first, at most `limit`. */
export async function folderIdsOf(
  db: Kysely<Database>,
  tenantId: string,
  employeeId: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('folder_items')
    .select('received_invoice_id')
    .where('tenant_id', '=', tenantId)
    .where('employee_id', '=', employeeId)
    .orderBy('added_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.received_invoice_id);
}

/** Moves the given items of `fromId`'s folder to `toId`'s; answers the ids moved (others were not `fromId`'s). */
export async function moveFolderItems(
  db: Kysely<Database>,
  tenantId: string,
  fromId: string,
  toId: string,
  ids: readonly string[],
  now: number,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('folder_items')
    .set({ employee_id: toId, handed_over_from: fromId, handed_over_at: now, added_at: now })
    .where('tenant_id', '=', tenantId)
    .where('employee_id', '=', fromId)
    .where('received_invoice_id', 'in', [...new Set(ids)])
    .returning('received_invoice_id')
    .execute();
  return rows.map((r) => r.received_invoice_id);
}

/** Claimed amounts of items (from the bills' claim counters; items never bound are absent). */
export async function claimsOf(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<Map<string, { totalFen: number; claimedFen: number }>> {
  const rows = await findClaims(db, tenantId, [...new Set(ids)]);
  return new Map(
    rows.map((r) => [r.received_invoice_id, { totalFen: Number(r.total_fen), claimedFen: Number(r.claimed_fen) }]),
  );
}

/** A bill by its key, with its bound invoices (the view page). */
export async function findBillWithInvoices(db: Kysely<Database>, tenantId: string, resource: string, billId: string) {
  const bill = await db
    .selectFrom('bills')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('resource', '=', resource)
    .where('bill_id', '=', billId)
    .executeTakeFirst();
  if (!bill) return null;
  const invoices = await db
    .selectFrom('bill_invoices')
    .select(['received_invoice_id', 'amount_fen'])
    .where('tenant_id', '=', tenantId)
    .where('bill_pk', '=', bill.id)
    .orderBy('created_at')
    .execute();
  return { bill, invoices };
}

/** Employees of the tenant, by name or external id (`q`), at most `limit`. */
export async function searchEmployees(
  db: Kysely<Database>,
  tenantId: string,
  q: string | undefined,
  limit: number,
): Promise<Employee[]> {
  let query = db.selectFrom('employees').selectAll().where('tenant_id', '=', tenantId);
  if (q) {
    const like = `%${escapeLike(q)}%`;
    query = query.where(
      sql<boolean>`(${sql.ref('name')} like ${like} escape '\\' or ${sql.ref('external_id')} like ${like} escape '\\')`,
    );
  }
  return query.orderBy('name').orderBy('id').limit(limit).execute();
}

/** Changes an employee's link or name; false when the id is not the tenant's. Unique indexes refuse a second link. */
export async function updateEmployeeRow(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  set: { user_id?: string | null; external_id?: string | null; name?: string | null; updated_at: number },
): Promise<Employee | undefined> {
  return db
    .updateTable('employees')
    .set(set)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** The employee linked to a console user or an external id, if any. */
export async function findEmployeeBy(
  db: Kysely<Database>,
  tenantId: string,
  by: { userId: string } | { externalId: string },
): Promise<Employee | undefined> {
  const q = db.selectFrom('employees').selectAll().where('tenant_id', '=', tenantId);
  return (
    'userId' in by ? q.where('user_id', '=', by.userId) : q.where('external_id', '=', by.externalId)
  ).executeTakeFirst();
}
