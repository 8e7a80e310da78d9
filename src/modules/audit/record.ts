import type { Kysely, QueryCreator, RawBuilder, Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { SqliteRun } from '../../platform/db/sqlite-sync.js';
import type { Ctx } from '../../platform/deps.js';
import { newId } from '../../platform/ids.js';
import { insertAuditEntry, insertAuditEntryAfter, insertAuditEntryQuery, insertAuditEntrySync } from './audit.repo.js';
import type { AuditActorKind, AuditLogTable } from './audit.tables.js';
import { type AuditDiff, auditDiff } from './audit-diff.js';
import { auditDiffJson } from './stored-json.js';

/** Who did it, and from where: built once per request (auth's `auditMetaOf(request)`) or for a system action. */
export interface AuditMeta {
  readonly tenantId: string;
  readonly actor: { readonly kind: AuditActorKind; readonly id: string; readonly name: string };
  readonly requestId: string | null;
  readonly clientAddress: string | null;
}

/** What changed: the action, its target, and the target's fields before and after (null/absent: none). */
export interface AuditChange {
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string };
  readonly before?: object | null;
  readonly after?: object | null;
  /** A diff computed by the caller (instead of before/after). */
  readonly diff?: AuditDiff;
}

/** The row of an entry (unchained), for {@link appendAudit} or a caller's own statement. */
export function auditRow(meta: AuditMeta, change: AuditChange, now: number): AuditLogTable {
  return {
    id: newId('aud', now),
    tenant_id: meta.tenantId,
    at: now,
    actor_kind: meta.actor.kind,
    actor_id: meta.actor.id.slice(0, 100),
    actor_name: meta.actor.name.slice(0, 200),
    action: change.action,
    target_type: change.target.type,
    target_id: change.target.id.slice(0, 200),
    diff_json: auditDiffJson.encode(change.diff ?? auditDiff(change.before, change.after)),
    request_id: meta.requestId,
    client_address: meta.clientAddress,
    seq: null,
    prev_hash: null,
    hash: null,
  };
}

/**
 * Appends an audit entry: ONE insert, in the caller's transaction (pass the `trx` of the change, so both commit or
 * neither). No lock, no read: the chain is made later by the sealer job (audit/seal-chains), which the caller
 * schedules once per change with `scheduleAuditSealer` (withAudit does both).
 */
export async function appendAudit({ db, clock }: Ctx, meta: AuditMeta, change: AuditChange): Promise<void> {
  await insertAuditEntry(db, auditRow(meta, change, clock.now()));
}

/**
 * {@link appendAudit} as a statement of the caller's synchronous SQLite transaction (platform/db/sqlite-sync.ts).
 * Schedules no sealer: call it only when `auditSealerScheduled` says this window's sealer is scheduled.
 */
export function appendAuditSync(run: SqliteRun, meta: AuditMeta, change: AuditChange, now: number): void {
  insertAuditEntrySync(run, auditRow(meta, change, now));
}

/**
 * The same entry as part of the caller's statement, for a CTE: `db.with('audit', (qc) => auditInsertCte(qc, row))
 * .insertInto(…)` — what the invoice-create path folds into its one statement. Build the row with {@link auditRow}.
 */
export function auditInsertCte(qc: QueryCreator<Database>, row: AuditLogTable) {
  return insertAuditEntryQuery(qc, row);
}

/**
 * The entry's insert as a data-modifying CTE body of the caller's statement (PostgreSQL), one entry per row of the
 * preceding CTE `after` — written only when that CTE wrote its row (an order insert that met an existing order
 * records nothing). Schedule the sealer in the same statement with `auditSealerAfter`.
 */
export function auditInsertAfter(row: AuditLogTable, after: string): RawBuilder<{ id: string }> {
  return insertAuditEntryAfter(row, after);
}

export type AuditDb = Kysely<Database> | Transaction<Database>;
