import { randomBytes } from 'node:crypto';
import type { Benchmark } from '../lib/measure.js';
import { getAuthHeaders } from '../lib/token.js';
import { createBenchScanSetting, pushBenchOrder } from './scan-kit.js';

/**
 * The consumer's order page: token hash lookup, setting and seller, server-rendered HTML (~10 KB) with the CSRF
 * cookie. The baseline answers a fixed JSON document on a bare route.
 */
export const scanH5: Benchmark = {
  name: 'scan-h5',
  description: 'GET /s/{token} (the H5 order page a consumer sees after scanning)',
  async setup({ app }) {
    const headers = await getAuthHeaders(app, 'scan-h5');
    const key = await createBenchScanSetting(app, headers, 'issue');
    const path = await pushBenchOrder(app, headers, key, `SH${randomBytes(4).toString('hex')}`);
    return {
      target: { method: 'GET', path },
      baseline: { method: 'GET', path: '/me', headers },
    };
  },
};
