import { issueSandboxCredential } from './modules/channels/index.js';
import { bindOrgChannel, type OrgChannelBinding } from './modules/orgs/index.js';
import type { Deps } from './platform/deps.js';

/**
 * Operator shortcut for the sandbox: issues the simulated platform's credential for `taxId` and binds the tenant's
 * org with it at once, so the credential never leaves this function. What the demo seed, the bench server and the
 * test kits use; the same path as an operator running `openfapiao sandbox credential` and the tenant presenting the
 * credential to `POST /api/v1/orgs/{taxId}/channel-binding`. Refused like that path when another tenant holds the
 * tax id (ORG_BOUND_ELSEWHERE). Call it outside any transaction (the channel is a remote service).
 */
export async function bindSandboxSeller(
  deps: Pick<Deps, 'db' | 'clock' | 'channel'>,
  tenantId: string,
  taxId: string,
): Promise<OrgChannelBinding> {
  const ctx = { db: deps.db.kysely, clock: deps.clock };
  const credential = await issueSandboxCredential(ctx, taxId);
  const { binding } = await bindOrgChannel({ ...ctx, channel: deps.channel }, tenantId, taxId, credential);
  return binding;
}
