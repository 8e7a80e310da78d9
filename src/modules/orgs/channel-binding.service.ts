import type { Kysely } from 'kysely';
import { type CacheSpec, invalidateCached, readThrough } from '../../platform/cache/index.js';
import type { Database } from '../../platform/db/database.js';
import type { Ctx } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { type AuditMeta, withAudit } from '../audit/index.js';
import { ChannelError, channelErrorToAppError } from '../channels/index.js';
import { ORG_BOUND_ELSEWHERE } from './orgs.errors.js';
import { deleteBinding, findBinding, findBindingsOfTenant, insertBindingIfAbsent } from './orgs.repo.js';
import { getOrg } from './orgs.service.js';
import type { Org, OrgChannelBinding } from './orgs.tables.js';

/**
 * Channel bindings by tax id (whichever tenant holds it; every issue checks it). What invalidates: unbinding. A
 * missing binding is never cached, so binding needs nothing; `bindOrgChannel` reads the holder uncached.
 */
export const BINDING_CACHE: CacheSpec = { name: 'orgs.bindings', ttlMs: 60_000, maxEntries: 10_000 };

/**
 * Binds the channel account of one of the tenant's seller orgs: the channel checks the credential first (so a 409
 * never tells someone without the credential who holds the tax id), then the binding row is inserted. Its primary
 * key is the tax id, so of two tenants binding at once exactly one row lands; the other gets ORG_BOUND_ELSEWHERE.
 * Binding again from the holding tenant is a no-op that keeps the first `bound_at`.
 */
export async function bindOrgChannel(
  { db, clock, channel }: Ctx<'channel'>,
  tenantId: string,
  taxId: string,
  credential: string,
  meta?: AuditMeta,
): Promise<{ org: Org; binding: OrgChannelBinding }> {
  const org = await getOrg({ db }, tenantId, taxId);
  try {
    await channel.bindAccount({ tenantId, taxId: org.tax_id, credential });
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    throw channelErrorToAppError(err, { taxId: org.tax_id });
  }
  const row: OrgChannelBinding = {
    tax_id: org.tax_id,
    tenant_id: tenantId,
    org_id: org.id,
    channel: channel.name,
    bound_at: clock.now(),
  };
  // Insert first, read after: the database decides who holds the tax id, never a check made before the insert. The
  // audit entry commits with the binding (the channel call above stays outside the transaction).
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await withAudit(
      { db, clock },
      meta,
      (c) => insertBindingIfAbsent(c.db, row),
      (won) =>
        won
          ? { action: 'orgs.channel_bind', target: { type: 'org', id: org.tax_id }, after: { channel: row.channel } }
          : null,
    );
    if (inserted) return { org, binding: row };
    const holder = await findBinding(db, org.tax_id);
    if (holder?.tenant_id === tenantId) return { org, binding: holder };
    if (holder) {
      throw new AppError(
        ORG_BOUND_ELSEWHERE,
        `税号 ${org.tax_id} 的开票通道账户已由其他租户绑定，解除后才能在本租户绑定`,
        {
          taxId: org.tax_id,
        },
      );
    }
    // The holder unbound between our insert and the read: try again.
  }
  throw new AppError(ORG_BOUND_ELSEWHERE, undefined, { taxId: org.tax_id });
}

/** Unbinds the tenant's own binding of the org (idempotent: an unbound org stays unbound). */
export async function unbindOrgChannel({ db }: Pick<Ctx, 'db'>, tenantId: string, taxId: string): Promise<Org> {
  const org = await getOrg({ db }, tenantId, taxId);
  await deleteBinding(db, tenantId, org.tax_id);
  await invalidateCached(db, BINDING_CACHE, org.tax_id);
  return org;
}

/** The tenant's binding of `taxId`, or null when this tenant's org is not bound (unbound, or held by another). */
export async function findOrgChannelBinding(
  db: Kysely<Database>,
  tenantId: string,
  taxId: string,
): Promise<OrgChannelBinding | null> {
  const upper = taxId.toUpperCase();
  const binding = await readThrough(db, BINDING_CACHE, upper, () => findBinding(db, upper));
  return binding?.tenant_id === tenantId ? binding : null;
}

/** The tenant's bindings, by tax id (for the org list). */
export async function listOrgChannelBindings(
  db: Kysely<Database>,
  tenantId: string,
): Promise<Map<string, OrgChannelBinding>> {
  const rows = await findBindingsOfTenant(db, tenantId);
  return new Map(rows.map((r) => [r.tax_id, r]));
}
