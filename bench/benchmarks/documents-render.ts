/**
 * documents-render: how fast one invoice's files render, measured in this process (no HTTP), against the naive
 * path — pdfkit drawing the same display list with the full 10 MB font parsed and subset per document — in the
 * same run, interleaved. Prints its own table and writes bench/results/documents-render.render.json. The HTTP part
 * (the harness's table) downloads a stored PDF through the authenticated file endpoint, against the baseline's GET /me.
 */
import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { DOCUMENT_FONT_MODULE, getDocumentFont } from '../../src/modules/documents/render/font/document-font.js';
import type { InvoiceDocument } from '../../src/modules/documents/render/invoice-document.js';
import type { PageDrawing } from '../../src/modules/documents/render/layout/display-list.js';
import { layoutInvoice } from '../../src/modules/documents/render/layout/layout-invoice.js';
import { renderPdf } from '../../src/modules/documents/render/pdf/render-pdf.js';
import { renderInvoiceDocuments } from '../../src/modules/documents/render/render-invoice-documents.js';
import { sampleInvoice } from '../../src/modules/documents/render/sample-invoices.js';
import { renderInvoiceXml } from '../../src/modules/documents/render/xml/render-xml.js';
import { machineFacts, readCpuTimes, stealPercent } from '../lib/machine.js';
import type { Benchmark } from '../lib/measure.js';
import { RESULTS_DIR } from '../lib/report.js';
import { getAuthHeaders } from '../lib/token.js';

const MM = 72 / 25.4;
const WARMUP = 20;
const RUNS = 200;
const NAIVE_RUNS = 60;

