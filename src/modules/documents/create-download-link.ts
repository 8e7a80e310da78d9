import type { Deps } from '../../platform/deps.js';
import type { DocumentFormat } from './document-formats.js';
import { documentsContext } from './documents-context.js';
import { DOWNLOAD_LINK_TTL_SECONDS, signDownloadToken } from './download-links.js';

/**
 * An expiring public link to one file of an invoice: `{PUBLIC_URL}/d/{token}` (default lifetime 30 days). The
 * caller has already checked that the invoice belongs to `tenantId`; the token names the invoice only.
 */
export function createDownloadLink(
  deps: Deps,
  input: { tenantId: string; invoiceId: string; format: DocumentFormat; ttlSeconds?: number },
): string {
  return createDownloadUrl(deps, input).url;
}

/** {@link createDownloadLink} with the expiry. */
export function createDownloadUrl(
  deps: Deps,
  input: { invoiceId: string; format: DocumentFormat; ttlSeconds?: number },
): { url: string; expiresAt: number } {
  const expiresAt = Math.floor(deps.clock.now() / 1000 + (input.ttlSeconds ?? DOWNLOAD_LINK_TTL_SECONDS)) * 1000;
  const token = signDownloadToken(documentsContext(deps).signingKey, input.invoiceId, input.format, expiresAt);
  return { url: `${deps.config.http.publicUrl}/d/${token}`, expiresAt };
}
