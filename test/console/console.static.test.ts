import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, createRuntime, type Runtime } from '../../src/app.js';
import { CONSOLE_CSP } from '../../src/modules/console/index.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

// Serving does not touch the database: SQLite only.
const sqlite = TEST_DIALECTS.find((d) => d.name === 'sqlite')!;

interface Served {
  app: FastifyInstance;
  runtime: Runtime;
  logs: string[];
  close(): Promise<void>;
}

async function serve(distDir: string): Promise<Served> {
  const created = await sqlite.createConfigDb();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-console-'));
  const config = { ...loadConfig({ LOG_LEVEL: 'info', DEMO_SEED: 'false', DATA_DIR: dataDir }), db: created.dbConfig };
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  const runtime = await createRuntime(config, { logger });
  const app = await buildApp(runtime, { consoleDistDir: distDir });
  await app.ready();
  return {
    app,
    runtime,
    logs,
    close: async () => {
      await app.close();
      await runtime.close();
      await created.cleanup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const INDEX =
  '<!doctype html><html><head><script type="module" src="/console/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>';

describe('console: serving the build under /console/', () => {
  let dist: string;
  let s: Served;
  beforeAll(async () => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-console-dist-'));
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), INDEX);
    fs.writeFileSync(path.join(dist, 'assets/index-AbC123.js'), 'console.log("console")');
    fs.writeFileSync(path.join(dist, 'assets/index-AbC123.css'), 'body{margin:0}');
    fs.writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    fs.writeFileSync(path.join(dist, '.secret'), 'no');
    s = await serve(dist);
  });
  afterAll(async () => {
    await s?.close();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  const expectSecurityHeaders = (headers: Record<string, unknown>) => {
    expect(headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-content-type-options']).toBe('nosniff');
  };

  it('serves index.html at /console/ revalidated on every load, with the strict CSP', async () => {
    const res = await s.app.inject('/console/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toBe(INDEX);
    expectSecurityHeaders(res.headers);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('redirects /console to /console/', async () => {
    const res = await s.app.inject('/console');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/console/');
  });

  it('serves hashed assets as immutable for a year', async () => {
    for (const [file, type] of [
      ['index-AbC123.js', /javascript/],
      ['index-AbC123.css', /text\/css/],
    ] as const) {
      const res = await s.app.inject(`/console/assets/${file}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(type);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expectSecurityHeaders(res.headers);
    }
  });

  it('answers a missing asset with 404, never with index.html', async () => {
    const res = await s.app.inject('/console/assets/index-Gone99.js');
    expect(res.statusCode).toBe(404);
    expect(res.headers['cache-control']).toBeUndefined();
    expect(res.json().error.code).toBe('NOT_FOUND');
  });

  it('falls back to index.html for client routes under /console/', async () => {
    for (const url of ['/console/invoices', '/console/invoices/issue?kind=82', '/console/login?next=%2Fconsole%2F']) {
      const res = await s.app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(INDEX);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expectSecurityHeaders(res.headers);
    }
  });

  it('serves other files of the build, but no dot files and nothing outside it', async () => {
    const icon = await s.app.inject('/console/favicon.svg');
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toMatch(/image\/svg/);
    const secret = await s.app.inject('/console/.secret');
    expect(secret.body).toBe(INDEX);
    const outside = await s.app.inject('/console/..%2f..%2fpackage.json');
    expect(outside.body).not.toContain('openfapiao');
  });

  it('leaves the API alone: /api/v1 still answers JSON without the console headers', async () => {
    const res = await s.app.inject('/api/v1/orgs');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-security-policy']).toBeUndefined();
  });
});

describe('console: a missing build', () => {
  let s: Served;
  let dist: string;
  beforeAll(async () => {
    dist = path.join(os.tmpdir(), `openfapiao-no-console-${process.pid}`);
    s = await serve(dist);
  });
  afterAll(async () => s?.close());

  it('is logged at start with the command that builds it', () => {
    const line = s.logs
      .map((l) => JSON.parse(l) as { level: number; msg: string; consoleDist?: string })
      .find((l) => l.msg.includes('console build missing'));
    expect(line).toMatchObject({ level: 50, consoleDist: dist });
    expect(line?.msg).toContain('npm run build:console');
  });

  it('answers /console/ and its client routes with a 503 page saying how to build', async () => {
    for (const url of ['/console/', '/console/invoices']) {
      const res = await s.app.inject(url);
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('控制台尚未构建');
      expect(res.body).toContain('npm run build:console');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
    }
  });
});
