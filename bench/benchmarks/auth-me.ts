import type { Benchmark } from '../lib/measure.js';
import { getAuthHeaders } from '../lib/token.js';

/** An authenticated read: bearer parsing, one token lookup (token ⋈ app ⋈ tenant), response serialization. */
export const authMe: Benchmark = {
  name: 'auth-me',
  description: 'GET /api/v1/auth/me with a bearer token (auth hook: one token ⋈ app ⋈ tenant lookup)',
  async setup({ app }) {
    const headers = await getAuthHeaders(app, 'auth-me');
    return {
      target: { method: 'GET', path: '/api/v1/auth/me', headers },
      // Same header on the baseline so both sides parse the same request bytes.
      baseline: { method: 'GET', path: '/me', headers },
    };
  },
};
