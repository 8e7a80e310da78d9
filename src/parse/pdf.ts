/**
 * PDF invoices through pdf.js (pdfjs-dist 5.6.205 legacy build, the last that runs on Node 20; tech-notes §3):
 * an embedded invoice XML attachment first (ours embed one, the PDF/A-3 way), then the text layer with positions,
 * read by the label-anchored extraction. CMaps come from the caller as a filesystem directory (the parser does no
 * I/O of its own; pdf.js reads the CMap files it needs). A PDF that needs a password is refused as encrypted.
 */
import type { InvoiceDraft } from './draft.js';
import { ParseFailure } from './errors.js';
import { readInvoiceXml } from './invoice-xml.js';
import { buildPage, type Glyph, normaliseRotation, type PageText, splitRun } from './layout.js';
import { readPageText } from './text-fields.js';
import { parseXml } from './xml-tree.js';

export interface PdfReadOptions {
  /** Directory of pdf.js' packed CMaps (…/pdfjs-dist/cmaps/), with a trailing slash. */
  readonly cMapUrl?: string;
  /** Skip embedded XML attachments (tests of the text-layer fallback). */
  readonly textLayerOnly?: boolean;
  readonly maxPages?: number;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsModule: Promise<PdfJs> | undefined;
const loadPdfJs = () => {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
};

/** Loads pdf.js ahead of the first file (its import costs a few hundred ms once per thread). */
export async function warmUpPdf(): Promise<void> {
  await loadPdfJs();
}

export async function readPdf(bytes: Uint8Array, d: InvoiceDraft, options: PdfReadOptions = {}): Promise<void> {
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({
    // pdf.js detaches the buffer it is given: always a copy.
    data: new Uint8Array(bytes),
    ...(options.cMapUrl ? { cMapUrl: options.cMapUrl, cMapPacked: true } : {}),
    verbosity: 0,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
  });
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'PasswordException') throw new ParseFailure('ENCRYPTED', 'PDF 已加密（需要密码），无法读取');
    throw new ParseFailure('CORRUPT', 'PDF 文件已损坏或被截断，无法打开');
  }
  try {
    if (!options.textLayerOnly) await readAttachments(doc, d);
    if (d.isComplete()) return;
    const pages: PageText[] = [];
    let visible = 0;
    let controlChars = 0;
    const count = Math.min(doc.numPages, options.maxPages ?? 20);
    for (let n = 1; n <= count; n++) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: 1 });
      const content = await page.getTextContent();
      const raw: Array<Glyph & { quarter: number }> = [];
      let runId = 0;
      for (const item of content.items) {
        if (!('str' in item) || !item.str) continue;
        const m = pdfjs.Util.transform(viewport.transform, item.transform) as number[];
        const [a, b, c, dd, e, f] = m as [number, number, number, number, number, number];
        const size = Math.hypot(c, dd) || Math.hypot(a, b);
        const angle = Math.atan2(b, a);
        const quarter = ((Math.round(angle / (Math.PI / 2)) % 4) + 4) % 4;
        for (const ch of item.str) {
          if (ch.trim()) visible++;
          if (isControl(ch.charCodeAt(0))) controlChars++;
        }
        const width = item.width * (Math.hypot(a, b) / (Math.hypot(item.transform[0], item.transform[1]) || 1));
        // Glyphs along the run's direction, in device space (y down).
        const along = splitRun(item.str, 0, 0, width, size, ++runId);
        const ux = Math.cos(angle);
        const uy = Math.sin(angle);
        for (const g of along) raw.push({ ...g, x: e + g.x * ux, y: f + g.x * uy, quarter });
      }
      const upright = normaliseRotation(raw, viewport.width, viewport.height);
      pages.push(buildPage(upright.glyphs, upright.width, upright.height));
      page.cleanup();
    }
    if ((visible < 10 || controlChars * 2 > visible) && !d.hasSubstance()) {
      const why = controlChars > 0 ? '文字无法还原（字体缺少编码映射）' : '没有文字层（可能是扫描件或图片）';
      throw new ParseFailure('NO_TEXT_LAYER', `PDF ${why}，需要图片识别`);
    }
    readPageText(pages, d, 'pdf-text', 0.8);
  } finally {
    await doc.destroy();
  }
}

async function readAttachments(doc: { getAttachments(): Promise<unknown> }, d: InvoiceDraft): Promise<void> {
  const raw = ((await doc.getAttachments()) ?? {}) as Record<string, { filename?: string; content?: Uint8Array }>;
  for (const att of Object.values(raw)) {
    if (!att.content || !/\.xml$/i.test(att.filename ?? '')) continue;
    try {
      if (readInvoiceXml(parseXml(att.content, att.filename), d, 'xml', 1)) return;
    } catch (err) {
      if (!(err instanceof ParseFailure)) throw err;
      d.warn({ code: 'FIELD_MISSING', message: `PDF 附件 ${att.filename} 无法解析，已改用页面文字` });
    }
  }
}

const isControl = (code: number) => code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d;
