import { randomBytes } from 'node:crypto';
import type { Benchmark, BenchServers } from '../lib/measure.js';
import { getAuthHeaders } from '../lib/token.js';

const RUN = randomBytes(3).toString('hex');
const BOUNDARY = `----openfapiao-bench-${RUN}`;
/** Invoices issued in setup whose PDFs are uploaded (different sizes: 3, 8 and 30 lines). */
const LINE_COUNTS = [3, 8, 30, 1];
let counter = 0;

/** One `file` part of multipart/form-data. */
function multipartFile(name: string, bytes: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
    ),
    bytes,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

/**
 * The PDF with a unique comment after its end (`%bench …`): new bytes, so intake stores and parses it instead of
 * answering the file it has — the same invoice each time (the items are duplicates of each other, verified each).
 */
function uniquePdf(pdfs: readonly Buffer[]): { name: string; body: Buffer } {
  const n = counter++;
  const pdf = pdfs[n % pdfs.length] as Buffer;
  return { name: `bench-${n}.pdf`, body: Buffer.concat([pdf, Buffer.from(`\n%bench ${RUN} ${n}\n`)]) };
}

async function api(
  app: BenchServers['app'],
  headers: Record<string, string>,
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await fetch(new URL(path, app.baseUrl), {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  return res;
}

/** Issues invoices on the sandbox and fetches their PDFs (benchmark setup, outside the measurement). */
async function issuedPdfs(app: BenchServers['app'], headers: Record<string, string>): Promise<Buffer[]> {
  const pdfs: Buffer[] = [];
  for (const [i, lineCount] of LINE_COUNTS.entries()) {
    const serialNo = `CI${RUN}${i}`;
    const lines = Array.from({ length: lineCount }, (_, k) => ({
      name: `*信息技术服务*软件开发服务费${k + 1}`,
      taxCode: '3040201000000000000',
      amount: `${100 + k}.00`,
      taxRate: '0.06',
      priceIncludesTax: true,
    }));
    const res = await api(app, headers, 'POST', '/api/v1/invoices?wait=10', {
      serialNo,
      kind: '82',
      seller: { taxId: app.sellerTaxId },
      buyer: { name: '北京测试科技有限公司', taxId: '91110000600037341L' },
      lines,
    });
    const body = (await res.json()) as { status?: string };
    if (body.status !== 'issued')
      throw new Error(`collect-intake setup: invoice answered ${res.status} ${JSON.stringify(body)}`);
    const file = await api(app, headers, 'GET', `/api/v1/invoices/${serialNo}/files/pdf`);
    if (file.status !== 200) throw new Error(`collect-intake setup: PDF answered ${file.status}`);
    pdfs.push(Buffer.from(await file.arrayBuffer()));
  }
  return pdfs;
}

/**
 * Intake throughput: one new invoice PDF per request through `POST /api/v1/received-invoices` — stored in the blob
 * store, parsed on the parse pool, recorded with its processing job — and, draining the queue, verified on the
 * sandbox (查验) and checked. Baseline, same run and same app: `POST /api/v1/invoice-files/parse` on the same kind of
 * files (parse only, nothing stored), so the ratio is what storing, recording and the jobs cost over parsing.
 */
export const collectIntake: Benchmark = {
  name: 'collect-intake',
  description:
    'POST /api/v1/received-invoices (upload → parse → store → process/verify jobs) vs POST /api/v1/invoice-files/parse',
  drainsJobs: true,
  baselineOnApp: true,
  baselineNote: 'POST /api/v1/invoice-files/parse on the same app and the same files (parse only, nothing stored)',
  costPer: { status: 201, unit: 'file' },
  async setup({ app }) {
    const headers = await getAuthHeaders(app, 'collect-intake');
    const pdfs = await issuedPdfs(app, headers);
    const contentType = `multipart/form-data; boundary=${BOUNDARY}`;
    const body = () => {
      const f = uniquePdf(pdfs);
      return multipartFile(f.name, f.body);
    };
    return {
      target: {
        method: 'POST',
        path: '/api/v1/received-invoices',
        headers,
        rawBodyFactory: body,
        contentType,
        expectStatus: 201,
      },
      baseline: {
        method: 'POST',
        path: '/api/v1/invoice-files/parse',
        headers,
        rawBodyFactory: body,
        contentType,
        expectStatus: 200,
      },
    };
  },
};
