/**
 * CPU per order push (`POST /api/v1/scan/orders`), in one process, without the load generator's noise: the real app
 * (createRuntime + buildApp, SQLite in a temp DATA_DIR unless BENCH_DATABASE_URL, no worker) listening on 127.0.0.1,
 * driven by `app.inject` (no socket), `CONCURRENCY` in flight. Prints the process's CPU per push
 * (`process.cpuUsage`, client side included — compare runs of this script, not with the bench) for each round.
 *
 *   node --import tsx bench/scan-orders-cpu.ts [rounds=5] [pushes=2000]
 *   SCAN_CPU_PROFILE=/tmp/p.cpuprofile node --import tsx bench/scan-orders-cpu.ts   # V8 profile of the rounds only
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, createRuntime } from '../src/app.js';
import { createApiApp, createTenant } from '../src/modules/auth/index.js';
import { createOrg } from '../src/modules/orgs/index.js';
import { loadConfig } from '../src/platform/config/load-config.js';
import { bindSandboxSeller } from '../src/sandbox-binding.js';
import { scanOrderBody } from './benchmarks/scan-kit.js';

const rounds = Number(process.argv[2] ?? 5);
const perRound = Number(process.argv[3] ?? 2000);
const CONCURRENCY = 8;
const dataDir = mkdtempSync(join(tmpdir(), 'scan-cpu-'));
const config = loadConfig(
  {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DEMO_SEED: 'false',
    AUTH_RATE_LIMIT_MAX: '1000000',
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  },
  process.cwd(),
);
const runtime = await createRuntime(config);
const { deps } = runtime;
const ctx = { db: deps.db.kysely, clock: deps.clock };
const tenant = await createTenant(ctx, { name: 'cpu tenant' });
const { app: apiApp, appSecret } = await createApiApp(ctx, { tenantId: tenant.id, name: 'cpu' });
const SELLER = '91310115MA1K4Q8R0N';
await createOrg(ctx, tenant.id, { taxId: SELLER, name: '基准测试销方有限公司' });
await bindSandboxSeller(deps, tenant.id, SELLER);
const app = await buildApp(runtime);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

const tokenRes = await fetch(`${base}/api/v1/auth/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ appId: apiApp.app_id, appSecret }),
});
const { accessToken } = (await tokenRes.json()) as { accessToken: string };
const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
const settingRes = await fetch(`${base}/api/v1/scan/settings`, {
  method: 'POST',
  headers,
  body: JSON.stringify({ sellerTaxId: SELLER, scanType: 'issue', allowedKinds: ['82'], validityDays: 30 }),
});
if (settingRes.status !== 201) throw new Error(`setting answered ${settingRes.status}: ${await settingRes.text()}`);
const { key } = (await settingRes.json()) as { key: string };

let n = 0;
async function push(count: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/scan/orders',
        headers,
        payload: JSON.stringify(scanOrderBody(key, `CPU${process.pid}-${n++}`)),
      });
      if (res.statusCode !== 201) throw new Error(`push answered ${res.statusCode}: ${res.body}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

// JIT warm-up: with 500 the first measured round still ran ~40 % above the others.
await push(2000);
const session = process.env.SCAN_CPU_PROFILE ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const results: number[] = [];
for (let r = 0; r < rounds; r++) {
  const before = process.cpuUsage();
  await push(perRound);
  const used = process.cpuUsage(before);
  results.push((used.user + used.system) / 1000 / perRound);
}
if (session) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(process.env.SCAN_CPU_PROFILE!, JSON.stringify(profile));
}
console.log(
  `ms CPU / push (app.inject, no socket), ${rounds} × ${perRound}: ${results.map((x) => x.toFixed(3)).join(' ')}; median ${[...results].sort((a, b) => a - b)[Math.floor(rounds / 2)]!.toFixed(3)} min ${Math.min(...results).toFixed(3)}`,
);
await app.close();
await runtime.close();
rmSync(dataDir, { recursive: true, force: true });
