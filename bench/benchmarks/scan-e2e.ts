import { randomBytes } from 'node:crypto';
import type { Benchmark } from '../lib/measure.js';
import { getAuthHeaders } from '../lib/token.js';
import { createBenchScanSetting, scanOrderBody } from './scan-kit.js';

const RUN = randomBytes(3).toString('hex');
let counter = 0;

/**
 * Scan-to-invoice end to end: an order pushed with its title on an `issue` setting (what a consumer's submit
 * does: title recorded + order.submitted + issue job, exactly once), then the invoice issued through the queue and
 * its PDF rendered — `?wait=10` answers only then, so p50/p99 are submit → issued with PDF ready.
 */
export const scanE2e: Benchmark = {
  name: 'scan-e2e',
  description: 'POST /api/v1/scan/orders?wait=10 with a buyer title: submitted → invoice issued → PDF rendered',
  drainsJobs: true,
  costPer: { status: 201, unit: 'order' },
  async setup({ app }) {
    const headers = await getAuthHeaders(app, 'scan-e2e');
    const key = await createBenchScanSetting(app, headers, 'issue');
    const buyer = { name: '北京测试科技有限公司', taxId: '91110000600037341L' };
    return {
      target: {
        method: 'POST',
        path: '/api/v1/scan/orders?wait=10',
        headers,
        bodyFactory: () => scanOrderBody(key, `SE${RUN}${(counter++).toString(36)}`, { buyer }),
        expectStatus: 201,
      },
      baseline: {
        method: 'POST',
        path: '/invoices',
        headers,
        bodyFactory: () => ({
          serialNo: `BE${RUN}${(counter++).toString(36)}`,
          kind: '82',
          seller: { taxId: app.sellerTaxId },
          buyer,
          lines: scanOrderBody(key, 'x').lines,
        }),
        expectStatus: 202,
      },
    };
  },
};
