/**
 * PDF invoices through pdf.js (pdfjs-dist 5.6.205 legacy build, the last that runs on Node 20; tech-notes §3):
 * an embedded invoice XML attachment first (ours embed one, the PDF/A-3 way), then the text layer with positions,
 * read by the label-anchored extraction. CMaps come from the caller as a filesystem directory (the parser does no
 * I/O of its own; pdf.js reads the CMap files it needs). A PDF that needs a password is refused as encrypted.
 */
import { InvoiceDraft } from './draft.js';
import { ParseFailure } from './errors.js';
import { DEFAULT_IMAGE_LIMITS } from './image.js';
import { readInvoiceXml } from './invoice-xml.js';
import { buildPage, type Glyph, normaliseRotation, type PageText, splitRun, type TextLine } from './layout.js';
import type { OcrEngine } from './ocr.js';
import {
  objectOf,
  type PdfImage,
  type PdfJsOps,
  readScannedPdf,
  type ScanDoc,
  ScannedPdf,
  toRgba,
} from './pdf-scan.js';
import { applyQrPayload, type Pixels, qrReaderReady, readQrHits } from './qr.js';
import { readPageText } from './text-fields.js';
import { parseXml } from './xml-tree.js';

export interface PdfReadOptions {
  /** Directory of pdf.js' packed CMaps (…/pdfjs-dist/cmaps/), with a trailing slash. */
  readonly cMapUrl?: string;
  /** Skip embedded XML attachments (tests of the text-layer fallback). */
  readonly textLayerOnly?: boolean;
  readonly maxPages?: number;
  /** Do not decode QR codes from the first page's images (nor read a scan's page pictures). */
  readonly skipPdfQr?: boolean;
  /**
   * A PDF without a usable text layer (a scan): `read` its page pictures like photos (QR, then OCR with `ocr`);
   * `defer` throws {@link ScannedPdf} so the caller can read it where pictures are read (the parse pool's picture
   * lane). Default `read`.
   */
  readonly scannedPdf?: 'read' | 'defer';
  /** OCR for the pictures of a scanned PDF. */
  readonly ocr?: OcrEngine;
  /** Largest image object decoded (pixels); default the picture limit of photos. */
  readonly maxImagePixels?: number;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsModule: Promise<PdfJs> | undefined;
const loadPdfJs = () => {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
};

/** Loads pdf.js ahead of the first file (its import costs a few hundred ms once per thread). */
export async function warmUpPdf(): Promise<void> {
  const pdfjs = await loadPdfJs();
  // Open one empty page too: pdf.js imports its worker code (≈ 2 MB) on the first document, which on a loaded
  // machine took seconds of the first file's time limit.
  const doc = await pdfjs.getDocument({ data: emptyPdf(), verbosity: 0, isEvalSupported: false }).promise;
  try {
    await (await doc.getPage(1)).getTextContent();
  } finally {
    await doc.destroy();
  }
}

/** A valid one-page PDF without content (warm-up). */
function emptyPdf(): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (const [i, o] of objects.entries()) {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  }
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(body);
}

export async function readPdf(bytes: Uint8Array, d: InvoiceDraft, options: PdfReadOptions = {}): Promise<void> {
  await readPdfDocument(bytes, d, options, false);
}

/**
 * The invoices of a PDF that may hold several (a merged print, several invoices concatenated): one draft per
 * invoice. Embedded invoice XML attachments first — two or more are one invoice each; otherwise the pages are grouped
 * by the invoice number their header prints: a page with a number other than the current group's starts a new
 * invoice, a page without one (a continuation, 销货清单) belongs to the invoice before it. One group reads exactly as
 * {@link readPdf}. The first draft is `first`.
 */
export async function readPdfInvoices(
  bytes: Uint8Array,
  first: InvoiceDraft,
  options: PdfReadOptions = {},
): Promise<InvoiceDraft[]> {
  return readPdfDocument(bytes, first, options, true);
}

/** Pages read at most when looking for several invoices (a merged print of many). */
export const MAX_SPLIT_PAGES = 100;

