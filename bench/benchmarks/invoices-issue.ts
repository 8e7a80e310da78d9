import { randomBytes } from 'node:crypto';
import type { Benchmark } from '../lib/measure.js';
import { getAuthHeaders } from '../lib/token.js';

const RUN = randomBytes(3).toString('hex');
let counter = 0;

/** A typical two-line 数电普票 request; each call gets a fresh serial number. */
function invoiceBody(sellerTaxId: string) {
  return {
    serialNo: `B${RUN}-${(counter++).toString(36)}`,
    kind: '82',
    seller: { taxId: sellerTaxId },
    buyer: { name: '北京测试科技有限公司', taxId: '91110000600037341L' },
    lines: [
      { name: '软件开发服务', taxCode: '3040201010000000000', amount: '10000.00', taxRate: '0.06' },
      {
        name: '铝锭',
        taxCode: '1080310990000000000',
        spec: 'A00',
        unit: '吨',
        quantity: '2',
        unitPrice: '500',
        amount: '1000.00',
        taxRate: '0.13',
      },
    ],
    remark: '基准测试',
  };
}

/**
 * Issuing end to end: POST /api/v1/invoices?wait=10 answers 200 once the invoice is issued (validation, insert +
 * job in one transaction, worker claim, sandbox channel with zero latency, state update), so req/s is invoices/s to
 * `issued` and the latency percentiles are those of `?wait`. Each issue also enqueues the PDF/OFD/XML rendering and
 * the event fan-out; after the load the runner waits for the job queue to empty, and `sustained` = invoices /
 * (load + drain) is the rate from request to issued-with-files. The baseline validates the same body on a bare route.
 */
export const invoicesIssue: Benchmark = {
  name: 'invoices-issue',
  description:
    'POST /api/v1/invoices?wait=10 until issued, then PDF/OFD/XML rendered (sandbox channel, in-process worker)',
  drainsJobs: true,
  async setup({ app }) {
    const headers = await getAuthHeaders(app, 'invoices-issue');
    return {
      target: {
        method: 'POST',
        path: '/api/v1/invoices?wait=10',
        headers,
        bodyFactory: () => invoiceBody(app.sellerTaxId),
      },
      baseline: {
        method: 'POST',
        path: '/invoices',
        headers,
        bodyFactory: () => invoiceBody(app.sellerTaxId),
        expectStatus: 202,
      },
    };
  },
};
