/**
 * Seller organisations (销方). Other modules call getOrg to resolve a seller of the tenant, and findOrgChannelBinding
 * to know whether it may issue (its channel account is bound to this tenant).
 */

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
export { assertSellerTaxId, createOrg, getOrg, listOrgs, type OrgFields, updateOrg } from './orgs.service.js';
export type { Org, OrgChannelBinding } from './orgs.tables.js';
export { BusinessSystemView, businessSystemsRoutes, toBusinessSystemView } from './routes/business-systems.routes.js';
export { OrgView, orgsRoutes, toOrgView } from './routes/orgs.routes.js';