async function readPdfDocument(
  bytes: Uint8Array,
  d: InvoiceDraft,
  options: PdfReadOptions,
  split: boolean,
): Promise<InvoiceDraft[]> {
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({
    // pdf.js detaches the buffer it is given: always a copy.
    data: new Uint8Array(bytes),
    ...(options.cMapUrl ? { cMapUrl: options.cMapUrl, cMapPacked: true } : {}),
    verbosity: 0,
    // Image objects above the picture limit are not decoded at all (decompression bombs in a scan).
    maxImageSize: options.maxImagePixels ?? DEFAULT_IMAGE_LIMITS.maxPixels,
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
    if (!options.textLayerOnly) {
      const drafts = await readAttachments(doc, d, split);
      if (drafts.length > 1) return drafts;
    }
    if (d.isComplete()) return [d];
    const pages: PageText[] = [];
    let visible = 0;
    let controlChars = 0;
    const count = Math.min(doc.numPages, options.maxPages ?? (split ? MAX_SPLIT_PAGES : 20));
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
    const scanned = visible < 10 || controlChars * 2 > visible;
    if (scanned && !d.hasSubstance() && !options.skipPdfQr) {
      if (options.scannedPdf === 'defer') throw new ScannedPdf();
      return await readScan(doc, pdfjs, d, options, split, controlChars > 0);
    }
    const groups = split && pages.length > 0 ? groupPagesByInvoice(pages) : [{ first: 0, pages }];
    // Building a page's operator list (fonts, glyphs, every drawing operator) costs more than its text layer; a PDF
    // whose file has no image object at all cannot hold a QR image, so it is not built (our own PDFs and many
    // issuers' draw the QR as vectors).
    const holdsImageObjects = !options.skipPdfQr && mayHoldImageObjects(bytes);
    const drafts = groups.map((_, i) => (i === 0 ? d : new InvoiceDraft(d.format)));
    for (const [i, group] of groups.entries()) {
      const draft = drafts[i] as InvoiceDraft;
      // The QR straight from the group's first page's image objects (no rasterisation): a cross-check of the text
      // (below its confidence, so a disagreement is a warning and the printed value stays), and the fields of a
      // scanned PDF. Our own PDFs draw the QR as vectors — they carry the invoice XML, which is read above.
      if (!options.skipPdfQr && qrReaderReady() && !draft.qrPayload && holdsImageObjects) {
        const payload = await qrFromPageImages(await doc.getPage(group.first + 1), pdfjs);
        if (payload) applyQrPayload(payload, draft, 0.75);
      }
    }
    if ((visible < 10 || controlChars * 2 > visible) && !drafts.some((x) => x.hasSubstance())) {
      const why = controlChars > 0 ? '文字无法还原（字体缺少编码映射）' : '没有文字层（可能是扫描件或图片）';
      throw new ParseFailure('NO_TEXT_LAYER', `PDF ${why}，需要图片识别`);
    }
    for (const [i, group] of groups.entries()) readPageText(group.pages, drafts[i] as InvoiceDraft, 'pdf-text', 0.8);
    return drafts;
  } finally {
    await doc.destroy();
  }
}

/** A scanned PDF read through its page pictures (pdf-scan.ts); refused as NO_TEXT_LAYER when they give no invoice. */
async function readScan(
  doc: ScanDoc,
  pdfjs: PdfJs,
  d: InvoiceDraft,
  options: PdfReadOptions,
  split: boolean,
  garbledText: boolean,
): Promise<InvoiceDraft[]> {
  const { drafts, pagesWithoutPicture } = await readScannedPdf(doc, pdfjs as unknown as PdfJsOps, d, {
    ...(options.ocr ? { ocr: options.ocr } : {}),
    maxPixels: options.maxImagePixels ?? DEFAULT_IMAGE_LIMITS.maxPixels,
    split,
  });
  const invoices = drafts.filter((x) => x.hasSubstance());
  if (invoices.length === 0) {
    const why = garbledText ? '文字无法还原（字体缺少编码映射）' : '没有文字层（扫描件或图片）';
    const tried =
      pagesWithoutPicture > 0 && drafts.every((x) => !x.qrPayload)
        ? '，页面上也没有可识别的整页图片'
        : options.ocr
          ? '，页面图片中既没有可解码的发票二维码，文字识别也未读出发票号码'
          : '，页面图片中没有可解码的发票二维码（本机未启用文字识别）';
    throw new ParseFailure('NO_TEXT_LAYER', `PDF ${why}${tried}`);
  }
  for (const x of invoices)
    x.warn({
      code: 'NO_TEXT_LAYER',
      message: options.ocr
        ? 'PDF 没有文字层（扫描件）：已按图片识别（二维码与文字识别），请核对识别结果'
        : 'PDF 没有文字层（扫描件）：只读出了发票二维码中的字段（本机未启用文字识别）',
    });
  return invoices;
}

/** A page with more lines than this is not probed for its invoice number (it joins the invoice before it). */
const PROBE_MAX_LINES = 400;

/**
 * Consecutive pages grouped by the invoice their header names (code and number, read the way the whole invoice is):
 * a page naming another invoice than the current group starts a new group; a page naming none joins the current one
 * (and leading pages without a number join the first invoice).
 */
export function groupPagesByInvoice(pages: readonly PageText[]): Array<{ first: number; pages: PageText[] }> {
  if (pages.length === 0) return [{ first: 0, pages: [] }];
  const groups: Array<{ first: number; pages: PageText[]; key: string | null }> = [];
  for (const [index, whole] of pages.entries()) {
    for (const page of splitSheet(whole)) {
      const key = pages.length === 1 && page === whole ? null : invoiceKeyOf(page);
      const current = groups[groups.length - 1];
      if (!current || (key !== null && current.key !== null && key !== current.key)) {
        groups.push({ first: index, pages: [page], key });
      } else {
        current.pages.push(page);
        current.key ??= key;
      }
    }
  }
  return groups.map(({ first, pages: p }) => ({ first, pages: p }));
}

const HEADER_LABEL = /发票号码|票据号码|电子客票号/;

/**
 * A sheet printing several invoices one above the other (a merged print with two per sheet): one page per invoice,
 * cut at the widest vertical gap between one invoice's header and the next, each rebuilt from its glyphs with y
 * from its own top. A sheet with one header, or whose parts do not name different invoices, is answered whole.
 */
function splitSheet(page: PageText): PageText[] {
  if (page.lines.length > PROBE_MAX_LINES) return [page];
  const lines = page.lines;
  const heads: number[] = [];
  for (const [i, line] of lines.entries()) {
    if (!HEADER_LABEL.test(line.compact)) continue;
    const last = heads[heads.length - 1];
    // Two labels of one header band (number and a reference to another invoice) are one header.
    if (last === undefined || line.y - (lines[last] as TextLine).y > page.height * 0.2) heads.push(i);
  }
  if (heads.length < 2) return [page];
  const cuts: number[] = [0];
  for (let k = 1; k < heads.length; k++) {
    let best = heads[k] as number;
    let widest = -1;
    // The cut lies just above the next header (the header block sits in an invoice's top third): only gaps in the
    // last third before it count, so a half-empty continuation page above it is not cut in its middle.
    const headY = (lines[heads[k] as number] as TextLine).y;
    const windowTop = headY - (headY - (lines[heads[k - 1] as number] as TextLine).y) / 3;
    for (let j = (heads[k - 1] as number) + 1; j <= (heads[k] as number); j++) {
      if ((lines[j - 1] as TextLine).y < windowTop) continue;
      const gap = (lines[j] as TextLine).y - (lines[j - 1] as TextLine).y;
      if (gap > widest) {
        widest = gap;
        best = j;
      }
    }
    cuts.push(best);
  }
  const parts: PageText[] = [];
  for (const [k, from] of cuts.entries()) {
    const to = cuts[k + 1] ?? lines.length;
    const band = lines.slice(from, to);
    const top = k === 0 ? 0 : ((lines[from - 1] as TextLine).y + (band[0] as TextLine).y) / 2;
    const bottom =
      k + 1 < cuts.length ? ((band[band.length - 1] as TextLine).y + (lines[to] as TextLine).y) / 2 : page.height;
    const glyphs = band.flatMap((l) => l.glyphs.map((g) => ({ ...g, y: g.y - top })));
    parts.push(buildPage(glyphs, page.width, bottom - top));
  }
  // Each part must read as an invoice header of its own (number and date): a remark naming another invoice (红冲's
  // 蓝字发票号码) is no second invoice.
  const probes = parts.map(probeOf);
  // Parts of the same invoice (its pages printed two-up) are split too: they join one group, each read as a page.
  return probes.every((p) => p.get('number') && p.get('issueDate')) ? parts : [page];
}

/** A page read on its own (its header's number, code and date). */
function probeOf(page: PageText): InvoiceDraft {
  const probe = new InvoiceDraft('pdf');
  readPageText([page], probe, 'pdf-text', 0.8);
  return probe;
}

const keyOf = (probe: InvoiceDraft) => {
  const number = probe.get('number');
  return number ? `${probe.get('code') ?? ''}/${number}` : null;
};

/** The code/number a single page's header prints, or null (a continuation page, 销货清单, a cover). */
function invoiceKeyOf(page: PageText): string | null {
  if (page.lines.length > PROBE_MAX_LINES) return null;
  return keyOf(probeOf(page));
}

/**
 * Reads the invoice XML attachments: into `d` the first that reads; with `all`, each further one into a draft of its
 * own. Answers the drafts read (`d` first), empty when none did.
 */
async function readAttachments(
  doc: { getAttachments(): Promise<unknown> },
  d: InvoiceDraft,
  all: boolean,
): Promise<InvoiceDraft[]> {
  const raw = ((await doc.getAttachments()) ?? {}) as Record<string, { filename?: string; content?: Uint8Array }>;
  const drafts: InvoiceDraft[] = [];
  for (const att of Object.values(raw)) {
    if (!att.content || !/\.xml$/i.test(att.filename ?? '')) continue;
    const target = drafts.length === 0 ? d : new InvoiceDraft(d.format);
    try {
      if (readInvoiceXml(parseXml(att.content, att.filename), target, 'xml', 1)) {
        drafts.push(target);
        if (!all) return drafts;
      }
    } catch (err) {
      if (!(err instanceof ParseFailure)) throw err;
      d.warn({ code: 'FIELD_MISSING', message: `PDF 附件 ${att.filename} 无法解析，已改用页面文字` });
    }
  }
  return drafts;
}

const IMAGE_NAME = Buffer.from('/Image');

/**
 * Whether a PDF file may hold an image XObject: some `/Image` name (as in `/Subtype /Image`) followed by a delimiter,
 * not a longer name (`/ImageB` of a ProcSet, `/Image1` of a resource). Image XObjects are streams, and a stream's
 * dictionary is never inside a compressed object stream (ISO 32000-1 §7.5.7), so its `/Subtype` is always plain in
 * the file. False positives only cost the operator list; what this misses is an inline image (`BI … ID … EI` inside
 * a compressed content stream) or a name written with `#` escapes — such a PDF is read from its text layer without
 * the QR cross-check. Linear: one `indexOf` pass.
 */
export function mayHoldImageObjects(bytes: Uint8Array): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = buf.indexOf(IMAGE_NAME); at !== -1; at = buf.indexOf(IMAGE_NAME, at + IMAGE_NAME.length)) {
    const next = buf[at + IMAGE_NAME.length];
    if (next === undefined || !isRegularNameByte(next)) return true;
  }
  return false;
}

