import type { Deps } from '../../platform/deps.js';
import { findInvoiceById } from '../invoicing/index.js';
import type { DocumentFormat } from './document-formats.js';
import { isIssuedInvoice } from './documents.repo.js';
import { documentsContext } from './documents-context.js';
import { ensureInvoiceDocuments } from './ensure-documents.js';
import { unpackFile } from './storage/document-bundle.js';

/** One file of an invoice, ready to send. */
export interface InvoiceDocumentFile {
  readonly bytes: Buffer;
  readonly fileName: string;
  readonly contentType: string;
  readonly sha256: string;
}

/**
 * One file of an issued invoice of the tenant (rendered and stored first if needed); null when the invoice does
 * not exist in that tenant or is not issued.
 */
export async function getInvoiceDocument(
  deps: Deps,
  input: { tenantId: string; invoiceId: string; format: DocumentFormat },
): Promise<InvoiceDocumentFile | null> {
  const invoice = await findInvoiceById(deps.db.kysely, input.invoiceId);
  if (!invoice || invoice.tenant_id !== input.tenantId || !isIssuedInvoice(invoice)) return null;
  const ref = (await ensureInvoiceDocuments(deps, invoice.id))[input.format];
  const blob = await documentsContext(deps).blobs.get(ref.blobSha256);
  if (!blob) {
    // On several nodes with BLOB_STORE=fs, the node that rendered the file holds it unless DATA_DIR is shared.
    const hint = deps.config.documents.blobStore === 'fs' ? ' (BLOB_STORE=fs: is DATA_DIR shared by every node?)' : '';
    throw new Error(`blob ${ref.blobSha256} of invoice ${invoice.id} is missing from the blob store${hint}`);
  }
  const bytes = unpackFile(blob, ref);
  if (!bytes)
    throw new Error(`blob ${ref.blobSha256} of invoice ${invoice.id} is shorter than its ${input.format} file`);
  return { bytes, fileName: ref.fileName, contentType: ref.contentType, sha256: ref.sha256 };
}
