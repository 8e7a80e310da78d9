/**
 * The server under test: the real OpenFapiao app (buildApp) in its own process, configured from the environment the
 * runner gives it (temp DATA_DIR or DATABASE_URL, PORT, LOG_LEVEL=warn, huge AUTH_RATE_LIMIT_MAX, DEMO_SEED=false).
 * Seeds one tenant + API app (its seller org's sandbox channel account bound), listens on 127.0.0.1 and prints `{"ready":true,"port":…,"appId":…,"appSecret":…}`.
 * A job worker runs in the same process, as with `npm start` (role all), so issuing benchmarks measure the whole
 * pipeline; it idles during the HTTP-only benchmarks. The seeded seller org's tax id is announced too.
 * It counts the SQL statements and commits it sends (statement-counter.ts) and reports them, with the invoices, orders
 * and files created so far, when the runner asks.
 */
import { buildApp, createRuntime } from '../../src/app.js';
import { createApiApp, createTenant } from '../../src/modules/auth/index.js';
import { createOrg } from '../../src/modules/orgs/index.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { createWorker } from '../../src/platform/jobs/index.js';
import { jobsQueuedWake } from '../../src/platform/jobs-runtime.js';
import { bindSandboxSeller } from '../../src/sandbox-binding.js';
import { announce, exitWithParent } from './server-lifecycle.js';
import { countUnitsWith, installStatementCounter } from './statement-counter.js';

installStatementCounter();
const config = loadConfig(process.env, process.cwd());
const runtime = await createRuntime(config);
const { deps } = runtime;
await countUnitsWith(config.db);
const ctx = { db: deps.db.kysely, clock: deps.clock };
const tenant = await createTenant(ctx, { name: 'Bench tenant' });
const { app: apiApp, appSecret } = await createApiApp(ctx, { tenantId: tenant.id, name: 'bench' });
const SELLER_TAX_ID = '91310115MA1K4Q8R0N';
await createOrg(ctx, tenant.id, { taxId: SELLER_TAX_ID, name: '基准测试销方有限公司' });
await bindSandboxSeller(deps, tenant.id, SELLER_TAX_ID);
await runtime.sandbox?.setQuota(
  { tenantId: tenant.id },
  SELLER_TAX_ID,
  chinaMonth(deps.clock.now()),
  '999999999999.00',
);
const worker = createWorker({
  db: deps.db,
  registry: deps.jobs.registry,
  config: config.jobs,
  logger: deps.logger,
  clock: deps.clock,
  // As `serve` runs it: woken by NOTIFY, the idle poll only a safety net.
  wake: jobsQueuedWake(deps.signals),
});
deps.jobs.attachWorker(worker);
worker.start();

const app = await buildApp(runtime);
exitWithParent(async () => {
  await app.close();
  await worker.stop();
  await runtime.close();
});
await app.listen({ host: '127.0.0.1', port: config.http.port });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.http.port;
announce({ port, dialect: deps.db.dialect, appId: apiApp.app_id, appSecret, sellerTaxId: SELLER_TAX_ID });

function chinaMonth(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 7);
}