/** A byte that continues a PDF name: neither white-space nor a delimiter (ISO 32000-1 §7.2.2). */
function isRegularNameByte(b: number): boolean {
  if (b === 0x00 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20) return false;
  // ( ) < > [ ] { } / %
  return !(
    b === 0x28 ||
    b === 0x29 ||
    b === 0x3c ||
    b === 0x3e ||
    b === 0x5b ||
    b === 0x5d ||
    b === 0x7b ||
    b === 0x7d ||
    b === 0x2f ||
    b === 0x25
  );
}

/** Largest image object decoded for a QR, and how many are tried. */
const QR_IMAGE_MAX_PIXELS = 4_000_000;
const QR_IMAGE_MAX_COUNT = 6;

interface PdfObjs {
  get(id: string, callback: (value: unknown) => void): void;
}

interface PdfPageObjs {
  getOperatorList(): Promise<{ fnArray: number[]; argsArray: unknown[][] }>;
  objs: PdfObjs;
  commonObjs: PdfObjs;
}

/** Decodes the invoice QR from the image objects the first page paints (squarish ones first), or null. */
async function qrFromPageImages(page: unknown, pdfjs: PdfJs): Promise<string | null> {
  const p = page as PdfPageObjs;
  const ops = await p.getOperatorList();
  const images: PdfImage[] = [];
  for (let i = 0; i < ops.fnArray.length && images.length < QR_IMAGE_MAX_COUNT * 3; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] ?? [];
    let img: unknown = null;
    if (fn === pdfjs.OPS.paintImageXObject && typeof args[0] === 'string') {
      const w = Number(args[1]);
      const h = Number(args[2]);
      // A QR image is square (within rounding): seals, logos and backgrounds are skipped before being fetched.
      if (!(w >= 21 && h >= 21 && w * h <= QR_IMAGE_MAX_PIXELS) || Math.abs(Math.log(w / h)) > 0.15) continue;
      img = await objectOf(args[0].startsWith('g_') ? p.commonObjs : p.objs, args[0]);
    } else if (fn === pdfjs.OPS.paintInlineImageXObject) img = args[0];
    const im = img as PdfImage | null;
    if (im?.data && im.width >= 21 && im.height >= 21 && im.width * im.height <= QR_IMAGE_MAX_PIXELS) images.push(im);
  }
  const squareness = (im: PdfImage) => Math.abs(Math.log(im.width / im.height));
  images.sort((a, b) => squareness(a) - squareness(b));
  for (const im of images.slice(0, QR_IMAGE_MAX_COUNT)) {
    const pixels = toRgba(im);
    if (!pixels) continue;
    const hit = (await readQrHits(withQuietZone(pixels))).find((h) => /^\s*01,\s*\d{2}\s*,/.test(h.text));
    if (hit) return hit.text;
  }
  return null;
}

/** The picture on a white margin of a tenth of its size (QR images are often cut at the code's edge). */
function withQuietZone(p: Pixels): Pixels {
  const m = Math.max(4, Math.round(Math.max(p.width, p.height) / 10));
  const width = p.width + 2 * m;
  const height = p.height + 2 * m;
  const out = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let y = 0; y < p.height; y++)
    out.set(p.data.subarray(y * p.width * 4, (y + 1) * p.width * 4), ((y + m) * width + m) * 4);
  return { data: out, width, height };
}

const isControl = (code: number) => code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d;
