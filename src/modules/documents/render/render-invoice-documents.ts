import { getDocumentFont } from './font/document-font.js';
import { GlyphSubset } from './font/ttf-subset.js';
import type { InvoiceDocument } from './invoice-document.js';
import { layoutInvoice } from './layout/layout-invoice.js';
import { renderOfd } from './ofd/render-ofd.js';
import { renderPdf } from './pdf/render-pdf.js';
import { renderInvoiceXml } from './xml/render-xml.js';

/** The three files of an invoice, as bytes. */
export interface RenderedDocuments {
  readonly pdf: Buffer;
  readonly ofd: Buffer;
  readonly xml: Buffer;
}

/**
 * Renders PDF, OFD and XML of one invoice. Pure and deterministic (same invoice → same bytes); synchronous and
 * CPU-bound, so servers call it through the worker-thread pool (render-pool.ts), never on the HTTP event loop.
 */
export function renderInvoiceDocuments(doc: InvoiceDocument): RenderedDocuments {
  const xml = renderInvoiceXml(doc);
  const pages = layoutInvoice(doc);
  // One glyph subset for both containers: its font file is built and deflated once (deflate-once.ts).
  const subset = new GlyphSubset(getDocumentFont());
  return { pdf: renderPdf(doc, pages, xml, subset), ofd: renderOfd(doc, pages, xml, subset), xml };
}
