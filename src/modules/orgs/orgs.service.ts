import { type CacheSpec, invalidateCached, readThrough } from '../../platform/cache/index.js';
import type { Ctx } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId } from '../../platform/ids.js';
import { computeUsccCheckChar, isValidUscc } from '../../tax/uscc.js';
import { ORG_EXISTS, ORG_NOT_FOUND, ORG_TAX_ID_INVALID } from './orgs.errors.js';
import { findOrgByTaxId, findOrgsOfTenant, insertOrgIfAbsent, updateOrgRow } from './orgs.repo.js';
import type { Org } from './orgs.tables.js';

/**
 * Seller orgs by tenant and tax id (every invoice request resolves its seller). What invalidates: `updateOrg`. An org
 * is never deleted, and a missing org is never cached, so `createOrg` needs nothing.
 */
export const ORG_CACHE: CacheSpec = { name: 'orgs.by-tax-id', ttlMs: 60_000, maxEntries: 10_000 };
const orgKey = (tenantId: string, taxId: string) => `${tenantId}:${taxId}`;

/**
 * A tenant's orgs (intake names the buyer org from them, every compliance evaluation matches buyers against them).
 * What invalidates: `createOrg` (a list is cached even when empty) and `updateOrg`. Orgs are never deleted.
 */
export const ORGS_OF_TENANT_CACHE: CacheSpec = { name: 'orgs.of-tenant', ttlMs: 60_000, maxEntries: 10_000 };

export interface OrgFields {
  name: string;
  address?: string | null;
  phone?: string | null;
  bankName?: string | null;
  bankAccount?: string | null;
  regionCode?: string | null;
}

/** Sellers must carry a valid USCC (tax-rules §7.3); the error says what the check character should be. */
export function assertSellerTaxId(taxId: string): void {
  if (isValidUscc(taxId)) return;
  const expected = /^[0-9A-Z]{18}$/.test(taxId) ? computeUsccCheckChar(taxId.slice(0, 17)) : null;
  throw new AppError(
    ORG_TAX_ID_INVALID,
    expected ? `纳税人识别号 ${taxId} 校验位错误，应为 ${expected}` : `纳税人识别号 ${taxId} 不是18位统一社会信用代码`,
    { taxId, ...(expected ? { expectedCheckChar: expected } : {}) },
  );
}

export async function createOrg(
  { db, clock }: Ctx,
  tenantId: string,
  input: OrgFields & { taxId: string },
): Promise<Org> {
  const taxId = input.taxId.toUpperCase();
  assertSellerTaxId(taxId);
  const now = clock.now();
  const org: Org = {
    id: newId('org', now),
    tenant_id: tenantId,
    tax_id: taxId,
    name: input.name,
    address: input.address ?? null,
    phone: input.phone ?? null,
    bank_name: input.bankName ?? null,
    bank_account: input.bankAccount ?? null,
    region_code: input.regionCode ?? taxId.slice(2, 8),
    created_at: now,
    updated_at: now,
  };
  if (!(await insertOrgIfAbsent(db, org))) throw new AppError(ORG_EXISTS, `税号 ${taxId} 的销方企业已存在`);
  // Inside a transaction: held until it commits (the caller runs it in invalidateAfterCommit).
  await invalidateCached(db, ORGS_OF_TENANT_CACHE, tenantId);
  return org;
}

/**
 * The tenant's orgs, oldest first, through the `orgs.of-tenant` cache (inside a transaction: from the database). The
 * answer may be shared with other callers: never change it.
 */
export async function listOrgs({ db }: Pick<Ctx, 'db'>, tenantId: string): Promise<readonly Org[]> {
  return (await readThrough(db, ORGS_OF_TENANT_CACHE, tenantId, () => findOrgsOfTenant(db, tenantId))) ?? [];
}

/** One org of the tenant, or ORG_NOT_FOUND (also for another tenant's org). */
export async function getOrg({ db }: Pick<Ctx, 'db'>, tenantId: string, taxId: string): Promise<Org> {
  const org = await findOrg(db, tenantId, taxId);
  if (!org) throw new AppError(ORG_NOT_FOUND, `销方企业 ${taxId} 不存在`);
  return org;
}

/** One org of the tenant by tax id (any case), or undefined (also for another tenant's org). */
export async function findOrg(db: Ctx['db'], tenantId: string, taxId: string): Promise<Org | undefined> {
  const upper = taxId.toUpperCase();
  return readThrough(db, ORG_CACHE, orgKey(tenantId, upper), () => findOrgByTaxId(db, tenantId, upper));
}

export async function updateOrg(
  { db, clock }: Ctx,
  tenantId: string,
  taxId: string,
  patch: Partial<OrgFields>,
): Promise<Org> {
  const org = await getOrg({ db }, tenantId, taxId);
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.address !== undefined ? { address: patch.address } : {}),
    ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
    ...(patch.bankName !== undefined ? { bank_name: patch.bankName } : {}),
    ...(patch.bankAccount !== undefined ? { bank_account: patch.bankAccount } : {}),
    ...(patch.regionCode !== undefined ? { region_code: patch.regionCode } : {}),
    updated_at: clock.now(),
  };
  await updateOrgRow(db, tenantId, org.id, set);
  await invalidateCached(db, ORG_CACHE, orgKey(tenantId, org.tax_id));
  await invalidateCached(db, ORGS_OF_TENANT_CACHE, tenantId);
  return { ...org, ...set };
}
