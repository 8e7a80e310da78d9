/**
 * The server under test: the real OpenFapiao app (buildApp) in its own process, configured from the environment the
 * runner gives it (temp DATA_DIR or DATABASE_URL, PORT, LOG_LEVEL=warn, huge AUTH_RATE_LIMIT_MAX, DEMO_SEED=false).
 * Seeds one tenant + API app, listens on 127.0.0.1 and prints `{"ready":true,"port":…,"appId":…,"appSecret":…}`.
 * No job worker runs here: benchmarks measure the HTTP path only.
 */
import { buildApp, createRuntime } from '../../src/app.js';
import { createApiApp, createTenant } from '../../src/modules/auth/index.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { announce, exitWithParent } from './server-lifecycle.js';

const config = loadConfig(process.env, process.cwd());
const runtime = await createRuntime(config);
const { deps } = runtime;
const ctx = { db: deps.db.kysely, clock: deps.clock };
const tenant = await createTenant(ctx, { name: 'Bench tenant' });
const { app: apiApp, appSecret } = await createApiApp(ctx, { tenantId: tenant.id, name: 'bench' });

const app = await buildApp(runtime);
exitWithParent(async () => {
  await app.close();
  await runtime.close();
});
await app.listen({ host: '127.0.0.1', port: config.http.port });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.http.port;
announce({ port, dialect: deps.db.dialect, appId: apiApp.app_id, appSecret });
