import { invalidateAfterCommit } from '../../platform/cache/index.js';
import { type Ctx, ctxOf, type Deps } from '../../platform/deps.js';
import type { JobsRuntime } from '../../platform/jobs-runtime.js';
import { scheduleAuditSealer } from './audit.tasks.js';
import { type AuditChange, type AuditMeta, appendAudit } from './record.js';

/**
 * Runs a change and appends its audit entries in ONE transaction (the caller's when `ctx.db` already is one): the
 * entry commits with the change or not at all. With `ctx.jobs`, the sealer is scheduled in the same transaction
 * (without, the entries wait for the next scheduled run). `describe` turns the change's result into its entries (none: null).
 * Keep remote calls (channels, DNS, scrypt) out of `change`: they would hold the transaction open. Without `meta`
 * (a caller that records nothing: the demo seed, tests) `change` just runs.
 */
export async function withAudit<T>(
  ctx: Ctx & { readonly jobs?: JobsRuntime },
  meta: AuditMeta | undefined,
  change: (ctx: Ctx) => Promise<T>,
  describe: (result: T) => AuditChange | readonly AuditChange[] | null,
): Promise<T> {
  if (meta === undefined) return change(ctx);
  const run = async (db: Ctx['db']): Promise<T> => {
    const inner: Ctx = { ...ctx, db };
    const result = await change(inner);
    const described = describe(result);
    const entries: readonly AuditChange[] = described === null ? [] : 'action' in described ? [described] : described;
    for (const entry of entries) await appendAudit(inner, meta, entry);
    if (entries.length > 0 && ctx.jobs) await scheduleAuditSealer({ ...inner, jobs: ctx.jobs });
    return result;
  };
  // Cache invalidations of the change (token revoked, org updated …) are sent once the transaction committed.
  return ctx.db.isTransaction ? run(ctx.db) : invalidateAfterCommit(ctx.db, run);
}

/**
 * {@link withAudit} for use cases that take the whole `Deps`: they run with `deps.db.kysely` = the transaction. Only
 * for use cases that open no transaction of their own and make no remote call.
 */
export async function withAuditDeps<T>(
  deps: Deps,
  meta: AuditMeta,
  change: (deps: Deps) => Promise<T>,
  describe: (result: T) => AuditChange | readonly AuditChange[] | null,
): Promise<T> {
  return withAudit(ctxOf(deps), meta, ({ db }) => change({ ...deps, db: { ...deps.db, kysely: db } }), describe);
}
