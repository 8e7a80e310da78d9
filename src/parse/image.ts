/**
 * Invoice photos and screenshots (JPEG, PNG, WebP): the size is checked from the header before anything is
 * decoded (a small PNG can claim 100 000 × 100 000 pixels), the picture is turned upright by its EXIF orientation
 * and decoded once into a working copy of at most {@link WORK_SIDE} pixels a side (sharp/libvips, shrink-on-load
 * for JPEG), the invoice QR is searched (qr.ts) and, when an OCR engine is given, the text is recognised and read
 * with the label-anchored extraction (ocr.ts). QR fields win over OCR fields; where the two disagree the draft
 * notes it (SOURCES_DISAGREE) and the cross-checks raise QR_MISMATCH.
 */
import sharp from 'sharp';
import type { InvoiceDraft } from './draft.js';
import { ParseFailure } from './errors.js';
import { type OcrEngine, type OcrTextBox, readOcrPages } from './ocr.js';
import { applyQrPayload, type Pixels, type QrImageOps, type QrSearch, searchQr } from './qr.js';

export type ImageType = 'png' | 'jpeg' | 'webp';

export interface ImageLimits {
  /** Largest width × height accepted (checked from the header before decoding). */
  readonly maxPixels: number;
  /** Longest side accepted. */
  readonly maxSide: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 50_000_000, maxSide: 16_384 };

/** Longest side of the working copy the QR search and OCR see. */
export const WORK_SIDE = 1800;

/** What the header says. `orientation` is the EXIF orientation (1 = upright; 5–8 swap width and height). */
export interface ImageHeader {
  readonly type: ImageType;
  readonly width: number;
  readonly height: number;
  readonly orientation: number;
}

/** The image type from the magic bytes, or null. */
export function sniffImage(bytes: Uint8Array): ImageType | null {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  return null;
}

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));
const u16be = (b: Uint8Array, at: number) => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
const u32be = (b: Uint8Array, at: number) => u16be(b, at) * 65536 + u16be(b, at + 2);
const u16le = (b: Uint8Array, at: number) => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, at: number) => u16le(b, at) | ((b[at + 2] ?? 0) << 16);

/** Reads width, height and EXIF orientation from the header alone (no pixel is decoded); null when unreadable. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const type = sniffImage(bytes);
  if (type === 'png') {
    if (bytes.length < 24 || ascii(bytes, 12, 4) !== 'IHDR') return null;
    return { type, width: u32be(bytes, 16), height: u32be(bytes, 20), orientation: 1 };
  }
  if (type === 'jpeg') return readJpegHeader(bytes);
  if (type === 'webp') return readWebpHeader(bytes);
  return null;
}

function readJpegHeader(b: Uint8Array): ImageHeader | null {
  let at = 2;
  let orientation = 1;
  // Markers until the first frame header; at most 512 segments (a file of tiny segments cannot spin us).
  for (let n = 0; n < 512 && at + 4 <= b.length; n++) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1] ?? 0;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const len = u16be(b, at + 2);
    if (len < 2) return null;
    if (marker === 0xe1 && ascii(b, at + 4, 4) === 'Exif') orientation = exifOrientation(b, at + 10, at + 2 + len);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (at + 9 > b.length) return null;
      return { type: 'jpeg', height: u16be(b, at + 5), width: u16be(b, at + 7), orientation };
    }
    at += 2 + len;
  }
  return null;
}

/** Orientation tag (0x0112) of the EXIF TIFF block at [start, end); 1 when absent. */
function exifOrientation(b: Uint8Array, start: number, end: number): number {
  if (end > b.length || start + 8 > end) return 1;
  const little = ascii(b, start, 2) === 'II';
  const r16 = (at: number) => (little ? u16le(b, at) : u16be(b, at));
  const r32 = (at: number) => (little ? u16le(b, at) + u16le(b, at + 2) * 65536 : u32be(b, at));
  const ifd = start + r32(start + 4);
  if (ifd + 2 > end) return 1;
  const count = Math.min(r16(ifd), 256);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) break;
    if (r16(e) === 0x0112) {
      const v = r16(e + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

function readWebpHeader(b: Uint8Array): ImageHeader | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X' && b.length >= 30)
    return { type: 'webp', width: 1 + u24le(b, 24), height: 1 + u24le(b, 27), orientation: 1 };
  if (chunk === 'VP8 ' && b.length >= 30)
    return { type: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff, orientation: 1 };
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24);
    return { type: 'webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff), orientation: 1 };
  }
  return null;
}

/** Refuses pictures whose header claims more pixels than the limits (decompression bombs) or nothing at all. */
export function checkImageHeader(bytes: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): ImageHeader {
  const header = readImageHeader(bytes);
  if (!header || header.width === 0 || header.height === 0)
    throw new ParseFailure('CORRUPT', '图片文件已损坏或被截断，无法读取尺寸');
  const pixels = header.width * header.height;
  if (pixels > limits.maxPixels || Math.max(header.width, header.height) > limits.maxSide) {
    throw new ParseFailure(
      'IMAGE_TOO_LARGE',
      `图片尺寸过大（${header.width}×${header.height} 像素，上限 ${Math.round(limits.maxPixels / 1e6)} 百万像素、单边 ${limits.maxSide} 像素）`,
    );
  }
  return header;
}

