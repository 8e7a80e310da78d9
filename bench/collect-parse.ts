/**
 * `npm run bench:collect-parse` — parse time per format (median, p95) over the real fixtures and our own rendered
 * invoices, in this process on one thread, and in the same run the classic open-source pipeline on the same PDFs
 * (`pdftotext -layout` + `pdfimages -list`, poppler-utils; `zbarimg` too when installed), with how many of the key
 * fields each reads correctly. Pictures: the photo fixture and synthetic photos of rendered invoices (pdftoppm, then
 * turned, faded, enlarged to 12 MP with sharp), read by QR alone (`photo-qr`) and with OCR (`photo-ocr`, fewer
 * iterations: OCR_ITERATIONS), against `zbarimg` on the same pictures; scanned PDFs of the same pages (a JPEG per
 * page, no text layer) by QR alone (`scan-qr`) and with OCR (`scan-ocr`). Writes bench/results/collect-parse.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { loadOcrEngine } from '../src/modules/collection/ocr-engine.js';
import { renderInvoiceDocuments } from '../src/modules/documents/render/render-invoice-documents.js';
import { sampleInvoice } from '../src/modules/documents/render/sample-invoices.js';
import { type OcrEngine, type ParsedInvoice, parseInvoiceFile, prepareQrReader } from '../src/parse/index.js';
import { parseInvoiceQrPayload } from '../src/tax/index.js';

const require = createRequire(import.meta.url);
const cMapUrl = `${path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'cmaps')}/`;
const root = path.resolve(import.meta.dirname, '..');
const FIXTURES = path.join(root, 'test/fixtures/real-invoices');
const ITERATIONS = Number(process.env.ITERATIONS ?? 15);
const OCR_ITERATIONS = Number(process.env.OCR_ITERATIONS ?? 3);

/** The fields compared: number, date, total, amount, tax, seller/buyer tax id. */
interface Expected {
  number: string;
  issueDate: string;
  total: string | null;
  amount: string | null;
  tax: string | null;
  sellerTaxId: string | null;
  buyerTaxId: string | null;
}

interface Sample {
  name: string;
  format: 'pdf' | 'pdf-text' | 'ofd' | 'xml' | 'photo-qr' | 'photo-ocr' | 'scan-qr' | 'scan-ocr';
  bytes: Buffer;
  expected: Expected | null;
}

