import type { Selectable } from 'kysely';

/**
 * One stored file of an issued invoice (PDF, OFD or XML). Its bytes are `size` bytes at `blob_offset` of the
 * BlobStore blob `blob_sha256` (the invoice's bundle, migration 0009); both null on older rows, whose file is the
 * blob `sha256` itself.
 */
export interface InvoiceDocumentTable {
  invoice_id: string;
  /** pdf | ofd | xml. Primary key (invoice_id, format): a file is stored once and never re-rendered. */
  format: string;
  tenant_id: string;
  /** SHA-256 of the file's own bytes: its ETag. */
  sha256: string;
  size: number;
  blob_sha256: string | null;
  blob_offset: number | null;
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
