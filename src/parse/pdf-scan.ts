/**
 * Scanned PDFs (a scanner's or a phone's "scan to PDF": no usable text layer, each page one picture): the page's
 * picture is taken straight from the image object pdf.js decodes for it (JPEG/DCT, Flate RGB/Gray, CCITT, JBIG2 —
 * pdf.js' own decoders; no page is rasterised), turned the way the page shows it (the image's placement matrix and
 * the page's /Rotate, in quarter turns), shrunk to the working size of photos and read by the same picture pipeline
 * as photos (image.ts: QR search, then OCR when an engine is given). Pages are grouped into invoices by the number
 * their QR or text gives, as the text-layer path groups pages. Limits: at most {@link MAX_SCAN_PAGES} pages, images
 * above the picture pixel limit are not decoded (pdf.js `maxImageSize`), and the pool's time limit for pictures.
 */
import { InvoiceDraft } from './draft.js';
import { applyPictures, type PictureRead, readPicture, type Work, workCopy } from './image.js';
import type { OcrEngine } from './ocr.js';
import type { Pixels } from './qr.js';

/** Pages of a scanned PDF read at most (each is a picture: QR search and OCR). */
export const MAX_SCAN_PAGES = 10;

/** An image covering less of the page than this is no page picture (a logo, a stamp, a QR tile on a blank page). */
const MIN_PAGE_COVER = 0.08;

/** Thrown by the PDF reader when asked to hand scanned PDFs back (`scannedPdf: 'defer'`): the pool's text lane. */
export class ScannedPdf extends Error {
  override readonly name = 'ScannedPdf';
  constructor() {
    super('PDF 没有可用的文字层（扫描件），需按图片识别');
  }
}

/** True when `err` is a {@link ScannedPdf}. */
export const isScannedPdf = (err: unknown): err is ScannedPdf => err instanceof ScannedPdf;

/** pdf.js image data: ImageKind 1 (1 bit/pixel, set = white), 2 (RGB), 3 (RGBA). */
export interface PdfImage {
  readonly width: number;
  readonly height: number;
  readonly kind?: number;
  readonly data?: Uint8Array | Uint8ClampedArray;
}

interface PdfObjs {
  get(id: string, callback: (value: unknown) => void): void;
}

/** The parts of a pdf.js page this file uses. */
export interface ScanPage {
  getOperatorList(): Promise<{ fnArray: number[]; argsArray: unknown[][] }>;
  getViewport(options: { scale: number }): { width: number; height: number; transform: number[] };
  cleanup(): void;
  objs: PdfObjs;
  commonObjs: PdfObjs;
}

export interface ScanDoc {
  readonly numPages: number;
  getPage(n: number): Promise<unknown>;
}

/** The operator codes and matrix product of pdf.js. */
export interface PdfJsOps {
  readonly OPS: Readonly<Record<string, number>>;
  readonly Util: { transform(m1: number[], m2: number[]): number[] };
}

