import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors/app-error.js';
import { findOrgChannelBinding } from './channel-binding.service.js';
import { SELLER_NOT_BOUND, SELLER_NOT_FOUND } from './orgs.errors.js';
import { findOrg } from './orgs.service.js';
import type { Org } from './orgs.tables.js';

/**
 * The seller org named by a request's seller tax id: SELLER_NOT_FOUND (422) when the tenant has no org with that
 * tax id. Only "not found" is a client error — a failing database propagates (500), it is never reported as 422.
 */
export async function getSellerOrThrow(db: Kysely<Database>, tenantId: string, taxId: string): Promise<Org> {
  const org = await findOrg(db, tenantId, taxId);
  if (!org) throw new AppError(SELLER_NOT_FOUND, `销方税号 ${taxId} 不是本租户的销方企业`, { taxId });
  return org;
}

/**
 * A seller the tenant may issue under: one of its orgs whose channel account is bound to it (SELLER_NOT_BOUND
 * otherwise). Registering another company's tax id creates a harmless record; only the bound tenant issues.
 */
export async function getIssuingSellerOrThrow(db: Kysely<Database>, tenantId: string, taxId: string): Promise<Org> {
  const seller = await getSellerOrThrow(db, tenantId, taxId);
  await assertSellerBound(db, tenantId, seller.tax_id);
  return seller;
}

/** SELLER_NOT_BOUND unless the tenant holds the channel binding of `taxId`. */
export async function assertSellerBound(db: Kysely<Database>, tenantId: string, taxId: string): Promise<void> {
  if (await findOrgChannelBinding(db, tenantId, taxId)) return;
  throw new AppError(SELLER_NOT_BOUND, sellerNotBoundMessage(taxId), { taxId });
}

/** The reason given when a seller's channel account is not bound (also a queued request's failure reason). */
export function sellerNotBoundMessage(taxId: string): string {
  return `销方 ${taxId} 尚未绑定开票通道账户，请先在销方企业中绑定开票通道账户后再开票`;
}
