/**
 * Test helpers for reading our documents back: text and attachments through pdf.js (legacy build, CMaps from the
 * package as a filesystem path, tech-notes §3), page images through poppler's pdftoppm, QR decoding through
 * zxing-wasm with its wasm loaded from the package (never the CDN, tech-notes §2). Dev dependencies only.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Text of every page (items joined without separators per page) and the embedded files. */
export async function readPdf(bytes: Buffer): Promise<{ pages: string[]; attachments: Record<string, Buffer> }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const cMapUrl = `${path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'cmaps')}/`;
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), cMapUrl, cMapPacked: true, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
  }
  const raw = ((await doc.getAttachments()) ?? {}) as Record<string, { filename: string; content: Uint8Array }>;
  const attachments = Object.fromEntries(Object.values(raw).map((a) => [a.filename, Buffer.from(a.content)]));
  await doc.destroy();
  return { pages, attachments };
}

/** True when poppler's pdftoppm is installed (the QR check needs it). */
export const hasPdftoppm = (() => {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Page 1 rendered to PNG at `dpi`. */
export function renderPagePng(pdf: Buffer, dpi = 100): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-render-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), '-png', '-f', '1', '-l', '1', '-singlefile', 'in.pdf', 'out'], {
      cwd: dir,
    });
    return fs.readFileSync(path.join(dir, 'out.png'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Decodes the QR codes in a PNG image. */
export async function decodeQr(png: Buffer): Promise<string[]> {
  const { prepareZXingModule, readBarcodes } = await import('zxing-wasm/reader');
  const wasm = fs.readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
  await prepareZXingModule({
    overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer },
    fireImmediately: true,
  });
  const results = await readBarcodes(new Blob([new Uint8Array(png)], { type: 'image/png' }), { formats: ['QRCode'] });
  return results.map((r) => r.text);
}
