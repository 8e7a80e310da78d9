import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { Deps } from '../../../platform/deps.js';
import { ctxOf } from '../../../platform/deps.js';
import { type AuditChange, type AuditMeta, withAudit } from '../../audit/index.js';

/**
 * Runs a bill or voucher change in ONE transaction, with its audit entry when the caller is known (API, console):
 * the audit module's {@link withAudit}, run inside a transaction also when there is nothing to record (it would run
 * the change outside one then).
 */
export async function inTransaction<T>(
  deps: Deps,
  audit: AuditMeta | undefined,
  change: (trx: Kysely<Database>) => Promise<T>,
  describe: (result: T) => AuditChange,
): Promise<T> {
  if (audit === undefined) return deps.db.kysely.transaction().execute((trx) => change(trx));
  return withAudit({ ...ctxOf(deps), jobs: deps.jobs }, audit, ({ db }) => change(db), describe);
}
