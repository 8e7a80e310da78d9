import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { AssistantEvent, AssistantEventTable, Employee } from '../assistant.tables.js';

/** The employee known to an expense system by `externalId` (created on first use; a given name is kept). */
export async function upsertEmployeeByExternal(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; externalId: string; name: string | null; now: number },
): Promise<Employee> {
  return db
    .insertInto('employees')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      external_id: row.externalId,
      user_id: null,
      name: row.name,
      created_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'external_id']).doUpdateSet((eb) => ({
        name: row.name === null ? eb.ref('employees.name') : eb.ref('excluded.name'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The employee of a console user (created on first use, named after the user). */
export async function upsertEmployeeByUser(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; userId: string; name: string; now: number },
): Promise<Employee> {
  return db
    .insertInto('employees')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      external_id: null,
      user_id: row.userId,
      name: row.name,
      created_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'user_id'])
        .doUpdateSet((eb) => ({ name: eb.fn.coalesce('employees.name', 'excluded.name') })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findEmployee(db: Kysely<Database>, tenantId: string, id: string): Promise<Employee | undefined> {
  return db
    .selectFrom('employees')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Creates the event of a bill, or replaces the bill's event in place (same id): new code hash, expiry, user and
 * company info, not revoked — the previous code's hash is gone, so it stops working at once.
 */
export async function upsertEvent(db: Kysely<Database>, row: AssistantEventTable): Promise<AssistantEvent> {
  const { id: _id, tenant_id: _t, resource: _r, bill_id: _b, created_at: _c, ...changes } = row;
  return db
    .insertInto('assistant_events')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'resource', 'bill_id']).doUpdateSet({ ...changes, created_at: row.created_at }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The event whose code hashes to `codeHash` (any tenant: the code names its tenant). */
export async function findEventByCodeHash(db: Kysely<Database>, codeHash: string): Promise<AssistantEvent | undefined> {
  return db.selectFrom('assistant_events').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
}
