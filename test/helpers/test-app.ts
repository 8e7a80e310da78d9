import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp, createRuntime, type Runtime } from '../../src/app.js';
import { createApiApp, createTenant } from '../../src/modules/auth/index.js';
import { createOrg } from '../../src/modules/orgs/index.js';
import { createManualClock } from '../../src/platform/clock.js';
import { type Config, loadConfig } from '../../src/platform/config/load-config.js';
import { createWorker } from '../../src/platform/jobs/index.js';
import { bindSandboxSeller } from '../../src/sandbox-binding.js';
import { computeUsccCheckChar } from '../../src/tax/uscc.js';
import type { TestDialect } from './test-db.js';

export interface TestApp {
  app: FastifyInstance;
  runtime: Runtime;
  config: Config;
  clock: ReturnType<typeof createManualClock>;
  close(): Promise<void>;
}

/**
 * Builds the real app on a fresh, migrated database of the given dialect (a copy of the run's template), with a
 * manual clock and silent logs (or `logger`).
 */
export async function buildTestApp(
  dialect: TestDialect,
  env: Record<string, string> = {},
  beforeReady?: (app: FastifyInstance, runtime: Runtime) => void,
  options: { worker?: boolean; logger?: Logger; sameDatabaseAs?: TestApp } = {},
): Promise<TestApp> {
  // A second node on the database of `sameDatabaseAs` (which removes the database when it closes).
  const shared = options.sameDatabaseAs;
  const created = shared
    ? { dbConfig: shared.config.db, cleanup: async () => {} }
    : await dialect.createMigratedConfigDb();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-app-'));
  const base = loadConfig({ LOG_LEVEL: 'silent', DEMO_SEED: 'false', DATA_DIR: dataDir, ...env });
  const config: Config = { ...base, db: created.dbConfig };
  const clock = createManualClock('2025-06-01T02:00:00Z');
  const runtime = await createRuntime(config, { clock, logger: options.logger ?? pino({ level: 'silent' }) });
  const app = await buildApp(runtime);
  beforeReady?.(app, runtime);
  await app.ready();
  // A real worker with immediate retries (the manual clock does not move by itself, so backoff would never end).
  const worker = options.worker
    ? createWorker({
        db: runtime.deps.db,
        registry: runtime.deps.jobs.registry,
        config: { ...config.jobs, pollIntervalMs: 20, concurrency: 8 },
        logger: runtime.deps.logger,
        clock,
        backoff: () => 0,
      })
    : null;
  if (worker) {
    runtime.deps.jobs.attachWorker(worker);
    worker.start();
  }
  return {
    app,
    runtime,
    config,
    clock,
    close: async () => {
      await worker?.stop();
      await app.close();
      await runtime.close();
      await created.cleanup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A valid USCC for tests: 17 given characters plus the computed check character. */
export function makeUscc(first17: string): string {
  return first17 + computeUsccCheckChar(first17);
}

export interface SeededTenant {
  tenantId: string;
  appId: string;
  appSecret: string;
  sellerTaxId: string;
  token: string;
  auth: { authorization: string };
}

let seq = 0;

/**
 * Creates a tenant with a seller org whose sandbox channel account is bound (as the demo seed does it) and an API
 * app, and gets a token through the real endpoint.
 */
export async function seedTenant(t: TestApp, name = 'tenant'): Promise<SeededTenant> {
  const ctx = { db: t.runtime.deps.db.kysely, clock: t.clock };
  const tenant = await createTenant(ctx, { name });
  seq++;
  const sellerTaxId = makeUscc(`9131011${String(seq).padStart(2, '0')}MA1K4Q8R`.slice(0, 17));
  await createOrg(ctx, tenant.id, { taxId: sellerTaxId, name: `${name} 销方有限公司` });
  await bindSandboxSeller(t.runtime.deps, tenant.id, sellerTaxId);
  const { app, appSecret } = await createApiApp(ctx, { tenantId: tenant.id, name: 'test' });
  const seeded = {
    tenantId: tenant.id,
    appId: app.app_id,
    appSecret,
    sellerTaxId,
    token: '',
    auth: { authorization: '' },
  };
  await refreshToken(t, seeded);
  return seeded;
}

/**
 * Gets a new access token for `who` through the real endpoint and puts it in `who.token` and `who.auth` (tokens live
 * two hours: after the manual clock jumped past that, a tenant needs a fresh one).
 */
export async function refreshToken(t: TestApp, who: SeededTenant): Promise<void> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    payload: { appId: who.appId, appSecret: who.appSecret },
  });
  if (res.statusCode !== 200) throw new Error(`POST /api/v1/auth/token answered ${res.statusCode}: ${res.body}`);
  who.token = res.json<{ accessToken: string }>().accessToken;
  who.auth = { authorization: `Bearer ${who.token}` };
}

/** The error body of a response, asserting its shape. */
export function errorOf(res: LightMyRequestResponse): {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  requestId: string;
} {
  return res.json<{ error: { code: string; message: string; details?: Record<string, unknown>; requestId: string } }>()
    .error;
}
