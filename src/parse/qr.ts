/**
 * QR decoding for invoice images and PDF image objects, through zxing-wasm's reader (zxing-cpp compiled to wasm;
 * tech-notes §2). The wasm binary is handed in by the caller (the parse worker reads it from the installed
 * package): zxing-wasm would otherwise fetch it from a CDN, and the parser does no I/O. Decoding works on RGBA
 * pixels and tries, in order and stopping at the first invoice payload: the whole picture (zxing's own rotations,
 * inversion and downscaling), the picture enlarged (small QR codes on screenshots), contrast-stretched with other
 * binarisers (low-contrast photos), then crops of the corners where invoices print their QR, enlarged.
 */
import { prepareZXingModule, type ReadResult, readBarcodes } from 'zxing-wasm/reader';
import { parseInvoiceQrPayload } from '../tax/index.js';
import type { InvoiceDraft } from './draft.js';

let prepared: Promise<unknown> | null = null;

/** Loads the zxing reader from the wasm bytes given (once per thread; later calls are no-ops). */
export function prepareQrReader(wasm: Uint8Array): Promise<unknown> {
  prepared ??= prepareZXingModule({
    overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer },
    fireImmediately: true,
  });
  return prepared;
}

/** True once {@link prepareQrReader} was called: without it QR decoding is skipped (never a CDN fetch). */
export const qrReaderReady = (): boolean => prepared !== null;

