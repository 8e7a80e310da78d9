import type { Benchmark } from '../lib/measure.js';

/** An authenticated read: bearer parsing, token lookup (token ⋈ app), tenant lookup, response serialization. */
export const authMe: Benchmark = {
  name: 'auth-me',
  description: 'GET /api/v1/auth/me with a bearer token (auth hook: token lookup; tenant lookup)',
  async setup({ app }) {
    const res = await fetch(new URL('/api/v1/auth/token', app.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appId: app.appId, appSecret: app.appSecret }),
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status !== 200) throw new Error(`auth-me setup: token request answered ${res.status}: ${await res.text()}`);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}` };
    return {
      target: { method: 'GET', path: '/api/v1/auth/me', headers },
      // Same header on the baseline so both sides parse the same request bytes.
      baseline: { method: 'GET', path: '/me', headers },
    };
  },
};