/** The naive path: pdfkit, font registered (parsed) and subset per document, XML attached. */
async function renderNaive(
  doc: InvoiceDocument,
  pages: readonly PageDrawing[],
  xml: Buffer,
  font: Buffer,
): Promise<Buffer> {
  const pdf = new PDFDocument({ size: [210 * MM, 140 * MM], margin: 0, autoFirstPage: false });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => pdf.on('end', () => resolve()));
  pdf.registerFont('noto', font);
  pdf.file(xml, { name: `${doc.number}.xml`, type: 'text/xml' });
  for (const page of pages) {
    pdf.addPage({ size: [210 * MM, 140 * MM], margin: 0 });
    for (const op of page.ops) {
      if (op.kind === 'text') {
        pdf
          .font('noto')
          .fontSize(op.size * MM)
          .fillColor([...op.color]);
        pdf.text(op.text, op.x * MM, (op.y - op.size * 1.16) * MM, { lineBreak: false });
      } else if (op.kind === 'line') {
        pdf
          .lineWidth(op.width * MM)
          .strokeColor([...op.color])
          .moveTo(op.x1 * MM, op.y1 * MM)
          .lineTo(op.x2 * MM, op.y2 * MM)
          .stroke();
      } else if (op.kind === 'path') {
        for (const c of op.commands) {
          if (c[0] === 'M') pdf.moveTo(c[1] * MM, c[2] * MM);
          else if (c[0] === 'L') pdf.lineTo(c[1] * MM, c[2] * MM);
          else pdf.bezierCurveTo(c[1] * MM, c[2] * MM, c[3] * MM, c[4] * MM, c[5] * MM, c[6] * MM);
        }
        pdf
          .lineWidth(op.width * MM)
          .strokeColor([...op.color])
          .stroke();
      } else {
        const m = op.size / op.count;
        for (let i = 0; i < op.modules.length; i++) {
          if (op.modules[i])
            pdf.rect((op.x + (i % op.count) * m) * MM, (op.y + Math.floor(i / op.count) * m) * MM, m * MM, m * MM);
        }
        pdf.fillColor('black').fill();
      }
    }
  }
  pdf.end();
  await done;
  return Buffer.concat(chunks);
}

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0) * 100) / 100;
  return { medianMs: at(0.5), p95Ms: at(0.95) };
};

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Runs the in-process measurement and prints its table. */
export async function measureRendering() {
  const fontBytes = fs.readFileSync(new URL(import.meta.resolve(DOCUMENT_FONT_MODULE)));
  getDocumentFont();
  const one = sampleInvoice({ kind: '81' });
  const multi = sampleInvoice({ lineCount: 40 });
  const prepared = (doc: InvoiceDocument) => ({ doc, pages: layoutInvoice(doc), xml: renderInvoiceXml(doc) });
  const p1 = prepared(one);
  const pm = prepared(multi);
  // A fresh XML buffer per render: the deflate cache (deflate-once.ts) is keyed by buffer, and a real render never
  // sees the same buffer twice.
  const fast = () => renderPdf(p1.doc, p1.pages, Buffer.from(p1.xml));
  const naive = () => renderNaive(p1.doc, p1.pages, p1.xml, fontBytes);
  for (let i = 0; i < WARMUP; i++) {
    fast();
    renderInvoiceDocuments(one);
    if (i < 5) await naive();
  }
  const cpu = readCpuTimes();
  const t = {
    fast: [] as number[],
    all: [] as number[],
    layout: [] as number[],
    naive: [] as number[],
    multi: [] as number[],
  };
  for (let i = 0; i < RUNS; i++) {
    t.fast.push(await time(fast));
    t.all.push(await time(() => renderInvoiceDocuments(one)));
    t.multi.push((await time(() => renderPdf(pm.doc, pm.pages, Buffer.from(pm.xml)))) / pm.pages.length);
    if (i % Math.ceil(RUNS / NAIVE_RUNS) === 0) t.naive.push(await time(naive));
  }
  const rendered = renderInvoiceDocuments(one);
  const naiveBytes = (await naive()).length;
  const result = {
    name: 'documents-render',
    date: new Date().toISOString(),
    machine: machineFacts(),
    stealPct: stealPercent(cpu, readCpuTimes()),
    onePagePdf: { ...stats(t.fast), bytes: rendered.pdf.length },
    onePageAllFormats: {
      ...stats(t.all),
      pdfBytes: rendered.pdf.length,
      ofdBytes: rendered.ofd.length,
      xmlBytes: rendered.xml.length,
    },
    multiPagePdfPerPage: {
      ...stats(t.multi),
      pages: pm.pages.length,
      bytes: renderPdf(pm.doc, pm.pages, pm.xml).length,
    },
    naivePdfkit: { ...stats(t.naive), bytes: naiveBytes, runs: t.naive.length },
    speedup: Math.round((stats(t.naive).medianMs / stats(t.fast).medianMs) * 10) / 10,
  };
  const row = (name: string, s: { medianMs: number; p95Ms: number }, bytes: number | string) =>
    `${name.padEnd(34)} ${String(s.medianMs).padStart(8)} ${String(s.p95Ms).padStart(8)} ${String(bytes).padStart(10)}`;
  console.log(
    [
      '',
      'documents-render — in-process, per page (ms) and bytes',
      `${'path'.padEnd(34)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'bytes'.padStart(10)}`,
      row('ours: 1-page PDF', result.onePagePdf, result.onePagePdf.bytes),
      row('ours: 1-page PDF + OFD + XML', result.onePageAllFormats, `${rendered.pdf.length}+${rendered.ofd.length}`),
      row(`ours: ${pm.pages.length}-page PDF, per page`, result.multiPagePdfPerPage, result.multiPagePdfPerPage.bytes),
      row('naive: pdfkit, full-font subset', result.naivePdfkit, naiveBytes),
      `naive ÷ ours (median, same run): ${result.speedup}×; CPU steal ${result.stealPct ?? 'n/a'}%`,
    ].join('\n'),
  );
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'documents-render.render.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** Issues one invoice on the app server (its in-process worker issues it) and returns its serial number. */
async function issueOne(baseUrl: string, headers: Record<string, string>, sellerTaxId: string): Promise<string> {
  const serialNo = `DOCBENCH-${Date.now().toString(36)}`;
  const res = await fetch(new URL('/api/v1/invoices?wait=10', baseUrl), {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({
      serialNo,
      kind: '82',
      seller: { taxId: sellerTaxId },
      buyer: { name: '北京测试科技有限公司', taxId: '91110000600037341L' },
      lines: [{ name: '软件开发服务', taxCode: '3040201010000000000', amount: '10000.00', taxRate: '0.06' }],
    }),
    signal: AbortSignal.timeout(15_000),
  });
  if (res.status !== 200)
    throw new Error(`documents-render setup: issuing answered ${res.status}: ${await res.text()}`);
  return serialNo;
}

export const documentsRender: Benchmark = {
  name: 'documents-render',
  description: 'invoice rendering in-process (table above); HTTP: GET /api/v1/invoices/{serialNo}/files/pdf (stored)',
  async setup({ app }) {
    await measureRendering();
    const headers = await getAuthHeaders(app, 'documents-render');
    const serialNo = await issueOne(app.baseUrl, headers, app.sellerTaxId);
    return {
      target: { method: 'GET', path: `/api/v1/invoices/${serialNo}/files/pdf`, headers },
      baseline: { method: 'GET', path: '/me' },
    };
  },
};
