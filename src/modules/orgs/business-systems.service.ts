import { invalidateCached } from '../../platform/cache/index.js';
import type { DbBool } from '../../platform/db/database.js';
import type { Ctx } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId } from '../../platform/ids.js';
import { OutboundUrlError, resolveOutboundTarget } from '../../platform/net/outbound-guard.js';
import { type AuditMeta, auditSnapshot, withAudit } from '../audit/index.js';
import {
  BUSINESS_SYSTEM_EXISTS,
  BUSINESS_SYSTEM_FRAME_ANCESTORS_INVALID,
  BUSINESS_SYSTEM_NOT_FOUND,
  OUTBOUND_URL_FORBIDDEN,
} from './business-systems.errors.js';
import {
  findBusinessSystemByCode,
  findBusinessSystemsOfTenant,
  insertBusinessSystemIfAbsent,
  updateBusinessSystemRow,
} from './business-systems.repo.js';
import type { BusinessSystem } from './business-systems.tables.js';
import { DEFAULT_SUBSCRIBED_EVENTS, type WebhookEventType } from './business-systems-events.js';
import { encryptSecret, generateSigningSecret } from './business-systems-secrets.js';
import { BUSINESS_SYSTEM_CACHE, businessSystemKey, CALLBACK_SYSTEMS_CACHE } from './business-systems-subscribers.js';
import { subscribedEventsJson } from './stored-json.js';

type BusinessSystemsCtx = Ctx<'config'>;

/** Editable fields of a business system. */
export interface BusinessSystemFields {
  name: string;
  callbackUrl?: string | null;
  orderQueryUrl?: string | null;
  events?: WebhookEventType[];
  receiveAllInvoices?: boolean;
  enabled?: boolean;
  /** CSP frame-ancestors sources of the assistant pages (null or empty: only our own origin). */
  frameAncestors?: string[] | null;
}

/** Whether a source is `'self'`, `https://host[:port]`, or `http://localhost|127.0.0.1|[::1][:port]` (development). */
function isFrameSource(source: string): boolean {
  if (source === "'self'") return true;
  if (/^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/.test(source)) return portOk(source);
  const m = /^https:\/\/([a-z0-9.-]{1,253})(?::\d{1,5})?$/.exec(source);
  if (!m?.[1]) return false;
  return (
    m[1].split('.').every((label) => label.length <= 63 && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(label)) &&
    portOk(source)
  );
}

const portOk = (source: string) => Number(/:(\d+)$/.exec(source)?.[1] ?? 443) <= 65_535;

/** The stored form of `frameAncestors` (space-separated, lower case, unique), or 422 naming the bad source. */
export function frameAncestorsValue(sources: readonly string[] | null | undefined): string | null {
  if (!sources || sources.length === 0) return null;
  const out: string[] = [];
  for (const raw of sources.slice(0, 11)) {
    const source = raw.trim().toLowerCase().slice(0, 200);
    if (!isFrameSource(source)) {
      throw new AppError(BUSINESS_SYSTEM_FRAME_ANCESTORS_INVALID, undefined, { source: raw.slice(0, 200) });
    }
    if (!out.includes(source)) out.push(source);
  }
  if (out.length > 10) throw new AppError(BUSINESS_SYSTEM_FRAME_ANCESTORS_INVALID, '最多 10 个来源');
  return out.join(' ');
}

/** A business system with its signing secret in clear: returned only by create and rotate, shown once. */
export interface BusinessSystemWithSecret {
  system: BusinessSystem;
  secret: string;
}

const secretContext = (s: Pick<BusinessSystem, 'tenant_id' | 'id'>) => `${s.tenant_id}:${s.id}`;

/**
 * The SSRF guard at save time: the URL must be http(s), resolve, and reach only public addresses unless its host is
 * in OUTBOUND_ALLOWED_HOSTS. Delivery checks again at send time (DNS can change).
 */
export async function assertOutboundUrl(
  ctx: Pick<BusinessSystemsCtx, 'config'>,
  field: string,
  url: string,
): Promise<void> {
  try {
    await resolveOutboundTarget(url, { allowedHosts: ctx.config.delivery.outboundAllowedHosts });
  } catch (err) {
    if (!(err instanceof OutboundUrlError)) throw err;
    // Never echo the resolved address: it would turn this endpoint into a DNS oracle for internal host names.
    throw new AppError(OUTBOUND_URL_FORBIDDEN, undefined, { field, reason: err.reason });
  }
}

async function assertUrls(ctx: BusinessSystemsCtx, fields: Partial<BusinessSystemFields>): Promise<void> {
  if (fields.callbackUrl) await assertOutboundUrl(ctx, 'callbackUrl', fields.callbackUrl);
  if (fields.orderQueryUrl) await assertOutboundUrl(ctx, 'orderQueryUrl', fields.orderQueryUrl);
}

