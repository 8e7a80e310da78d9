import { type CacheSpec, invalidateCached, readThrough } from '../../platform/cache/index.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId, randomToken } from '../../platform/ids.js';
import type { InvoiceKind } from '../../tax/index.js';
import { decryptSecret, encryptSecret, findBusinessSystemByCode } from '../orgs/index.js';
import { checkPreset, type Preset } from './preset.js';
import { SCAN_BUSINESS_SYSTEM_UNKNOWN, SCAN_SETTING_NOT_FOUND } from './scan.errors.js';
import type { ScanSetting, ScanType } from './scan.tables.js';
import {
  findSettingRowById,
  findSettingRowByKey,
  findSettingsOfTenant,
  insertSetting,
  updateSettingRow,
} from './settings.repo.js';
import { effectiveLimits, type StaticLimits } from './static-limits.js';
import { presetJson, settingKindsJson, staticLimitsJson } from './stored-json.js';

export interface SettingFields {
  name?: string | null;
  businessSystemCode?: string | null;
  scanType: ScanType;
  allowedKinds: InvoiceKind[];
  validityDays: number;
  preset?: Preset | null;
  enabled?: boolean;
  /** The static link's limits (missing fields: the defaults); null resets them all to the defaults. */
  staticLimits?: Partial<StaticLimits> | null;
  /** Static-link submissions wait for the merchant to confirm (issue) or reject (withdraw). */
  requireConfirmation?: boolean;
}

/**
 * Settings by key and by id: every pushed order, consumer page and scan job reads its setting. What invalidates:
 * `updateSetting` and `rotateSettingSecret` (after their transaction commits, on every node), so a disabled setting or
 * a rotated secret takes effect at once. A setting is never deleted, and a missing one is never cached.
 */
export const SETTING_CACHE: CacheSpec = { name: 'scan.settings', ttlMs: 60_000, maxEntries: 10_000 };

async function invalidateSetting(deps: Deps, setting: Pick<ScanSetting, 'id' | 'key'>): Promise<void> {
  await invalidateCached(deps.db.kysely, SETTING_CACHE, `key:${setting.key}`);
  await invalidateCached(deps.db.kysely, SETTING_CACHE, `id:${setting.id}`);
}

/** 422 unless the tenant has a business system with that code (another tenant's code does not count). */
async function assertBusinessSystem(deps: Deps, tenantId: string, code: string | null | undefined): Promise<void> {
  if (code === null || code === undefined) return;
  if (!(await findBusinessSystemByCode(deps.db.kysely, tenantId, code))) {
    throw new AppError(SCAN_BUSINESS_SYSTEM_UNKNOWN, `业务编码 ${code} 不存在：请先在业务系统中创建`, {
      businessSystemCode: code,
    });
  }
}

/** Creates a setting with a fresh key and signing secret; the secret is returned here and on rotation only. */
export async function createSetting(
  deps: Deps,
  tenantId: string,
  input: SettingFields & { sellerTaxId: string },
): Promise<{ setting: ScanSetting; secret: string }> {
  const sellerTaxId = input.sellerTaxId.toUpperCase();
  await checkPreset(deps, tenantId, sellerTaxId, input.allowedKinds, input.preset ?? null);
  await assertBusinessSystem(deps, tenantId, input.businessSystemCode);
  const now = deps.clock.now();
  const secret = randomToken(192);
  const id = newId('qrs', now);
  const setting: ScanSetting = {
    id,
    tenant_id: tenantId,
    key: randomToken(60),
    name: input.name ?? null,
    seller_tax_id: sellerTaxId,
    business_system_code: input.businessSystemCode ?? null,
    scan_type: input.scanType,
    allowed_kinds: settingKindsJson.encode(dedupe(input.allowedKinds)),
    validity_days: input.validityDays,
    preset_json: input.preset ? presetJson.encode(input.preset) : null,
    enabled: input.enabled === false ? 0 : 1,
    limits_json: input.staticLimits ? staticLimitsJson.encode(input.staticLimits) : null,
    require_confirmation: input.requireConfirmation === true ? 1 : 0,
    secret_enc: encryptSecret(deps.config, secret, secretContext({ id, tenant_id: tenantId })),
    secret_rotated_at: now,
    created_at: now,
    updated_at: now,
  };
  await insertSetting(deps.db.kysely, setting);
  return { setting, secret };
}

export async function listSettings(deps: Deps, tenantId: string): Promise<ScanSetting[]> {
  return findSettingsOfTenant(deps.db.kysely, tenantId);
}

