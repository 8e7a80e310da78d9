/**
 * Per-field OCR confidence: each field read by OCR carries 0.7 × the mean recogniser score of its own characters
 * (not the page-wide mean), and a field with a weak character is warned about (LOW_CONFIDENCE). The real engine on
 * the photo fixture, once as it reads and once with one character of the seller's tax id made doubtful.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOcrEngine } from '../../src/modules/collection/ocr-engine.js';
import { type OcrEngine, type OcrTextBox, parseInvoiceFile, prepareQrReader } from '../../src/parse/index.js';
import { readFixture } from './parse-test-kit.js';

const require = createRequire(import.meta.url);
const TAX_ID = '91120222079642398Y';
let engine: OcrEngine;
let boxes: readonly OcrTextBox[];
const png = readFixture('guanshuicheng__invoice/电子发票.png');

/** An engine answering `boxes` as given (what the real engine read, possibly altered). */
const fixed = (b: readonly OcrTextBox[]): OcrEngine => ({ name: 'fixed', recognize: async () => b });

beforeAll(async () => {
  await prepareQrReader(fs.readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm')));
  const loaded = await loadOcrEngine();
  if (!loaded) throw new Error('the OCR engine (@gutenye/ocr-node) is not installed');
  engine = loaded;
  // What the real engine reads off the fixture (the picture pipeline hands it the upright working copy).
  let seen: readonly OcrTextBox[] = [];
  await parseInvoiceFile(png, {
    ocr: {
      name: 'spy',
      recognize: async (img) => {
        seen = await engine.recognize(img);
        return seen;
      },
    },
  });
  boxes = seen;
}, 120_000);

/** Where the page spells the seller's tax id (the seller block, and the seal prints it too): box and glyphs. */
function taxIdGlyphs(b: readonly OcrTextBox[]) {
  const found = b
    .filter((x) => x.text.includes(TAX_ID) && x.glyphs)
    .map((box) => {
      const from = (box.glyphs ?? [])
        .map((g) => g.ch)
        .join('')
        .indexOf(TAX_ID);
      return { box, from, glyphs: (box.glyphs ?? []).slice(from, from + TAX_ID.length) };
    });
  if (found.length === 0) throw new Error('the engine did not read the tax id with glyphs');
  return found;
}

const meanOf = (glyphs: ReadonlyArray<{ score?: number }>) =>
  glyphs.reduce((s, g) => s + (g.score ?? 0), 0) / glyphs.length;

describe('per-field OCR confidence', () => {
  it('gives each OCR field the score of its own characters, not the page-wide mean', async () => {
    const r = await parseInvoiceFile(png, { ocr: fixed(boxes) });
    expect(r.seller.taxId).toBe(TAX_ID);
    expect(r.fieldSources['seller.taxId']).toBe('ocr');
    // Where the value is spelled more than once, the best-read place counts.
    const mean = Math.max(...taxIdGlyphs(boxes).map((p) => meanOf(p.glyphs)));
    expect(r.confidence['seller.taxId']).toBe(Math.round(0.7 * mean * 100) / 100);
    // The QR's fields keep theirs.
    expect(r.confidence.number).toBe(0.95);
  }, 60_000);

  it('lowers a field whose character the recogniser doubted and warns about it (LOW_CONFIDENCE)', async () => {
    const clean = await parseInvoiceFile(png, { ocr: fixed(boxes) });
    expect(clean.warnings).not.toContainEqual(
      expect.objectContaining({ code: 'LOW_CONFIDENCE', field: 'seller.taxId' }),
    );
    // One character doubted everywhere the tax id is spelled.
    const places = taxIdGlyphs(boxes);
    const doubt = (b: OcrTextBox): OcrTextBox => {
      const place = places.find((p) => p.box === b);
      if (!place) return b;
      return { ...b, glyphs: (b.glyphs ?? []).map((g, i) => (i === place.from + 5 ? { ...g, score: 0.2 } : g)) };
    };
    const r = await parseInvoiceFile(png, { ocr: fixed(boxes.map(doubt)) });
    expect(r.seller.taxId).toBe(TAX_ID);
    expect(r.confidence['seller.taxId']).toBeLessThan(clean.confidence['seller.taxId'] ?? 0);
    expect(r.warnings).toContainEqual(
      expect.objectContaining({
        code: 'LOW_CONFIDENCE',
        field: 'seller.taxId',
        message: expect.stringContaining('0.20'),
      }),
    );
    // Other fields are not affected.
    expect(r.confidence['seller.name']).toBe(clean.confidence['seller.name']);
  }, 60_000);
});
