/**
 * Rendering and storing an issued invoice's files, exactly once. Files are rendered on the worker-thread pool,
 * stored content-addressed in the BlobStore as one bundle blob per invoice (each file keeps its own sha256), and recorded in `invoice_documents` whose (invoice, format) primary
 * key decides the winner when two processes race: the loser's insert is ignored and it re-reads the winner's row.
 * Within one process concurrent calls share one render. Stored files are never re-rendered.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import type { Invoice } from '../invoicing/index.js';
import { findInvoiceById } from '../invoicing/index.js';
import { buildInvoiceDocument } from './build-invoice-document.js';
import { CONTENT_TYPES, DOCUMENT_FORMATS, type DocumentFormat, documentFileName } from './document-formats.js';
import { DOCUMENT_NOT_AVAILABLE } from './documents.errors.js';
import { findDocumentRows, insertDocumentRows, isIssuedInvoice } from './documents.repo.js';
import type { InvoiceDocumentRow } from './documents.tables.js';
import { documentsContext } from './documents-context.js';
import type { InvoiceDocument } from './render/invoice-document.js';
import { getRenderPool, type StoredDocuments } from './render/render-pool.js';
import type { BlobStore } from './storage/blob-store.js';
import { packDocuments } from './storage/document-bundle.js';

/** A stored file of an invoice: its identity, and where its bytes are (`size` bytes at `offset` of blob `blobSha256`). */
export interface InvoiceDocumentRef {
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string;
  readonly fileName: string;
  readonly blobSha256: string;
  readonly offset: number;
}

export type InvoiceDocumentRefs = Record<DocumentFormat, InvoiceDocumentRef>;

const inflight = new Map<string, Promise<InvoiceDocumentRefs>>();

/** Returns the stored files of an issued invoice, rendering and storing them first when needed. */
export async function ensureInvoiceDocuments(deps: Deps, invoiceId: string): Promise<InvoiceDocumentRefs> {
  const stored = toRefs(await findDocumentRows(deps.db.kysely, invoiceId));
  if (stored) return stored;
  let pending = inflight.get(invoiceId);
  if (!pending) {
    pending = renderAndStore(deps, invoiceId).finally(() => inflight.delete(invoiceId));
    inflight.set(invoiceId, pending);
  }
  return pending;
}

async function renderAndStore(deps: Deps, invoiceId: string): Promise<InvoiceDocumentRefs> {
  const db = deps.db.kysely;
  const invoice = await findInvoiceById(db, invoiceId);
  if (!invoice || !isIssuedInvoice(invoice)) {
    throw new AppError(DOCUMENT_NOT_AVAILABLE, undefined, { invoiceId, status: invoice?.status ?? null });
  }
  const blue =
    invoice.is_red === 1 && invoice.blue_invoice_id ? await findInvoiceById(db, invoice.blue_invoice_id) : null;
  const { blobs } = documentsContext(deps);
  const doc = buildInvoiceDocument(invoice, blue?.number ?? null);
  const stored = await storeRendered(blobs, doc);
  const now = deps.clock.now();
  const rows = DOCUMENT_FORMATS.map((format) => documentRow(invoice, format, stored, now));
  const inserted = await insertDocumentRows(db, rows);
  // All three rows are ours unless another process stored some first; then its rows are the truth.
  const refs = toRefs(inserted === rows.length ? rows : await findDocumentRows(db, invoiceId));
  if (!refs) throw new Error(`documents of invoice ${invoiceId} are incomplete after storing them`);
  return refs;
}

/**
 * For the issue job (registered as invoicing's IssuedFilesRenderer): renders and stores the files of an invoice the
 * channel has just issued — not committed yet, so it is passed in, never read — and returns the insert of their rows
 * for the transaction that records the invoice as issued. A red invoice's blue number is read here (red only).
 */
export async function renderIssuedDocuments(
  deps: Deps,
  invoice: Invoice,
): Promise<(trx: Transaction<Database>) => Promise<void>> {
  if (!isIssuedInvoice(invoice)) {
    throw new AppError(DOCUMENT_NOT_AVAILABLE, undefined, { invoiceId: invoice.id, status: invoice.status });
  }
  const blue =
    invoice.is_red === 1 && invoice.blue_invoice_id
      ? await findInvoiceById(deps.db.kysely, invoice.blue_invoice_id)
      : null;
  const stored = await storeRendered(documentsContext(deps).blobs, buildInvoiceDocument(invoice, blue?.number ?? null));
  const now = deps.clock.now();
  const rows = DOCUMENT_FORMATS.map((format) => documentRow(invoice, format, stored, now));
  return async (trx) => {
    await insertDocumentRows(trx, rows);
  };
}

/**
 * Renders on the pool and stores the three files as one bundle blob; a filesystem store is written by the render
 * thread itself, others through `put`.
 */
async function storeRendered(blobs: BlobStore, doc: InvoiceDocument): Promise<StoredDocuments> {
  const pool = getRenderPool();
  if (blobs.directory !== null) return pool.renderToStore(doc, blobs.directory);
  const { bytes, packed } = packDocuments(await pool.render(doc));
  await blobs.put(bytes);
  return packed;
}

function documentRow(invoice: Invoice, format: DocumentFormat, stored: StoredDocuments, now: number) {
  const file = stored.files[format];
  return {
    invoice_id: invoice.id,
    format,
    tenant_id: invoice.tenant_id,
    sha256: file.sha256,
    size: file.size,
    blob_sha256: stored.blob.sha256,
    blob_offset: file.offset,
    content_type: CONTENT_TYPES[format],
    file_name: documentFileName(invoice.number ?? invoice.id, format),
    created_at: now,
  };
}

/** The refs when all formats are stored, else null. */
function toRefs(rows: readonly InvoiceDocumentRow[]): InvoiceDocumentRefs | null {
  const out: Partial<InvoiceDocumentRefs> = {};
  for (const row of rows) {
    out[row.format as DocumentFormat] = {
      sha256: row.sha256,
      size: Number(row.size),
      contentType: row.content_type,
      fileName: row.file_name,
      // Rows from before bundles (migration 0009): the file is a blob of its own.
      blobSha256: row.blob_sha256 ?? row.sha256,
      offset: Number(row.blob_offset ?? 0),
    };
  }
  return DOCUMENT_FORMATS.every((f) => out[f]) ? (out as InvoiceDocumentRefs) : null;
}