export interface ImageReadOptions {
  readonly ocr?: OcrEngine;
  readonly imageLimits?: ImageLimits;
}

/** Diagnostics of an image read (bench, tests). */
export interface ImageReadReport {
  readonly header: ImageHeader;
  readonly qr: QrSearch;
  readonly ocrBoxes: number;
}

/** The working copy: upright, RGBA, at most WORK_SIDE a side. */
export interface Work extends Pixels {
  readonly data: Uint8Array;
}

/** What one picture (a photo, a scanned page) gave: its QR search and, with OCR, the recognised text boxes. */
export interface PictureRead {
  readonly qr: QrSearch;
  /** OCR boxes in the coordinates of the uprighted picture (`width` × `height`), null without OCR. */
  readonly boxes: readonly OcrTextBox[] | null;
  readonly width: number;
  readonly height: number;
}

/** Reads an invoice picture into the draft. */
export async function readImage(
  bytes: Uint8Array,
  d: InvoiceDraft,
  options: ImageReadOptions = {},
): Promise<ImageReadReport> {
  const limits = options.imageLimits ?? DEFAULT_IMAGE_LIMITS;
  const header = checkImageHeader(bytes, limits);
  let work: Work;
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' })
      .rotate()
      .resize({ width: WORK_SIDE, height: WORK_SIDE, fit: 'inside', withoutEnlargement: true })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    work = { data, width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof ParseFailure) throw err;
    throw new ParseFailure('CORRUPT', '图片文件已损坏或被截断，无法解码');
  }
  const read = await readPicture(work, options.ocr);
  applyPictures([read], d);
  return { header, qr: read.qr, ocrBoxes: read.boxes?.length ?? 0 };
}

/**
 * The raw pixels of a picture (RGBA or RGB, e.g. a PDF's page image) as a working copy: turned by `quarterTurns`
 * clockwise quarter turns (how the page shows it), at most {@link WORK_SIDE} a side.
 */
export async function workCopy(
  raw: { readonly data: Uint8Array | Uint8ClampedArray; readonly width: number; readonly height: number },
  channels: 3 | 4,
  quarterTurns = 0,
): Promise<Work> {
  const input = Buffer.from(raw.data.buffer, raw.data.byteOffset, raw.width * raw.height * channels);
  let p = sharp(input, { raw: { width: raw.width, height: raw.height, channels } });
  const turn = ((quarterTurns % 4) + 4) % 4;
  if (turn !== 0) p = p.rotate(turn * 90);
  const { data, info } = await p
    .resize({ width: WORK_SIDE, height: WORK_SIDE, fit: 'inside', withoutEnlargement: true })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Searches the working copy for the invoice QR and, with an OCR engine, recognises its text (turned upright by the
 * QR's angle first: the recogniser reads horizontal lines).
 */
export async function readPicture(work: Work, ocr?: OcrEngine): Promise<PictureRead> {
  const qr = await searchQr(qrOps(work));
  if (!ocr) return { qr, boxes: null, width: work.width, height: work.height };
  const angle = qr.angle !== null && Math.abs(qr.angle) > 3 ? -qr.angle : 0;
  let pipeline = sharp(work.data, { raw: { width: work.width, height: work.height, channels: 4 } });
  if (angle !== 0) pipeline = pipeline.rotate(angle, { background: '#ffffff' });
  const upright = await pipeline.png({ compressionLevel: 1 }).toBuffer({ resolveWithObject: true });
  const boxes = await ocr.recognize(upright.data);
  return { qr, boxes, width: upright.info.width, height: upright.info.height };
}

/**
 * The pictures of one invoice (a photo; the pages of a scanned PDF) into the draft: the first decoded QR (source
 * `qr`, it wins), then the recognised text of every page read as one document (source `ocr`, each field with the
 * confidence of its own characters).
 */
export function applyPictures(reads: readonly PictureRead[], d: InvoiceDraft): void {
  for (const r of reads) if (r.qr.payload && applyQrPayload(r.qr.payload, d)) break;
  const ocrd = reads.filter((r) => r.boxes !== null);
  if (ocrd.length > 0)
    readOcrPages(
      ocrd.map((r) => ({ boxes: r.boxes ?? [], width: r.width, height: r.height })),
      d,
    );
}

function qrOps(work: Work): QrImageOps {
  return {
    width: work.width,
    height: work.height,
    async view({ crop, scale = 1, stretch = false }) {
      if (!crop && scale === 1 && !stretch) return work;
      let p = sharp(work.data, { raw: { width: work.width, height: work.height, channels: 4 } });
      let w = work.width;
      let h = work.height;
      if (crop) {
        const left = clamp(crop.left, 0, w - 1);
        const top = clamp(crop.top, 0, h - 1);
        const cw = clamp(crop.width, 1, w - left);
        const ch = clamp(crop.height, 1, h - top);
        p = p.extract({ left, top, width: cw, height: ch });
        w = cw;
        h = ch;
      }
      if (scale !== 1) {
        w = Math.max(1, Math.round(w * scale));
        h = Math.max(1, Math.round(h * scale));
        p = p.resize({ width: w, height: h, fit: 'fill', kernel: scale > 1 ? 'cubic' : 'lanczos3' });
      }
      if (stretch) p = p.normalise();
      const { data, info } = await p.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height };
    },
  };
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));
