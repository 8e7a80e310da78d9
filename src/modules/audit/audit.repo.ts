import { type Kysely, type QueryCreator, type RawBuilder, sql, type Transaction } from 'kysely';
import { compiledInsert } from '../../platform/db/compiled-insert.js';
import type { Database } from '../../platform/db/database.js';
import { escapeLike } from '../../platform/db/sql-helpers.js';
import type { SqliteRun } from '../../platform/db/sqlite-sync.js';
import type { AuditEntryRow, AuditLogTable } from './audit.tables.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertAuditEntry(db: Db, row: AuditLogTable): Promise<void> {
  await insertAuditRow(db, row);
}

/** {@link insertAuditEntry} as a statement of a synchronous SQLite transaction (platform/db/sqlite-sync.ts). */
export function insertAuditEntrySync(run: SqliteRun, row: AuditLogTable): void {
  insertAuditRow.sync(run, row);
}

/** The insert of one entry as a builder, to run inside another statement (a CTE). */
export function insertAuditEntryQuery(qc: QueryCreator<Database>, row: AuditLogTable) {
  return qc.insertInto('audit_log').values(row);
}

const AUDIT_COLUMNS = [
  'id',
  'tenant_id',
  'at',
  'actor_kind',
  'actor_id',
  'actor_name',
  'action',
  'target_type',
  'target_id',
  'diff_json',
  'request_id',
  'client_address',
] as const satisfies readonly (keyof AuditLogTable)[];
/** Every audited change inserts one entry: its SQL is built once (compiled-insert.ts), the chain columns left null. */
const insertAuditRow = compiledInsert('audit_log', AUDIT_COLUMNS);

/** The insert of one (unchained) entry per row of the preceding CTE `after`, as a data-modifying CTE (PostgreSQL). */
export function insertAuditEntryAfter(row: AuditLogTable, after: string): RawBuilder<{ id: string }> {
  const columns = sql.join(AUDIT_COLUMNS.map((c) => sql.ref(c)));
  const values = sql.join(AUDIT_COLUMNS.map((c) => sql`${row[c]}`));
  // Parenthesised: Kysely writes a raw CTE body as it is (`"audit" as (…)`).
  return sql<{
    id: string;
  }>`(insert into audit_log (${columns}) select ${values} from ${sql.table(after)} returning id)`;
}

/** Tenants with entries not chained yet. */
export async function tenantsWithUnsealed(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_log')
    .select('tenant_id')
    .where('seq', 'is', null)
    .groupBy('tenant_id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.tenant_id);
}

/** The tenant's last chained entry (its seq and hash), if any. */
export async function lastSealed(db: Db, tenantId: string) {
  return db
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .where('tenant_id', '=', tenantId)
    .where('seq', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The tenant's next entries to chain, in id order. */
export async function unsealedEntries(db: Db, tenantId: string, limit: number): Promise<AuditEntryRow[]> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('seq', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** One entry's place in its tenant's chain, as the sealer computed it. */
export interface ChainPosition {
  id: string;
  seq: number;
  prevHash: string;
  hash: string;
}

class ChainMoved extends Error {}

/**
 * Chains a run of entries in ONE statement and one commit, all or none: a compare-and-set on `seq is null` for every
 * row (an entry another sealer chained meanwhile makes the count fall short: rolled back) and the unique
 * (tenant_id, seq) index (a position another sealer took: refused, rolled back). Returns whether this call chained
 * them. Both dialects: a CTE of VALUES and `update … from` (SQLite ≥ 3.33).
 */
export async function sealEntries(db: Kysely<Database>, positions: readonly ChainPosition[]): Promise<boolean> {
  if (positions.length === 0) return true;
  const values = sql.join(positions.map((p) => sql`(${p.id}, cast(${p.seq} as bigint), ${p.prevHash}, ${p.hash})`));
  try {
    await db.transaction().execute(async (trx) => {
      const result = await sql`with v (id, seq, prev_hash, hash) as (values ${values})
        update audit_log set seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
        from v where audit_log.id = v.id and audit_log.seq is null`.execute(trx);
      if (Number(result.numAffectedRows ?? 0) !== positions.length) throw new ChainMoved();
    });
    return true;
  } catch {
    return false; // another sealer chained some of them, or took a position: it continues the chain
  }
}

/** Chained entries of a tenant after `afterSeq`, in chain order (for verify). */
export async function sealedEntriesAfter(
  db: Db,
  tenantId: string,
  afterSeq: number,
  limit: number,
): Promise<AuditEntryRow[]> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Every tenant that has audit entries, and how many are not chained yet. */
export async function auditTenants(db: Db, tenantId: string | null) {
  let query = db
    .selectFrom('audit_log')
    .select(['tenant_id', sql<number>`count(case when seq is null then 1 end)`.as('unsealed')])
    .groupBy('tenant_id')
    .orderBy('tenant_id');
  if (tenantId !== null) query = query.where('tenant_id', '=', tenantId);
  return (await query.execute()).map((r) => ({ tenantId: r.tenant_id, unsealed: Number(r.unsealed) }));
}

export interface AuditSearch {
  tenantId: string;
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

/** The search's query, newest first by id (fetchPage adds the cursor and limit). */
export function searchAuditQuery(db: Db, search: AuditSearch) {
  let query = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', search.tenantId);
  if (search.actor) {
    const actor = search.actor;
    query = query.where((eb) => eb.or([eb('actor_id', '=', actor), eb('actor_name', '=', actor)]));
  }
  if (search.action) {
    // `orgs` matches every orgs.* action; `orgs.create` only itself.
    const action = search.action;
    const prefix = `${escapeLike(action)}.%`;
    query = query.where((eb) => eb.or([eb('action', '=', action), sql<boolean>`action like ${prefix} escape '\\'`]));
  }
  if (search.target) query = query.where('target_id', '=', search.target);
  if (search.from !== undefined) query = query.where('at', '>=', search.from);
  if (search.to !== undefined) query = query.where('at', '<', search.to);
  return query;
}