async function samples(): Promise<Sample[]> {
  const out: Sample[] = [];
  const truth = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'truth.json'), 'utf8')) as Array<Record<string, string>>;
  for (const t of truth) {
    if (String(t.notes ?? '').includes('SPECIMEN')) continue;
    if (t.format === 'image') {
      const bytes = fs.readFileSync(path.join(FIXTURES, t.file!));
      const expected: Expected = {
        number: t.invoiceNumber!,
        issueDate: t.issueDate!,
        total: t.totalInclTax ?? null,
        amount: t.amountExclTax ?? null,
        tax: t.taxAmount ?? null,
        sellerTaxId: t.sellerTaxId ?? null,
        buyerTaxId: t.buyerTaxId ?? null,
      };
      out.push({ name: t.file!, format: 'photo-qr', bytes, expected });
      out.push({ name: t.file!, format: 'photo-ocr', bytes, expected });
      continue;
    }
    const expected: Expected = {
      number: t.invoiceNumber!,
      issueDate: t.issueDate!,
      total: t.totalInclTax ?? null,
      amount: t.amountExclTax ?? null,
      tax: t.taxAmount ?? null,
      sellerTaxId: t.sellerTaxId ?? null,
      buyerTaxId: t.buyerTaxId ?? null,
    };
    out.push({
      name: t.file!,
      format: t.format as 'pdf' | 'ofd',
      bytes: fs.readFileSync(path.join(FIXTURES, t.file!)),
      expected,
    });
  }
  const variants = [
    sampleInvoice({ kind: '81' }),
    sampleInvoice({ kind: '82' }),
    sampleInvoice({ kind: '82', red: true }),
    sampleInvoice({ kind: '81', lineCount: 8 }),
    sampleInvoice({ kind: '82', lineCount: 30 }),
  ];
  variants.forEach((doc, i) => {
    const files = renderInvoiceDocuments(doc);
    const expected: Expected = {
      number: doc.number,
      issueDate: '2025-06-01',
      total: doc.totals.total,
      amount: doc.totals.amount,
      tax: doc.totals.tax,
      sellerTaxId: doc.seller.taxId,
      buyerTaxId: doc.buyer.taxId,
    };
    out.push({ name: `rendered-${i}.pdf`, format: 'pdf', bytes: files.pdf, expected });
    out.push({ name: `rendered-${i}.pdf`, format: 'pdf-text', bytes: files.pdf, expected });
    out.push({ name: `rendered-${i}.ofd`, format: 'ofd', bytes: files.ofd, expected });
    out.push({ name: `rendered-${i}.xml`, format: 'xml', bytes: files.xml, expected });
  });
  for (const s of out.filter((x) => x.format === 'pdf' && !x.name.startsWith('rendered')))
    out.push({ ...s, format: 'pdf-text' });
  // Synthetic photos of the first three rendered invoices.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-parse-img-'));
  for (const s of out.filter((x) => x.format === 'pdf' && /^rendered-[012]\./.test(x.name))) {
    fs.writeFileSync(path.join(tmp, 'r.pdf'), s.bytes);
    execFileSync('pdftoppm', ['-r', '150', '-f', '1', '-l', '1', '-png', path.join(tmp, 'r.pdf'), path.join(tmp, 'r')]);
    const page = fs.readFileSync(path.join(tmp, fs.readdirSync(tmp).find((f) => f.endsWith('.png'))!));
    const photos: Array<[string, Buffer]> = [
      ['turned 5°', await sharp(page).rotate(5, { background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer()],
      ['faded', await sharp(page).linear(0.35, 140).jpeg({ quality: 80 }).toBuffer()],
      ['12 MP', await sharp(page).resize({ width: 4032 }).jpeg({ quality: 80 }).toBuffer()],
    ];
    for (const [what, bytes] of photos) {
      out.push({ name: `${s.name} ${what}`, format: 'photo-qr', bytes, expected: s.expected });
      out.push({ name: `${s.name} ${what}`, format: 'photo-ocr', bytes, expected: s.expected });
    }
    // A scanned PDF of the same page (150-dpi JPEG as the page's only content, as scanners make them).
    const scan = await PDFDocument.create();
    const img = await scan.embedJpg(await sharp(page).jpeg({ quality: 85 }).toBuffer());
    scan.addPage([img.width * 0.48, img.height * 0.48]).drawImage(img, {
      x: 0,
      y: 0,
      width: img.width * 0.48,
      height: img.height * 0.48,
    });
    const scanBytes = Buffer.from(await scan.save());
    out.push({ name: `${s.name} scan`, format: 'scan-qr', bytes: scanBytes, expected: s.expected });
    out.push({ name: `${s.name} scan`, format: 'scan-ocr', bytes: scanBytes, expected: s.expected });
    for (const f of fs.readdirSync(tmp)) fs.rmSync(path.join(tmp, f));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return out;
}

/** Fields of a QR payload as zbarimg prints it (`QR-Code:01,10,…`). */
function zbarFields(output: string): Partial<ParsedInvoice> {
  for (const line of output.split('\n')) {
    const qr = parseInvoiceQrPayload(line.replace(/^QR-Code:/, ''));
    if (!qr.ok) continue;
    const q = qr.data;
    const inclusive = q.amountBasis === 'tax_inclusive';
    return {
      number: q.invoiceNumber,
      issueDate: q.issueDate,
      totals: { total: inclusive ? q.amount : null, amount: inclusive ? null : q.amount, tax: null },
    };
  }
  return {};
}

function correctFields(r: Partial<ParsedInvoice> | null, e: Expected): number {
  if (!r) return 0;
  const got = [
    r.number,
    r.issueDate,
    r.totals?.total ?? null,
    r.totals?.amount ?? null,
    r.totals?.tax ?? null,
    r.seller?.taxId ?? null,
    r.buyer?.taxId ?? null,
  ];
  const want = [e.number, e.issueDate, e.total, e.amount, e.tax, e.sellerTaxId, e.buyerTaxId];
  return got.filter((g, i) => want[i] !== null && g === want[i]).length;
}

/** What a regex reading of `pdftotext -layout` output finds (the usual open-source approach). */
function classicFields(text: string): Partial<ParsedInvoice> {
  const compact = text.replace(/[ \t]+/g, ' ');
  const one = (re: RegExp) => re.exec(compact)?.[1] ?? null;
  const date = /开票日期[:：]?\s*(\d{4})年(\d{2})月(\d{2})日/.exec(compact);
  const ids = [...compact.matchAll(/(?:纳税人识别号|信用代码)[^:：]*[:：]\s*([0-9A-Z]{15,20})/g)].map((m) => m[1]!);
  const sums = /合\s*计\s+[¥￥]?\s*(-?[\d.]+)\s+[¥￥]?\s*(-?[\d.]+)/.exec(compact);
  return {
    number: one(/发票号码[:：]?\s*(\d{8,20})/),
    issueDate: date ? `${date[1]}-${date[2]}-${date[3]}` : null,
    totals: { total: one(/[（(]小写[)）]\s*[¥￥]?\s*(-?[\d.]+)/), amount: sums?.[1] ?? null, tax: sums?.[2] ?? null },
    buyer: { name: null, taxId: ids[0] ?? null },
    seller: { name: null, taxId: ids[1] ?? null },
  };
}

const hasZbar = spawnSync('zbarimg', ['--version']).status === 0;

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { n: s.length, median: +at(0.5).toFixed(2), p95: +at(0.95).toFixed(2) };
}

async function main() {
  await prepareQrReader(fs.readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm')));
  sharp.cache(false);
  sharp.concurrency(1);
  const all = await samples();
  const ocr: OcrEngine | null = await loadOcrEngine();
  const times = new Map<string, number[]>();
  const fields = new Map<string, { got: number; of: number }>();
  for (const s of all) {
    const withOcr = s.format === 'photo-ocr' || s.format === 'scan-ocr';
    if (withOcr && !ocr) continue;
    const options = {
      cMapUrl,
      textLayerOnly: s.format === 'pdf-text',
      ...(withOcr && ocr ? { ocr } : {}),
    };
    const warm = withOcr ? 1 : 3;
    const iterations = withOcr ? OCR_ITERATIONS : ITERATIONS;
    let result: ParsedInvoice | null = null;
    for (let i = 0; i < warm; i++) result = await parseInvoiceFile(s.bytes, options).catch(() => null);
    const list = times.get(s.format) ?? [];
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      await parseInvoiceFile(s.bytes, options).catch(() => null);
      list.push(performance.now() - t0);
    }
    times.set(s.format, list);
    if (s.expected) {
      const f = fields.get(s.format) ?? { got: 0, of: 0 };
      f.got += correctFields(result, s.expected);
      f.of += Object.values(s.expected).filter((v) => v !== null).length;
      fields.set(s.format, f);
    }
  }
  // The classic pipeline on the same PDFs (each file once through pdftotext + pdfimages, ITERATIONS times).
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-parse-'));
  const classic: number[] = [];
  const classicFieldsCount = { got: 0, of: 0 };
  for (const s of all.filter((x) => x.format === 'pdf')) {
    const file = path.join(tmp, 'in.pdf');
    fs.writeFileSync(file, s.bytes);
    let text = '';
    for (let i = 0; i < ITERATIONS; i++) {
      const t0 = performance.now();
      text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' });
      if (hasZbar) {
        execFileSync('pdftoppm', ['-r', '150', '-f', '1', '-l', '1', '-png', file, path.join(tmp, 'p')]);
        spawnSync('zbarimg', ['-q', path.join(tmp, 'p-1.png')]);
      }
      classic.push(performance.now() - t0);
    }
    if (s.expected) {
      classicFieldsCount.got += correctFields(classicFields(text), s.expected);
      classicFieldsCount.of += Object.values(s.expected).filter((v) => v !== null).length;
    }
  }
  // zbarimg on the same pictures (the classic way to read an invoice photo's QR).
  const zbar: number[] = [];
  const zbarFieldsCount = { got: 0, of: 0 };
  if (hasZbar) {
    for (const s of all.filter((x) => x.format === 'photo-qr')) {
      const file = path.join(tmp, `in.${s.bytes[0] === 0x89 ? 'png' : 'jpg'}`);
      fs.writeFileSync(file, s.bytes);
      let output = '';
      for (let i = 0; i < ITERATIONS; i++) {
        const t0 = performance.now();
        output = spawnSync('zbarimg', ['-q', file], { encoding: 'utf8' }).stdout ?? '';
        zbar.push(performance.now() - t0);
      }
      if (s.expected) {
        zbarFieldsCount.got += correctFields(zbarFields(output), s.expected);
        zbarFieldsCount.of += Object.values(s.expected).filter((v) => v !== null).length;
      }
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const rows = [...times.entries()].map(([format, ms]) => ({ format, ...stats(ms), fields: fields.get(format) }));
  const classicRow = {
    format: `classic (pdftotext -layout + pdfimages${hasZbar ? ' + pdftoppm + zbarimg' : ''})`,
    ...stats(classic),
    fields: classicFieldsCount,
  };
  const zbarRow = hasZbar ? [{ format: 'classic photo (zbarimg)', ...stats(zbar), fields: zbarFieldsCount }] : [];
  const pdfText = rows.find((r) => r.format === 'pdf-text');
  const result = {
    benchmark: 'collect-parse',
    at: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadavg: os.loadavg().map((n) => +n.toFixed(2)),
    iterations: ITERATIONS,
    zbarimg: hasZbar,
    ocrEngine: ocr?.name ?? null,
    rows: [...rows, classicRow, ...zbarRow],
    ratioClassicOverPdfText: pdfText ? +(classicRow.median / pdfText.median).toFixed(2) : null,
  };
  console.log('format'.padEnd(58), 'n'.padStart(5), 'median ms'.padStart(10), 'p95 ms'.padStart(8), ' fields');
  for (const r of result.rows)
    console.log(
      r.format.padEnd(58),
      String(r.n).padStart(5),
      String(r.median).padStart(10),
      String(r.p95).padStart(8),
      ` ${r.fields ? `${r.fields.got}/${r.fields.of}` : '-'}`,
    );
  console.log(`classic median / our PDF text-layer median: ${result.ratioClassicOverPdfText}`);
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/collect-parse.json'), `${JSON.stringify(result, null, 2)}\n`);
}

await main();
