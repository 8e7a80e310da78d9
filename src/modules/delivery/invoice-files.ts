import type { Deps } from '../../platform/deps.js';
import { createDownloadLink, type DocumentFormat, getInvoiceDocument } from '../documents/index.js';
import type { Invoice } from '../invoicing/index.js';

/** Formats a buyer can download. */
export const FILE_FORMATS = ['pdf', 'ofd', 'xml'] as const satisfies readonly DocumentFormat[];
export type FileFormat = (typeof FILE_FORMATS)[number];

/** One rendered file of an invoice. */
export interface InvoiceFile {
  bytes: Buffer;
  fileName: string;
  contentType: string;
  sha256: string;
}

/** The public download link of one file (expiring; the documents module signs it). */
export function downloadLink(deps: Deps, input: { tenantId: string; invoiceId: string; format: FileFormat }): string {
  return createDownloadLink(deps, input);
}

/** Expiring public download links of an issued invoice's files; null while it has no number yet. */
export async function invoiceFileLinks(deps: Deps, invoice: Invoice): Promise<Record<FileFormat, string> | null> {
  if (invoice.number === null || invoice.issued_at === null) return null;
  const link = (format: FileFormat) =>
    downloadLink(deps, { tenantId: invoice.tenant_id, invoiceId: invoice.id, format });
  return { pdf: link('pdf'), ofd: link('ofd'), xml: link('xml') };
}

/** One file of an issued invoice, rendered and stored on first use; null when the invoice has none. */
export async function getInvoiceFile(
  deps: Deps,
  input: { tenantId: string; invoiceId: string; format: FileFormat },
): Promise<InvoiceFile | null> {
  return getInvoiceDocument(deps, input);
}
