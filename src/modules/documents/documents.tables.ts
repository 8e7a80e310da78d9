import type { Selectable } from 'kysely';

/** One stored file of an issued invoice (PDF, OFD or XML); the bytes live in the BlobStore under `sha256`. */
export interface InvoiceDocumentTable {
  invoice_id: string;
  /** pdf | ofd | xml. Primary key (invoice_id, format): a file is stored once and never re-rendered. */
  format: string;
  tenant_id: string;
  sha256: string;
  size: number;
  content_type: string;
  file_name: string;
  created_at: number;
}

/** Content-addressed bytes for the `db` BlobStore (multi-node deployments without a shared DATA_DIR). */
export interface DocumentBlobTable {
  sha256: string;
  size: number;
  bytes: Buffer;
  created_at: number;
}

export type InvoiceDocumentRow = Selectable<InvoiceDocumentTable>;

export interface DocumentsTables {
  invoice_documents: InvoiceDocumentTable;
  document_blobs: DocumentBlobTable;
}
