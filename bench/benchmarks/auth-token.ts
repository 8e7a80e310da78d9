import type { Benchmark } from '../lib/measure.js';

/** Token exchange: body validation, app lookup by appId, SHA-256 + constant-time compare, token row insert. */
export const authToken: Benchmark = {
  name: 'auth-token',
  description: 'POST /api/v1/auth/token (validate body, look up app, hash secret, insert token row)',
  async setup({ app }) {
    const body = { appId: app.appId, appSecret: app.appSecret };
    return {
      target: { method: 'POST', path: '/api/v1/auth/token', body },
      baseline: { method: 'POST', path: '/token', body },
    };
  },
};
