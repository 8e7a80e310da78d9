import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigTable, renderEnvExample } from './config-doc.js';
import { CONFIG_VARIABLES, loadConfig } from './load-config.js';

const root = path.resolve(import.meta.dirname, '../../..');

describe('loadConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 8080,
      publicUrl: 'http://localhost:8080',
      bodyLimitBytes: 1_048_576,
      trustProxy: false,
    });
    expect(config.dataDir).toBe('/srv/app/data');
    expect(config.db).toEqual({ driver: 'sqlite', sqlitePath: '/srv/app/data/openfapiao.sqlite' });
    expect(config.role).toBe('all');
    expect(config.jobs.concurrency).toBe(16);
    expect(config.auth.accessTokenTtlSeconds).toBe(7200);
    expect(config.demoSeed).toBe(true);
  });

  it('switches to PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/of', DB_POOL_SIZE: '20' });
    expect(config.db).toEqual({ driver: 'postgres', url: 'postgres://u@db:5432/of', poolSize: 20 });
  });

  it('reads TRUST_PROXY as a flag, a hop count or proxy addresses', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1,10.0.0.2' }).http.trustProxy).toBe('10.0.0.1,10.0.0.2');
  });

  it('derives PUBLIC_URL from PORT and strips a trailing slash', () => {
    expect(loadConfig({ PORT: '9000' }).http.publicUrl).toBe('http://localhost:9000');
    expect(loadConfig({ PUBLIC_URL: 'https://fp.example.com/' }).http.publicUrl).toBe('https://fp.example.com');
  });

  it('rejects bad values with one clear message naming every bad variable', () => {
    let caught: unknown;
    try {
      loadConfig({
        PORT: '65536',
        ROLE: 'boss',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        JOB_CONCURRENCY: 'many',
        DEMO_SEED: 'maybe',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'CONFIG_INVALID' });
    const message = (caught as Error).message;
    for (const name of [
      'PORT=65536',
      'ROLE=boss',
      'DATABASE_URL',
      'LOG_LEVEL=loud',
      'JOB_CONCURRENCY=many',
      'DEMO_SEED=maybe',
    ]) {
      expect(message).toContain(name);
    }
    expect((caught as { details: { problems: string[] } }).details.problems).toHaveLength(6);
  });

  it('rejects a PUBLIC_URL that is not http(s)', () => {
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ PUBLIC_URL: 'not a url' })).toThrow(/PUBLIC_URL/);
  });

  it('is documented: docs/configuration.md and .env.example list every variable', () => {
    const doc = fs.readFileSync(path.join(root, 'docs/configuration.md'), 'utf8');
    expect(doc).toContain(renderConfigTable());
    expect(fs.readFileSync(path.join(root, '.env.example'), 'utf8')).toBe(renderEnvExample());
    for (const v of CONFIG_VARIABLES) expect(doc).toContain(`\`${v.name}\``);
  });

  // The documented default of each variable and the value loadConfig falls back to are written in two places; setting
  // a variable to its documented default must give exactly the configuration an empty environment gives.
  it('documents the defaults it applies: each documented default, set explicitly, changes nothing', () => {
    const unsetMarkers = /^\((unset|empty|generated|key file in DATA_DIR)\)$/;
    // Some defaults only show in the config when another variable switches their feature on.
    const envs = [{}, { DATABASE_URL: 'postgres://u@db:5432/of', SMS_GATEWAY_URL: 'http://sms.example/send' }];
    const literal = CONFIG_VARIABLES.filter((v) => !unsetMarkers.test(v.default));
    expect(literal.length).toBeGreaterThanOrEqual(30);
    for (const env of envs) {
      const base = loadConfig(env, '/srv/app');
      for (const v of literal) {
        const value = v.default.replace('$PORT', String(base.http.port));
        expect({ [v.name]: loadConfig({ ...env, [v.name]: value }, '/srv/app') }).toEqual({ [v.name]: base });
      }
    }
    // A variable documented as unset must really default to "nothing": the markers are only used where that holds.
    for (const v of CONFIG_VARIABLES.filter((c) => unsetMarkers.test(c.default))) {
      expect(['(unset)', '(empty)', '(generated)', '(key file in DATA_DIR)']).toContain(v.default);
    }
  });

  it('reads the server timeouts, METRICS_TOKEN and API_DOCS, and refuses inconsistent or weak values', () => {
    expect(loadConfig({}).server).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5000,
      connectionTimeoutMs: 60_000,
    });
    expect(loadConfig({}).ops).toEqual({
      metricsToken: null,
      apiDocs: true,
      workerHost: '127.0.0.1',
      workerPort: 8081,
    });
    expect(
      loadConfig({
        METRICS_TOKEN: 'm'.repeat(32),
        API_DOCS: 'off',
        WORKER_HTTP_HOST: '0.0.0.0',
        WORKER_HTTP_PORT: '9464',
      }).ops,
    ).toEqual({ metricsToken: 'm'.repeat(32), apiDocs: false, workerHost: '0.0.0.0', workerPort: 9464 });
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS/);
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(/HTTP_REQUEST_TIMEOUT_MS=0/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ API_DOCS: 'maybe' })).toThrow(/API_DOCS=maybe/);
  });

  it('reads the drain delay after SIGTERM', () => {
    expect(loadConfig({}).jobs.drainDelayMs).toBe(5000);
    expect(loadConfig({ SHUTDOWN_DRAIN_DELAY_MS: '0' }).jobs.drainDelayMs).toBe(0);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_DELAY_MS: '-1' })).toThrow(/SHUTDOWN_DRAIN_DELAY_MS/);
  });
});
