import { Type } from 'typebox';
import { storedJson } from '../../platform/stored-json.js';

/** `users.org_tax_ids`: the seller orgs (tax ids) a clerk works for. */
export const userOrgTaxIdsJson = storedJson('users.org_tax_ids', Type.Array(Type.String({ maxLength: 20 })));
