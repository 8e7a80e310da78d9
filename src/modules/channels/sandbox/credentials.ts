import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { randomToken, safeEqual, sha256Hex } from '../../../platform/ids.js';
import { isValidUscc } from '../../../tax/uscc.js';
import { CHANNEL_ERRORS } from '../channels.errors.js';
import { type ChannelAccount, type ChannelAccountBindRequest, ChannelError } from '../issuing-channel.js';
import { findCredentialHash, saveCredentialHash } from './credentials.repo.js';

/** Prefix of a sandbox credential, so one pasted into the wrong place is recognisable. */
const CREDENTIAL_PREFIX = 'sbxc_';

/**
 * Issues the simulated platform's login for a company (what the tax bureau does when it opens a company's account):
 * a fresh random credential for `taxId`, stored as its SHA-256 only, replacing any earlier one. Returns the
 * credential — the only time it exists in clear. An operator action (CLI `sandbox credential`, the demo seed, test
 * kits): no tenant's API token can call it, for any tax id.
 */
export async function issueSandboxCredential(
  { db, clock }: { db: Kysely<Database>; clock: Clock },
  taxId: string,
): Promise<string> {
  const normalized = taxId.toUpperCase();
  if (!isValidUscc(normalized)) {
    throw new AppError(CHANNEL_ERRORS.SANDBOX_SETTINGS_INVALID, `纳税人识别号 ${taxId} 不是有效的统一社会信用代码`, {
      taxId,
    });
  }
  const credential = `${CREDENTIAL_PREFIX}${randomToken(160)}`;
  const row = { tax_id: normalized, credential_hash: sha256Hex(credential), issued_at: clock.now() };
  await saveCredentialHash(db, row);
  return credential;
}

/**
 * The sandbox side of {@link IssuingChannel.bindAccount}: the credential must be the one issued for this tax id.
 * Both an unknown tax id and a wrong credential answer the same (nothing tells a guesser which tax ids have one).
 */
export async function bindAccountOnSandbox(
  { db, clock }: { db: Kysely<Database>; clock: Clock },
  request: ChannelAccountBindRequest,
): Promise<ChannelAccount> {
  const taxId = request.taxId.toUpperCase();
  const row = await findCredentialHash(db, taxId);
  const presented = sha256Hex(request.credential);
  // Compare even when there is no row, so both refusals take the same time.
  const matches = safeEqual(presented, row?.credential_hash ?? sha256Hex(`${CREDENTIAL_PREFIX}none`));
  if (!row || !matches) {
    throw new ChannelError(
      'permanent',
      CHANNEL_ERRORS.CHANNEL_CREDENTIAL_INVALID.code,
      `税号 ${taxId} 的开票通道账户凭据不正确`,
      { taxId },
    );
  }
  return { taxId, verifiedAt: clock.now() };
}
