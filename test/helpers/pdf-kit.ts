/**
 * Reading PDFs back the way a person does, for tests outside the documents module (whose own kit is internal):
 * text through poppler's pdftotext, page 1 as an image through pdftoppm, QR codes in an image through zxing-wasm
 * (its wasm loaded from the package, never a CDN). Dev dependencies and poppler-utils only.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** True when poppler's pdftotext and pdftoppm are installed. */
export const HAS_POPPLER = (() => {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function inTempDir<T>(pdf: Buffer, run: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-pdf-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.pdf'), pdf);
    return run(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of every page, laid out as on paper (pdftotext -layout). */
export function pdfText(pdf: Buffer): string {
  return inTempDir(pdf, (cwd) => execFileSync('pdftotext', ['-layout', 'in.pdf', '-'], { cwd, encoding: 'utf8' }));
}

/** Page 1 as a PNG at `dpi`. */
export function pdfPagePng(pdf: Buffer, dpi = 100): Buffer {
  return inTempDir(pdf, (cwd) => {
    execFileSync('pdftoppm', ['-r', String(dpi), '-png', '-f', '1', '-l', '1', '-singlefile', 'in.pdf', 'out'], {
      cwd,
    });
    return fs.readFileSync(path.join(cwd, 'out.png'));
  });
}

/** The texts of the QR codes in a PNG image. */
export async function decodeQrPng(png: Buffer): Promise<string[]> {
  const { prepareZXingModule, readBarcodes } = await import('zxing-wasm/reader');
  const wasm = fs.readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
  await prepareZXingModule({
    overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer },
    fireImmediately: true,
  });
  const results = await readBarcodes(new Blob([new Uint8Array(png)], { type: 'image/png' }), { formats: ['QRCode'] });
  return results.map((r) => r.text);
}
