/**
 * The device-independent drawing of an invoice: pages of text, lines, paths and a QR code in millimetres with the
 * origin at the top-left corner (like OFD). The PDF writer, the OFD writer and the benchmark's naive pdfkit path all
 * draw the same display list, so the three agree by construction.
 */

/** RGB, 0–255 each. */
export type Rgb = readonly [number, number, number];

/** Frame and labels: dark red (tax-rules §9.3). */
export const LABEL_COLOR: Rgb = [128, 0, 0];
/** Values. */
export const VALUE_COLOR: Rgb = [0, 0, 0];

export interface TextOp {
  readonly kind: 'text';
  /** Left edge of the text, mm. */
  readonly x: number;
  /** Baseline, mm from the top. */
  readonly y: number;
  /** Font size (em), mm. */
  readonly size: number;
  readonly text: string;
  readonly color: Rgb;
  /** Synthetic bold (fill + thin stroke). */
  readonly bold?: boolean;
  /** Semantic field for OFD CustomTags (InvoiceNo, BuyerName …). */
  readonly tag?: string;
}

export interface LineOp {
  readonly kind: 'line';
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** Stroke width, mm. */
  readonly width: number;
  readonly color: Rgb;
}

/** A path of absolute points: M (move), L (line), C (cubic Bézier with two control points). */
export type PathCommand =
  | readonly ['M', number, number]
  | readonly ['L', number, number]
  | readonly ['C', number, number, number, number, number, number];

export interface PathOp {
  readonly kind: 'path';
  readonly commands: readonly PathCommand[];
  readonly width: number;
  readonly color: Rgb;
}

export interface QrOp {
  readonly kind: 'qr';
  readonly x: number;
  readonly y: number;
  /** Edge of the symbol (without quiet zone), mm. */
  readonly size: number;
  /** Modules per side. */
  readonly count: number;
  /** count × count, row-major, 1 = dark. */
  readonly modules: Uint8Array;
}

export type DrawOp = TextOp | LineOp | PathOp | QrOp;

export interface PageDrawing {
  readonly width: number;
  readonly height: number;
  readonly ops: readonly DrawOp[];
}

/** Measures text width in mm for a font size in mm (from the cached font's advance widths). */
export type MeasureText = (text: string, size: number) => number;
