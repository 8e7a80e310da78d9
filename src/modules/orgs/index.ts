/**
 * Seller organisations (销方). Other modules resolve the seller of a request with getSellerOrThrow (422
 * SELLER_NOT_FOUND) or getIssuingSellerOrThrow (also 422 SELLER_NOT_BOUND unless its channel account is bound to this
 * tenant).
 */

export { findBusinessSystemByCode } from './business-systems.repo.js';
export {
  assertOutboundUrl,
  type BusinessSystemFields,
  createBusinessSystem,
  getBusinessSystem,
  listBusinessSystems,
  rotateBusinessSystemSecret,
  updateBusinessSystem,
} from './business-systems.service.js';
export type { BusinessSystem, BusinessSystemTables } from './business-systems.tables.js';
export { DEFAULT_SUBSCRIBED_EVENTS, WEBHOOK_EVENT_TYPES, type WebhookEventType } from './business-systems-events.js';
export { decryptSecret, encryptSecret, generateSigningSecret } from './business-systems-secrets.js';
export {
  findBusinessSystemById,
  findEventSubscribers,
  signingSecretsOf,
  subscribedEvents,
} from './business-systems-subscribers.js';
export {
  bindOrgChannel,
  findOrgChannelBinding,
  listOrgChannelBindings,
  unbindOrgChannel,
} from './channel-binding.service.js';
export { SELLER_NOT_BOUND, SELLER_NOT_FOUND } from './orgs.errors.js';
export { assertSellerTaxId, createOrg, findOrg, getOrg, listOrgs, type OrgFields, updateOrg } from './orgs.service.js';
export type { Org, OrgChannelBinding } from './orgs.tables.js';
export { BusinessSystemView, businessSystemsRoutes, toBusinessSystemView } from './routes/business-systems.routes.js';
export { OrgView, orgsRoutes, toOrgView } from './routes/orgs.routes.js';
export { assertSellerBound, getIssuingSellerOrThrow, getSellerOrThrow, sellerNotBoundMessage } from './sellers.js';