/** RGBA pixels, 4 bytes a pixel, rows top to bottom. */
export interface Pixels {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

type Binarizer = 'LocalAverage' | 'GlobalHistogram' | 'FixedThreshold';

/** A decoded QR: its text and the angle of its top edge (degrees, clockwise in y-down space; 0 = upright). */
export interface QrHit {
  readonly text: string;
  readonly angle: number;
}

/** Decodes QR codes in `pixels` with their orientation. */
export async function readQrHits(pixels: Pixels, binarizer: Binarizer = 'LocalAverage'): Promise<QrHit[]> {
  if (!prepared) return [];
  await prepared;
  if (pixels.width < 21 || pixels.height < 21) return [];
  const results: ReadResult[] = await readBarcodes(
    { data: pixels.data as Uint8ClampedArray, width: pixels.width, height: pixels.height, colorSpace: 'srgb' },
    {
      formats: ['QRCode'],
      tryHarder: true,
      tryRotate: true,
      tryInvert: true,
      tryDownscale: true,
      binarizer,
      maxNumberOfSymbols: 4,
    },
  );
  return results
    .filter((r) => r.isValid && r.text)
    .map((r) => {
      const { topLeft: a, topRight: b } = r.position;
      return { text: r.text, angle: (Math.atan2(b.y - a.y, b.x - a.x) * 180) / Math.PI };
    });
}

/** Some issuers print blanks in empty fields (`01,31, ,2351…,2150.63,20230130, ,F366`): trims every field. */
export const normaliseQrPayload = (text: string): string =>
  text
    .trim()
    .split(',')
    .map((f) => f.trim())
    .join(',');

const isInvoiceHit = (h: QrHit) => parseInvoiceQrPayload(normaliseQrPayload(h.text)).ok;

/** Image operations the QR search needs, supplied by the image layer (sharp). */
export interface QrImageOps {
  /** The picture scaled by `factor` (>1 enlarges), optionally cropped first to a fraction of it. */
  view(options: {
    readonly crop?: { left: number; top: number; width: number; height: number };
    readonly scale?: number;
    readonly stretch?: boolean;
  }): Promise<Pixels>;
  readonly width: number;
  readonly height: number;
}

/** How the QR was found (for diagnostics and the bench). */
export interface QrSearch {
  readonly payload: string | null;
  /** Angle of the QR's top edge in the picture (degrees clockwise): how far the invoice is turned. */
  readonly angle: number | null;
  readonly attempts: number;
  readonly step: string | null;
}

/**
 * Searches a picture for an invoice QR, cheapest attempts first. Crops: the four corners (a third of each side,
 * the QR of a Chinese invoice sits top-left, but photos come rotated) and the top half.
 */
export async function searchQr(ops: QrImageOps): Promise<QrSearch> {
  if (!prepared) return { payload: null, angle: null, attempts: 0, step: null };
  const longSide = Math.max(ops.width, ops.height);
  const third = (fx: number, fy: number) => ({
    left: Math.round(ops.width * fx),
    top: Math.round(ops.height * fy),
    width: Math.round(ops.width * 0.4),
    height: Math.round(ops.height * 0.45),
  });
  const steps: Array<[string, Parameters<QrImageOps['view']>[0], Binarizer]> = [
    ['whole', {}, 'LocalAverage'],
    ['whole-stretched', { stretch: true }, 'GlobalHistogram'],
    ['top-left', { crop: third(0, 0), scale: cropScale(ops, 0.4) }, 'LocalAverage'],
    ['top-right', { crop: third(0.6, 0), scale: cropScale(ops, 0.4) }, 'LocalAverage'],
    ['bottom-left', { crop: third(0, 0.55), scale: cropScale(ops, 0.4) }, 'LocalAverage'],
    ['bottom-right', { crop: third(0.6, 0.55), scale: cropScale(ops, 0.4) }, 'LocalAverage'],
    ['top-left-stretched', { crop: third(0, 0), scale: cropScale(ops, 0.4), stretch: true }, 'FixedThreshold'],
    ['whole-enlarged', { scale: Math.min(2, 2400 / longSide) }, 'GlobalHistogram'],
  ];
  let attempts = 0;
  for (const [step, view, binarizer] of steps) {
    if (view.scale !== undefined && step === 'whole-enlarged' && view.scale <= 1.05) continue;
    attempts++;
    const hit = (await readQrHits(await ops.view(view), binarizer)).find(isInvoiceHit);
    if (hit) return { payload: normaliseQrPayload(hit.text), angle: hit.angle, attempts, step };
  }
  return { payload: null, angle: null, attempts, step: null };
}

/** Scale for a crop covering `fraction` of the long side: enlarge small pictures (≥ 1200 px crop), never above 3×. */
function cropScale(ops: QrImageOps, fraction: number): number {
  const side = Math.max(ops.width, ops.height) * fraction;
  return Math.max(0.5, Math.min(3, 1200 / side));
}

/**
 * Puts the fields of an invoice QR payload into the draft (source `qr`): number, code, date, check code and the
 * amount (价税合计 for 数电, 合计金额 for legacy kinds). A payload that is no invoice QR is ignored.
 */
export function applyQrPayload(raw: string, d: InvoiceDraft, confidence = 0.95): boolean {
  const payload = normaliseQrPayload(raw);
  const qr = parseInvoiceQrPayload(payload);
  if (!qr.ok) return false;
  const q = qr.data;
  d.qrPayload ??= payload;
  d.set('number', q.invoiceNumber, 'qr', confidence);
  if (q.invoiceCode) d.set('code', q.invoiceCode, 'qr', confidence);
  d.set('issueDate', q.issueDate, 'qr', confidence);
  if (q.checkCode) d.set('checkCode', q.checkCode, 'qr', confidence);
  if (q.amountBasis === 'tax_inclusive') d.set('totals.total', q.amount, 'qr', confidence);
  else d.set('totals.amount', q.amount, 'qr', confidence);
  const kind = qrKind(q.qrType, q.invoiceCode !== '', q.format === 'digital');
  if (kind) d.set('kind', kind, 'qr', confidence * 0.9);
  return true;
}

/** 票种 of a QR type (tax-rules §1 table, QR column), for the received-invoice kinds. */
function qrKind(qrType: string, hasCode: boolean, digital: boolean): string | null {
  if (digital) {
    const byType: Record<string, string> = hasCode ? { '31': '85', '32': '86' } : { '31': '81', '32': '82' };
    if (byType[qrType]) return byType[qrType];
    if (qrType === '51') return '51';
    if (qrType === '61') return '61';
    return null;
  }
  const legacy: Record<string, string> = {
    '01': '004',
    '04': '007',
    '10': '026',
    '11': '025',
    '14': '027',
    '20': '028',
  };
  return legacy[qrType] ?? null;
}
