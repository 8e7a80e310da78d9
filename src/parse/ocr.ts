/**
 * On-box OCR behind an interface: the parser asks an {@link OcrEngine} for text boxes and reads them with the same
 * label-anchored extraction the PDF/OFD text layers use (text-fields.ts), so a photo and a PDF of the same layout
 * give the same fields. The engine (models, native runtime) is loaded at the edge — the collection module's parse
 * worker — and handed in; this file does no I/O.
 */
import type { InvoiceDraft } from './draft.js';
import { buildPage, type Glyph, type PageText } from './layout.js';
import { readPageText } from './text-fields.js';

/** A recognised character where the engine saw it: left edge x, baseline y, advance w, height h (pixels). */
export interface OcrGlyph {
  readonly ch: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  /** Part of a vertical line (characters one under the other). */
  readonly vertical?: boolean;
}

/** One recognised line of text: its characters, the engine's confidence (0..1) and its quadrilateral. */
export interface OcrTextBox {
  readonly text: string;
  readonly confidence: number;
  /** Four corners [x, y] in pixels, clockwise from top-left (y downwards). */
  readonly box: ReadonlyArray<readonly [number, number]>;
  /** Where each character is, when the engine knows (better than spreading the text over the box). */
  readonly glyphs?: readonly OcrGlyph[];
}

/** An OCR engine: encoded image bytes (PNG/JPEG) in, text boxes out. */
export interface OcrEngine {
  /** Engine and model name, for diagnostics (e.g. `paddleocr-v4-onnx`). */
  readonly name: string;
  recognize(image: Uint8Array): Promise<readonly OcrTextBox[]>;
}

/** Width of a character relative to the line height: CJK and full-width forms are square, the rest about half. */
const charWidth = (ch: string): number =>
  /[\u2E80-\u9FFF\uF900-\uFAFF\uFF01-\uFF60\u3000-\u303F]/.test(ch) ? 1 : 0.55;

/**
 * Turns OCR boxes into a positional page. A box's text spreads over its width in proportion to the characters'
 * usual widths; each space-separated chunk becomes its own run and chunks are pushed apart by two em, because the
 * engine joins text across wide gaps (a label, its value and the next column come as one box) and the extraction
 * reads a value as the segment right of its label.
 */
export function ocrBoxesToPage(boxes: readonly OcrTextBox[], width: number, height: number): PageText {
  const glyphs: Glyph[] = [];
  let run = 0;
  for (const b of boxes) {
    const text = b.text.trim();
    if (b.glyphs && b.glyphs.length > 0) {
      run++;
      for (const g of b.glyphs) {
        if (g.vertical) run++;
        glyphs.push({ ch: g.ch, x: g.x, y: g.y, w: g.w, h: g.h, run });
      }
      continue;
    }
    if (!text || b.box.length < 4) continue;
    const xs = b.box.map((p) => p[0]);
    const ys = b.box.map((p) => p[1]);
    const x0 = Math.min(...xs);
    const x1 = Math.max(...xs);
    const top = Math.min(...ys);
    const bottom = Math.max(...ys);
    const h = Math.max(1, bottom - top);
    const chunks = text.split(/\s+/).filter(Boolean);
    const gap = 2;
    const units = chunks.reduce((s, c) => s + [...c].reduce((t, ch) => t + charWidth(ch), 0), 0);
    const totalUnits = units + gap * (chunks.length - 1);
    const em = totalUnits > 0 ? (x1 - x0) / totalUnits : h;
    let x = x0;
    for (const chunk of chunks) {
      run++;
      for (const ch of chunk) {
        const w = charWidth(ch) * em;
        glyphs.push({ ch, x, y: bottom - h * 0.15, w, h: Math.min(h, em * 1.2), run });
        x += w;
      }
      x += gap * em;
    }
  }
  return buildPage(glyphs, width, height);
}

/** Confidence given to fields read from OCR: the engine's mean confidence, scaled below positional PDF text (0.8). */
export function ocrConfidence(boxes: readonly OcrTextBox[]): number {
  const scored = boxes.filter((b) => b.text.trim());
  if (scored.length === 0) return 0;
  const mean = scored.reduce((s, b) => s + Math.max(0, Math.min(1, b.confidence)), 0) / scored.length;
  return Math.round(0.7 * mean * 100) / 100;
}

/** Reads the fields of an OCR'd page into the draft (source `ocr`). */
export function readOcrBoxes(boxes: readonly OcrTextBox[], width: number, height: number, d: InvoiceDraft): void {
  const page = ocrBoxesToPage(boxes, width, height);
  readPageText([page], d, 'ocr', ocrConfidence(boxes));
}
