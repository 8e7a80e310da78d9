import type { Kysely } from 'kysely';
import { type CacheSpec, readThrough } from '../../platform/cache/index.js';
import type { Database } from '../../platform/db/database.js';
import type { Ctx } from '../../platform/deps.js';
import { findBusinessSystemRowById, findEnabledCallbackSystems } from './business-systems.repo.js';
import type { BusinessSystem } from './business-systems.tables.js';
import { decryptSecret } from './business-systems-secrets.js';
import { subscribedEventsJson } from './stored-json.js';

type BusinessSystemsCtx = Ctx<'config'>;

/**
 * A tenant's enabled business systems with a callback (every event's fan-out reads them), and single systems by id
 * (every webhook delivery). What invalidates: creating, updating and rotating the secret of a business system
 * (business-systems.service.ts); systems are never deleted.
 */
export const CALLBACK_SYSTEMS_CACHE: CacheSpec = { name: 'orgs.callback-systems', ttlMs: 60_000, maxEntries: 10_000 };
export const BUSINESS_SYSTEM_CACHE: CacheSpec = { name: 'orgs.business-systems', ttlMs: 60_000, maxEntries: 10_000 };
export const businessSystemKey = (tenantId: string, id: string) => `${tenantId}:${id}`;

/** The events a business system subscribed to. */
export function subscribedEvents(system: Pick<BusinessSystem, 'events_json'>): string[] {
  return subscribedEventsJson.decode(system.events_json);
}

/**
 * Who receives an event: the tenant's enabled business systems with a callback URL that subscribed to the event's
 * type, and that either own the resource (its `businessSystemCode`) or receive all invoices. `cachedBy`: when
 * `ctx.db` is a transaction that writes no business system (an event publisher's), the runtime's handle whose cache
 * may answer; a miss still reads through the transaction (on SQLite it holds the only connection).
 */
export async function findEventSubscribers(
  ctx: Pick<BusinessSystemsCtx, 'db'>,
  input: { tenantId: string; eventType: string; businessSystemCode: string | null },
  cachedBy: Kysely<Database> = ctx.db,
): Promise<BusinessSystem[]> {
  const systems =
    (await readThrough(cachedBy, CALLBACK_SYSTEMS_CACHE, input.tenantId, () =>
      findEnabledCallbackSystems(ctx.db, input.tenantId),
    )) ?? [];
  return systems.filter(
    (s) =>
      subscribedEvents(s).includes(input.eventType) &&
      (s.receive_all_invoices === 1 ||
        (input.businessSystemCode !== null && s.code === input.businessSystemCode) ||
        // Received invoices (收票) belong to no business system: subscribing to their events is enough.
        input.eventType.startsWith('received.')),
  );
}

/** One business system by id within the tenant (delivery keeps ids), or undefined when it was removed. */
export async function findBusinessSystemById(
  ctx: Pick<BusinessSystemsCtx, 'db'>,
  tenantId: string,
  id: string,
): Promise<BusinessSystem | undefined> {
  return readThrough(ctx.db, BUSINESS_SYSTEM_CACHE, businessSystemKey(tenantId, id), () =>
    findBusinessSystemRowById(ctx.db, tenantId, id),
  );
}

/** The secrets that sign right now: the current one first, then the previous one while its overlap lasts. */
export function signingSecretsOf(ctx: Pick<BusinessSystemsCtx, 'clock' | 'config'>, system: BusinessSystem): string[] {
  const context = `${system.tenant_id}:${system.id}`;
  const secrets = [decryptSecret(ctx.config, system.secret_enc, context)];
  const expires = system.previous_secret_expires_at;
  if (system.previous_secret_enc && expires !== null && expires > ctx.clock.now()) {
    secrets.push(decryptSecret(ctx.config, system.previous_secret_enc, context));
  }
  return secrets;
}