/** One setting of the tenant by key, or 404 (also for another tenant's key). */
export async function getSettingOrThrow(deps: Deps, tenantId: string, key: string): Promise<ScanSetting> {
  const setting = await findSettingByKey(deps, key);
  if (!setting || setting.tenant_id !== tenantId) {
    throw new AppError(SCAN_SETTING_NOT_FOUND, `动态二维码设置 ${key} 不存在`);
  }
  return setting;
}

/** Any tenant's setting by its public key (links carry only the key). */
export async function findSettingByKey(deps: Deps, key: string): Promise<ScanSetting | undefined> {
  const db = deps.db.kysely;
  return readThrough(db, SETTING_CACHE, `key:${key}`, () => findSettingRowByKey(db, key));
}

export async function findSettingById(deps: Deps, id: string): Promise<ScanSetting | undefined> {
  const db = deps.db.kysely;
  return readThrough(db, SETTING_CACHE, `id:${id}`, () => findSettingRowById(db, id));
}

/** Replaces the given fields (seller and key never change). */
export async function updateSetting(
  deps: Deps,
  tenantId: string,
  key: string,
  patch: Partial<SettingFields>,
): Promise<ScanSetting> {
  const current = await getSettingOrThrow(deps, tenantId, key);
  const kinds = patch.allowedKinds ?? settingKinds(current);
  const preset = patch.preset === undefined ? settingPreset(current) : patch.preset;
  await checkPreset(deps, tenantId, current.seller_tax_id, kinds, preset);
  if (patch.businessSystemCode !== undefined) await assertBusinessSystem(deps, tenantId, patch.businessSystemCode);
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.businessSystemCode !== undefined ? { business_system_code: patch.businessSystemCode } : {}),
    ...(patch.scanType !== undefined ? { scan_type: patch.scanType } : {}),
    ...(patch.allowedKinds !== undefined ? { allowed_kinds: settingKindsJson.encode(dedupe(patch.allowedKinds)) } : {}),
    ...(patch.validityDays !== undefined ? { validity_days: patch.validityDays } : {}),
    ...(patch.preset !== undefined ? { preset_json: patch.preset ? presetJson.encode(patch.preset) : null } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled ? (1 as const) : (0 as const) } : {}),
    ...(patch.staticLimits !== undefined
      ? { limits_json: patch.staticLimits ? staticLimitsJson.encode(patch.staticLimits) : null }
      : {}),
    ...(patch.requireConfirmation !== undefined
      ? { require_confirmation: patch.requireConfirmation ? (1 as const) : (0 as const) }
      : {}),
    updated_at: deps.clock.now(),
  };
  await updateSettingRow(deps.db.kysely, current.id, set);
  await invalidateSetting(deps, current);
  return { ...current, ...set };
}

/** New signing secret: links signed with the old one stop verifying at once. */
export async function rotateSettingSecret(
  deps: Deps,
  tenantId: string,
  key: string,
): Promise<{ setting: ScanSetting; secret: string }> {
  const current = await getSettingOrThrow(deps, tenantId, key);
  const now = deps.clock.now();
  const secret = randomToken(192);
  const set = {
    secret_enc: encryptSecret(deps.config, secret, secretContext(current)),
    secret_rotated_at: now,
    updated_at: now,
  };
  await updateSettingRow(deps.db.kysely, current.id, set);
  await invalidateSetting(deps, current);
  return { setting: { ...current, ...set }, secret };
}

export const settingKinds = (s: Pick<ScanSetting, 'allowed_kinds'>): InvoiceKind[] =>
  settingKindsJson.decode(s.allowed_kinds);

export const settingPreset = (s: Pick<ScanSetting, 'preset_json'>): Preset | null =>
  s.preset_json ? presetJson.decode(s.preset_json) : null;

/** The static link's limits in force (the merchant's, completed by the defaults). */
export const settingLimits = (s: Pick<ScanSetting, 'limits_json'>): StaticLimits =>
  effectiveLimits(s.limits_json ? staticLimitsJson.decode(s.limits_json) : null);

const dedupe = <T>(values: readonly T[]): T[] => [...new Set(values)];

const secretContext = (s: Pick<ScanSetting, 'id' | 'tenant_id'>) => `scan-setting:${s.tenant_id}:${s.id}`;

/** The key's signing secret in clear (to verify a merchant-assembled link). */
export function settingSecret(deps: Pick<Deps, 'config'>, setting: ScanSetting): string {
  return decryptSecret(deps.config, setting.secret_enc, secretContext(setting));
}
