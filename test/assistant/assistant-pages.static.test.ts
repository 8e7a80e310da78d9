import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, createRuntime, type Runtime } from '../../src/app.js';
import { ASSISTANT_PAGE_PATHS } from '../../src/modules/assistant/index.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

// Serving reads one event at most: SQLite only (the frame-ancestors lookup is asst-core's, tested with its API).
const sqlite = TEST_DIALECTS.find((d) => d.name === 'sqlite')!;

const PAGE =
  '<!doctype html><html><head><script type="module" src="/console/assets/assistant-AbC123.js"></script></head><body><div id="root"></div></body></html>';

/** The assistant pages' HTML at /assistant/* (docs/assistant.md#assistant-pages). */
describe('assistant pages: serving assistant.html', () => {
  let dist: string;
  let app: FastifyInstance;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-assistant-static-'));
  beforeAll(async () => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-assistant-dist-'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
    fs.writeFileSync(path.join(dist, 'assistant.html'), PAGE);
    const created = await sqlite.createConfigDb();
    cleanup = created.cleanup;
    const config = {
      ...loadConfig({ LOG_LEVEL: 'silent', DEMO_SEED: 'false', DATA_DIR: dataDir }),
      db: created.dbConfig,
    };
    runtime = await createRuntime(config, { logger: pino({ level: 'silent' }) });
    app = await buildApp(runtime, { consoleDistDir: dist });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    await cleanup?.();
    fs.rmSync(dist, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the page at its four addresses, never cached, framed by our own origin unless the event says otherwise', async () => {
    for (const url of ASSISTANT_PAGE_PATHS) {
      // An unknown code (or none): the page still loads (it shows 事件码已失效), only our origin may frame it.
      const res = await app.inject(`${url}?eventCode=${'A'.repeat(43)}`);
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(PAGE);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers['x-frame-options']).toBeUndefined();
    }
    const bare = await app.inject('/assistant/m/select');
    expect(bare.statusCode).toBe(200);
    expect(String(bare.headers['content-security-policy'])).toContain("frame-ancestors 'self'");
  });

  it('answers other paths under /assistant with 404, an over-long code with 400, a missing build with 503', async () => {
    expect((await app.inject('/assistant/other')).statusCode).toBe(404);
    expect((await app.inject('/assistant/m/select/x')).statusCode).toBe(404);
    expect((await app.inject(`/assistant/select?eventCode=${'A'.repeat(300)}`)).statusCode).toBe(400);
    fs.rmSync(path.join(dist, 'assistant.html'));
    const missing = await app.inject('/assistant/select');
    expect(missing.statusCode).toBe(503);
    expect(missing.body).toContain('发票助手尚未构建');
  });
});