/** Creates a business system with a fresh signing secret (returned in clear this once). */
export async function createBusinessSystem(
  ctx: BusinessSystemsCtx,
  tenantId: string,
  input: BusinessSystemFields & { code: string },
  meta?: AuditMeta,
): Promise<BusinessSystemWithSecret> {
  await assertUrls(ctx, input);
  const now = ctx.clock.now();
  const secret = generateSigningSecret();
  const id = newId('bsys', now);
  const system: BusinessSystem = {
    id,
    tenant_id: tenantId,
    code: input.code,
    name: input.name,
    callback_url: input.callbackUrl ?? null,
    order_query_url: input.orderQueryUrl ?? null,
    events_json: subscribedEventsJson.encode([...new Set(input.events ?? DEFAULT_SUBSCRIBED_EVENTS)]),
    receive_all_invoices: input.receiveAllInvoices ? 1 : 0,
    enabled: input.enabled === false ? 0 : 1,
    secret_enc: encryptSecret(ctx.config, secret, secretContext({ tenant_id: tenantId, id })),
    previous_secret_enc: null,
    frame_ancestors: frameAncestorsValue(input.frameAncestors),
    previous_secret_expires_at: null,
    secret_rotated_at: null,
    created_at: now,
    updated_at: now,
  };
  const inserted = await withAudit(
    ctx,
    meta,
    (c) => insertBusinessSystemIfAbsent(c.db, system),
    (won) =>
      won
        ? {
            action: 'business_systems.create',
            target: { type: 'business_system', id: system.code },
            after: auditSnapshot(system),
          }
        : null,
  );
  if (!inserted) {
    throw new AppError(BUSINESS_SYSTEM_EXISTS, `业务系统 ${input.code} 已存在`);
  }
  await invalidateCached(ctx.db, CALLBACK_SYSTEMS_CACHE, tenantId);
  return { system, secret };
}

/** The tenant's business systems, oldest first. */
export async function listBusinessSystems(
  ctx: Pick<BusinessSystemsCtx, 'db'>,
  tenantId: string,
): Promise<BusinessSystem[]> {
  return findBusinessSystemsOfTenant(ctx.db, tenantId);
}

/** One business system of the tenant by code, or BUSINESS_SYSTEM_NOT_FOUND (also for another tenant's). */
export async function getBusinessSystem(
  ctx: Pick<BusinessSystemsCtx, 'db'>,
  tenantId: string,
  code: string,
): Promise<BusinessSystem> {
  const system = await findBusinessSystemByCode(ctx.db, tenantId, code);
  if (!system) throw new AppError(BUSINESS_SYSTEM_NOT_FOUND, `业务系统 ${code} 不存在`);
  return system;
}

/** Changes the given fields (URLs are checked by the SSRF guard again). */
export async function updateBusinessSystem(
  ctx: BusinessSystemsCtx,
  tenantId: string,
  code: string,
  patch: Partial<BusinessSystemFields>,
  meta?: AuditMeta,
): Promise<BusinessSystem> {
  const system = await getBusinessSystem(ctx, tenantId, code);
  await assertUrls(ctx, patch);
  const bool = (v: boolean): DbBool => (v ? 1 : 0);
  const set: Partial<BusinessSystem> & { updated_at: number } = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.callbackUrl !== undefined ? { callback_url: patch.callbackUrl } : {}),
    ...(patch.orderQueryUrl !== undefined ? { order_query_url: patch.orderQueryUrl } : {}),
    ...(patch.events !== undefined ? { events_json: subscribedEventsJson.encode([...new Set(patch.events)]) } : {}),
    ...(patch.receiveAllInvoices !== undefined ? { receive_all_invoices: bool(patch.receiveAllInvoices) } : {}),
    ...(patch.enabled !== undefined ? { enabled: bool(patch.enabled) } : {}),
    ...(patch.frameAncestors !== undefined ? { frame_ancestors: frameAncestorsValue(patch.frameAncestors) } : {}),
    updated_at: ctx.clock.now(),
  };
  const after = { ...system, ...set };
  await withAudit(
    ctx,
    meta,
    (c) => updateBusinessSystemRow(c.db, system.id, set),
    () => ({
      action: 'business_systems.update',
      target: { type: 'business_system', id: system.code },
      before: auditSnapshot(system),
      after: auditSnapshot(after),
    }),
  );
  await invalidateSystem(ctx, system);
  return after;
}

/**
 * Replaces the signing secret. During `overlapSeconds` the old secret still signs too (webhooks then carry two
 * signatures), so the merchant can switch without losing a delivery. Returns the new secret in clear, once.
 */
export async function rotateBusinessSystemSecret(
  ctx: BusinessSystemsCtx,
  input: { tenantId: string; code: string; overlapSeconds: number },
  meta?: AuditMeta,
): Promise<BusinessSystemWithSecret> {
  const system = await getBusinessSystem(ctx, input.tenantId, input.code);
  const now = ctx.clock.now();
  const secret = generateSigningSecret();
  const set = {
    secret_enc: encryptSecret(ctx.config, secret, secretContext(system)),
    previous_secret_enc: input.overlapSeconds > 0 ? system.secret_enc : null,
    previous_secret_expires_at: input.overlapSeconds > 0 ? now + input.overlapSeconds * 1000 : null,
    secret_rotated_at: now,
    updated_at: now,
  };
  await withAudit(
    ctx,
    meta,
    (c) => updateBusinessSystemRow(c.db, system.id, set),
    () => ({
      action: 'business_systems.rotate_secret',
      target: { type: 'business_system', id: system.code },
      before: auditSnapshot(system),
      after: auditSnapshot({ ...system, ...set }),
    }),
  );
  await invalidateSystem(ctx, system);
  return { system: { ...system, ...set }, secret };
}

/** After a committed change of `system`: the tenant's callback list and the system by id, on every node. */
async function invalidateSystem(ctx: Pick<BusinessSystemsCtx, 'db'>, system: BusinessSystem): Promise<void> {
  await invalidateCached(ctx.db, CALLBACK_SYSTEMS_CACHE, system.tenant_id);
  await invalidateCached(ctx.db, BUSINESS_SYSTEM_CACHE, businessSystemKey(system.tenant_id, system.id));
}
