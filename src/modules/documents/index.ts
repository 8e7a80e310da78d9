/**
 * Invoice documents: the PDF, OFD and XML of every issued invoice (blue and red), rendered once on worker
 * threads, stored content-addressed, downloadable through the API and through signed public links. See
 * docs/documents.md.
 */
export { createDownloadLink } from './create-download-link.js';
export {
  CONTENT_TYPES,
  DOCUMENT_FORMATS,
  type DocumentFormat,
  documentFileName,
  isDocumentFormat,
} from './document-formats.js';
export { DOCUMENT_LINK_EXPIRED, DOCUMENT_LINK_INVALID, DOCUMENT_NOT_AVAILABLE } from './documents.errors.js';
export { isDocumentBlob } from './documents.repo.js';
export type { DocumentsTables } from './documents.tables.js';
export { DOWNLOAD_LINK_TTL_SECONDS } from './download-links.js';
export { ensureInvoiceDocuments, type InvoiceDocumentRef, type InvoiceDocumentRefs } from './ensure-documents.js';
export { getInvoiceDocument, type InvoiceDocumentFile } from './get-document.js';
export type { DrawOp, PageDrawing, Rgb } from './render/layout/display-list.js';
export { measureText } from './render/layout/text-metrics.js';
export { renderDrawingPdf } from './render/pdf/render-drawing-pdf.js';
export { createQrMatrix } from './render/qr/qr-matrix.js';
export { documentsRoutes } from './routes/documents.routes.js';
export { publicDocumentsRoutes } from './routes/public-documents.routes.js';
export { deriveSigningKey } from './signing-key.js';
export type { BlobStore } from './storage/blob-store.js';
export { createBlobStore } from './storage/create-blob-store.js';
export { registerDocumentsTasks } from './tasks/index.js';
