/** Seller organisations (销方). Other modules call getOrg to resolve a seller of the tenant. */
export { assertSellerTaxId, createOrg, getOrg, listOrgs, type OrgFields, updateOrg } from './orgs.service.js';
export type { Org } from './orgs.tables.js';
export { OrgView, orgsRoutes, toOrgView } from './routes/orgs.routes.js';
