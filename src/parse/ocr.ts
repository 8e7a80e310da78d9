/**
 * On-box OCR behind an interface: the parser asks an {@link OcrEngine} for text boxes and reads them with the same
 * label-anchored extraction the PDF/OFD text layers use (text-fields.ts), so a photo and a PDF of the same layout
 * give the same fields. The engine (models, native runtime) is loaded at the edge — the collection module's parse
 * worker — and handed in; this file does no I/O.
 */
import { fieldLabel, type InvoiceDraft, type ScalarField } from './draft.js';
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
  /** The recogniser's score of this character (0..1), when the engine gives one. */
  readonly score?: number;
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
        const score = g.score ?? b.confidence;
        glyphs.push({ ch: g.ch, x: g.x, y: g.y, w: g.w, h: g.h, run, score });
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
        glyphs.push({ ch, x, y: bottom - h * 0.15, w, h: Math.min(h, em * 1.2), run, score: b.confidence });
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
  readOcrPages([{ boxes, width, height }], d);
}

/** A field read by OCR whose weakest character scores below this is flagged (LOW_CONFIDENCE). */
export const LOW_CHAR_SCORE = 0.5;
/** … or whose characters score below this on average. */
export const LOW_MEAN_SCORE = 0.8;

/**
 * Reads the OCR'd pages of one invoice (a photo; the pages of a scan) into the draft (source `ocr`): the
 * label-anchored extraction over all pages, then each field's confidence from its own characters — 0.7 × the mean
 * recogniser score of the glyphs that spell its value on the page — instead of the page-wide mean; a field with a
 * weak character (below {@link LOW_CHAR_SCORE}) or a weak mean (below {@link LOW_MEAN_SCORE}) is warned about
 * (`LOW_CONFIDENCE`). Values the page does not spell as such (derived figures) keep the page-wide confidence.
 */
export function readOcrPages(
  pages: ReadonlyArray<{ readonly boxes: readonly OcrTextBox[]; readonly width: number; readonly height: number }>,
  d: InvoiceDraft,
): void {
  const texts = pages.map((p) => ocrBoxesToPage(p.boxes, p.width, p.height));
  readPageText(texts, d, 'ocr', ocrConfidence(pages.flatMap((p) => p.boxes)));
  for (const [field, value] of d.heldFrom('ocr')) {
    const score = fieldScore(texts, value, DIGIT_FIELDS.has(field));
    if (!score) continue;
    d.setConfidence(field, 'ocr', Math.round(0.7 * score.mean * 100) / 100);
    if (score.min < LOW_CHAR_SCORE || score.mean < LOW_MEAN_SCORE)
      d.warn({
        code: 'LOW_CONFIDENCE',
        field,
        message: `${fieldLabel(field)}由文字识别读出，识别置信度低（平均 ${score.mean.toFixed(2)}，最低 ${score.min.toFixed(2)}），请核对`,
      });
  }
}

/** Fields matched on their digits only (the page prints them with separators, ¥, 年月日). */
const DIGIT_FIELDS = new Set<ScalarField>([
  'code',
  'number',
  'issueDate',
  'checkCode',
  'totals.amount',
  'totals.tax',
  'totals.total',
]);

const isDigit = (ch: string) => ch >= '0' && ch <= '9';
const significant = (ch: string) => /[\p{L}\p{N}]/u.test(ch);

/**
 * The recogniser's scores of the glyphs that spell `value` on the pages (the best-scored place it appears), or null
 * when it appears nowhere (a derived value) or its glyphs carry no scores. Digit fields are matched on their digits
 * within one segment, not glued to other digits; text fields on their letters and digits within one line. Value
 * and pages are capped (a field is short; a page has at most a few thousand glyphs), so this stays linear-ish.
 */
function fieldScore(pages: readonly PageText[], value: string, digits: boolean): { mean: number; min: number } | null {
  const wanted = [...value.slice(0, 200)].filter(digits ? isDigit : significant).map((c) => c.toUpperCase());
  if (wanted.length === 0) return null;
  const target = wanted.join('');
  let best: { mean: number; min: number } | null = null;
  for (const page of pages)
    for (const line of page.lines) {
      const spans: Array<readonly Glyph[]> = digits ? line.segments.map((s) => s.glyphs) : [line.compactGlyphs];
      for (const span of spans) {
        const kept: Glyph[] = [];
        const at: number[] = [];
        for (const [i, g] of span.entries())
          if (digits ? isDigit(g.ch) : significant(g.ch)) {
            kept.push(g);
            at.push(i);
          }
        const stream = kept.map((g) => g.ch.toUpperCase()).join('');
        for (let from = stream.indexOf(target); from >= 0; from = stream.indexOf(target, from + 1)) {
          const first = at[from] as number;
          const last = at[from + wanted.length - 1] as number;
          if (digits && (isDigit(span[first - 1]?.ch ?? '') || isDigit(span[last + 1]?.ch ?? ''))) continue;
          const scores = kept.slice(from, from + wanted.length).map((g) => g.score);
          if (scores.some((s) => s === undefined)) continue;
          const values = scores as number[];
          const mean = values.reduce((a, b) => a + b, 0) / values.length;
          if (!best || mean > best.mean) best = { mean, min: Math.min(...values) };
        }
      }
    }
  return best;
}
