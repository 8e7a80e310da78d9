import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, createRuntime } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { buildTestApp, errorOf, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: /metrics with METRICS_TOKEN, /api/docs with API_DOCS=off`, () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await buildTestApp(dialect, { METRICS_TOKEN, API_DOCS: 'off' });
    });
    afterAll(async () => t?.close());

    it('refuses /metrics without the bearer token, with another token or another scheme', async () => {
      for (const authorization of [undefined, `Bearer ${METRICS_TOKEN}x`, `Basic ${METRICS_TOKEN}`, 'Bearer ']) {
        const res = await t.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
        expect(res.statusCode, authorization).toBe(401);
        expect(res.headers['content-type']).toContain('application/json');
        expect(errorOf(res)).toMatchObject({ code: 'METRICS_TOKEN_INVALID', message: '访问监控指标需要有效的令牌' });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
        expect(res.body).not.toContain('openfapiao_');
      }
    });

    it('serves /metrics with the bearer token', async () => {
      const res = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.body).toMatch(/openfapiao_jobs\{state="queued"\} \d+/);
    });

    it('does not serve the API docs UI, but keeps the OpenAPI document', async () => {
      for (const url of ['/api/docs', '/api/docs/', '/api/docs/static/index.html', '/api/docs/json']) {
        const res = await t.app.inject({ url });
        expect(res.statusCode, url).toBe(404);
        expect(errorOf(res).code, url).toBe('NOT_FOUND');
      }
      const doc = await t.app.inject({ url: '/api/openapi.json' });
      expect(doc.statusCode).toBe(200);
      expect(doc.json<{ paths: Record<string, unknown> }>().paths['/api/v1/auth/token']).toBeDefined();
      expect((await t.app.inject({ url: '/' })).json()).not.toHaveProperty('docs');
    });
  });
}

describe('the warning about an open /metrics', () => {
  const dataDirs: string[] = [];
  afterAll(() => {
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Builds the app (never listening) with `env` and returns what it logged at warn level and above. */
  async function startupWarnings(env: Record<string, string>): Promise<string[]> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-ops-'));
    dataDirs.push(dataDir);
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const config = loadConfig({ DEMO_SEED: 'false', DATA_DIR: dataDir, ...env });
    const runtime = await createRuntime(config, { logger });
    const app = await buildApp(runtime);
    await app.ready();
    await app.close();
    await runtime.close();
    return lines;
  }

  it('is logged when HOST is not loopback and METRICS_TOKEN is unset, and never carries the token', async () => {
    const open = await startupWarnings({ HOST: '0.0.0.0' });
    expect(open.join('\n')).toContain('METRICS_TOKEN is not set');
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      expect((await startupWarnings({ HOST: host })).join('\n'), host).not.toContain('METRICS_TOKEN');
    }
    const closed = await startupWarnings({ HOST: '0.0.0.0', METRICS_TOKEN });
    expect(closed.join('\n')).not.toContain('METRICS_TOKEN is not set');
    expect(closed.join('\n')).not.toContain(METRICS_TOKEN);
  });
});
