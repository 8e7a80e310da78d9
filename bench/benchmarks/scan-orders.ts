import { randomBytes } from 'node:crypto';
import type { Benchmark } from '../lib/measure.js';
import { getAuthHeaders } from '../lib/token.js';
import { createBenchScanSetting, scanOrderBody } from './scan-kit.js';

const RUN = randomBytes(3).toString('hex');
let counter = 0;

/**
 * Pushing orders (推单生成二维码链接): validation with the tax rules, idempotency lookup, token + encrypted copy,
 * one insert. Each request is a new order number. The baseline validates the invoice body schema on a bare route.
 */
export const scanOrders: Benchmark = {
  name: 'scan-orders',
  description: 'POST /api/v1/scan/orders (new order each request; answers the /s/{token} link)',
  costPer: { status: 201, unit: 'request' },
  async setup({ app }) {
    const headers = await getAuthHeaders(app, 'scan-orders');
    const key = await createBenchScanSetting(app, headers, 'issue');
    return {
      target: {
        method: 'POST',
        path: '/api/v1/scan/orders',
        headers,
        bodyFactory: () => scanOrderBody(key, `SO${RUN}${(counter++).toString(36)}`),
        expectStatus: 201,
      },
      baseline: {
        method: 'POST',
        path: '/invoices',
        headers,
        bodyFactory: () => ({
          serialNo: `BO${RUN}${(counter++).toString(36)}`,
          kind: '82',
          seller: { taxId: app.sellerTaxId },
          buyer: { name: '个人' },
          lines: scanOrderBody(key, 'x').lines,
        }),
        expectStatus: 202,
      },
    };
  },
};