/** An image object once pdf.js has decoded it (it arrives with the operator list; `waitMs` at most). */
export function objectOf(objs: PdfObjs, id: string, waitMs = 1000): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), waitMs);
    objs.get(id, (value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** pdf.js image data as RGBA (1-bit images expanded; RGB and RGBA as they are). */
export function toRgba(im: PdfImage): Pixels | null {
  const { width, height, data } = im;
  if (!data) return null;
  const out = new Uint8ClampedArray(width * height * 4);
  if (im.kind === 3) out.set(data.subarray(0, out.length));
  else if (im.kind === 2) {
    for (let i = 0; i < width * height; i++) {
      out[i * 4] = data[i * 3] ?? 0;
      out[i * 4 + 1] = data[i * 3 + 1] ?? 0;
      out[i * 4 + 2] = data[i * 3 + 2] ?? 0;
      out[i * 4 + 3] = 255;
    }
  } else if (im.kind === 1) {
    const rowBytes = (width + 7) >> 3;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const bit = ((data[y * rowBytes + (x >> 3)] ?? 0) >> (7 - (x & 7))) & 1;
        const v = bit ? 255 : 0;
        const o = (y * width + x) * 4;
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
        out[o + 3] = 255;
      }
  } else return null;
  return { data: out, width, height };
}

/**
 * The picture of a scanned page: the image object covering most of the page, as a working copy turned the way the
 * page shows it; null when the page paints no image covering at least {@link MIN_PAGE_COVER} of it.
 */
export async function pagePicture(page: ScanPage, pdfjs: PdfJsOps, maxPixels: number): Promise<Work | null> {
  const viewport = page.getViewport({ scale: 1 });
  const pageArea = viewport.width * viewport.height;
  const ops = await page.getOperatorList();
  const { OPS } = pdfjs;
  let ctm = [1, 0, 0, 1, 0, 0];
  const stack: number[][] = [];
  let best: { id: string | null; inline: PdfImage | null; matrix: number[]; area: number } | null = null;
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] ?? [];
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? [1, 0, 0, 1, 0, 0];
    else if (fn === OPS.transform) ctm = pdfjs.Util.transform(ctm, args as number[]);
    else if (fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject) {
      const w = fn === OPS.paintImageXObject ? Number(args[1]) : (args[0] as PdfImage | undefined)?.width;
      const h = fn === OPS.paintImageXObject ? Number(args[2]) : (args[0] as PdfImage | undefined)?.height;
      if (!w || !h || w * h > maxPixels) continue;
      const m = pdfjs.Util.transform(viewport.transform, ctm);
      const area = Math.abs((m[0] ?? 0) * (m[3] ?? 0) - (m[1] ?? 0) * (m[2] ?? 0));
      if (area < pageArea * MIN_PAGE_COVER || (best && best.area >= area)) continue;
      best =
        fn === OPS.paintImageXObject
          ? { id: String(args[0]), inline: null, matrix: m, area }
          : { id: null, inline: args[0] as PdfImage, matrix: m, area };
    }
  }
  if (!best) return null;
  const image = (
    best.id !== null
      ? await objectOf(best.id.startsWith('g_') ? page.commonObjs : page.objs, best.id, 5000)
      : best.inline
  ) as PdfImage | null;
  if (!image?.data || image.width < 16 || image.height < 16) return null;
  // The image's x axis in device space (y down) says how far the page shows it turned, in quarter turns clockwise.
  const [a = 1, b = 0] = best.matrix;
  const turns = Math.round(Math.atan2(b, a) / (Math.PI / 2));
  if (image.kind === 2 || image.kind === 3) return workCopy(image as Pixels, image.kind === 2 ? 3 : 4, turns);
  const rgba = toRgba(image);
  return rgba ? workCopy(rgba, 4, turns) : null;
}

/** What a scanned page gave: its picture's QR and OCR, and the invoice its QR or text names (null: none). */
interface ScannedPage {
  readonly read: PictureRead;
  readonly key: string | null;
}

/**
 * Reads a scanned PDF: each page's picture through the photo pipeline; with `split`, one draft per invoice (a page
 * naming another invoice than the one before starts a new one, a page naming none continues it), else one (the
 * first pages up to the first that names an invoice, and the pages that continue it). The first draft is `d`.
 * Pages without a usable picture are skipped (`rasterised` says how many there were, for a warning).
 */
export async function readScannedPdf(
  doc: ScanDoc,
  pdfjs: PdfJsOps,
  d: InvoiceDraft,
  options: { readonly ocr?: OcrEngine; readonly maxPixels: number; readonly split: boolean },
): Promise<{ drafts: InvoiceDraft[]; pagesRead: number; pagesWithoutPicture: number }> {
  const scanned: ScannedPage[] = [];
  let pagesWithoutPicture = 0;
  const count = Math.min(doc.numPages, MAX_SCAN_PAGES);
  for (let n = 1; n <= count; n++) {
    const page = (await doc.getPage(n)) as ScanPage;
    const work = await pagePicture(page, pdfjs, options.maxPixels);
    page.cleanup();
    if (!work) {
      pagesWithoutPicture++;
      continue;
    }
    const read = await readPicture(work, options.ocr);
    const probe = new InvoiceDraft('pdf');
    applyPictures([read], probe);
    const number = probe.get('number');
    const key = number ? `${probe.get('code') ?? ''}/${number}` : null;
    scanned.push({ read, key });
    // One invoice wanted: stop at the first page naming another invoice than the one read.
    if (!options.split && key !== null && scanned.some((s) => s.key !== null && s.key !== key)) {
      scanned.pop();
      break;
    }
  }
  const groups: Array<{ key: string | null; reads: PictureRead[] }> = [];
  for (const s of scanned) {
    const current = groups[groups.length - 1];
    if (!current || (s.key !== null && current.key !== null && s.key !== current.key))
      groups.push({ key: s.key, reads: [s.read] });
    else {
      current.reads.push(s.read);
      current.key ??= s.key;
    }
  }
  const drafts = groups.map((_, i) => (i === 0 ? d : new InvoiceDraft(d.format)));
  for (const [i, group] of groups.entries()) applyPictures(group.reads, drafts[i] as InvoiceDraft);
  if (drafts.length === 0) drafts.push(d);
  if (doc.numPages > MAX_SCAN_PAGES)
    for (const draft of drafts)
      draft.warn({
        code: 'FIELD_MISSING',
        message: `扫描件共 ${doc.numPages} 页，只识别了前 ${MAX_SCAN_PAGES} 页`,
      });
  return { drafts, pagesRead: scanned.length, pagesWithoutPicture };
}
