/**
 * `npm run bench -- console-scale [--dialect sqlite|postgres|both]`: the console at scale. Seeds one tenant with
 * CONSOLE_SCALE_INVOICES invoices (default 1 000 000) through the seed command's code (bulk inserts), starts the real
 * app on 127.0.0.1 and, logged in as a console admin (session cookie, as the browser), measures sequentially:
 *  - the pool's first page (GET /api/v1/invoices, 20 rows) with no filter and with each single filter, values taken
 *    from the middle of the data (a month a year ago, a buyer's tax id, an invoice number, …);
 *  - the dashboard (GET /api/v1/dashboard);
 *  - a streamed CSV export of up to 100 000 rows: rows/s and the server's RSS growth while it streams.
 * Each request runs CONSOLE_SCALE_SAMPLES times (default 40) after 3 warm-ups; p50/p95/max are reported against the
 * targets (first page p95 ≤ 100 ms, dashboard ≤ 300 ms, on SQLite). Writes bench/results/console-scale.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildApp, createRuntime } from '../src/app.js';
import { createTenant, createUser } from '../src/modules/auth/index.js';
import { seedInvoices } from '../src/modules/invoicing/index.js';
import { createOrg } from '../src/modules/orgs/index.js';
import { loadConfig } from '../src/platform/config/load-config.js';
import { machineFacts } from './lib/machine.js';
import { createThrowawayDatabase, redactUrl } from './lib/postgres.js';

const TARGET_PAGE_P95_MS = 100;
const TARGET_DASHBOARD_P95_MS = 300;

interface CaseResult {
  name: string;
  query: string;
  rows: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  targetMs: number;
  ok: boolean;
}

interface DialectResult {
  dialect: string;
  invoices: number;
  seedSeconds: number;
  seedPerSecond: number;
  cases: CaseResult[];
  export: { rows: number; seconds: number; rowsPerSecond: number; bytes: number; rssGrowthMb: number } | null;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

const round = (n: number) => Math.round(n * 10) / 10;

async function runDialect(dialect: 'sqlite' | 'postgres', pgUrl: string | undefined): Promise<DialectResult> {
  const invoices = Number(process.env.CONSOLE_SCALE_INVOICES ?? 1_000_000);
  const samples = Number(process.env.CONSOLE_SCALE_SAMPLES ?? 40);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-console-scale-'));
  let dropDb: (() => Promise<void>) | null = null;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DEMO_SEED: 'false',
    AUTH_RATE_LIMIT_MAX: '1000000',
  };
  if (dialect === 'postgres') {
    if (!pgUrl) throw new Error('postgres needs BENCH_DATABASE_URL or DATABASE_URL');
    const db = await createThrowawayDatabase(pgUrl);
    dropDb = db.drop;
    env.DATABASE_URL = db.url;
    console.log(`postgres: throw-away database ${db.name} on ${redactUrl(pgUrl)}`);
  }
  const config = loadConfig(env, process.cwd());
  const runtime = await createRuntime(config, { logger: pino({ level: 'warn' }) });
  const { deps } = runtime;
  try {
    const ctx = { db: deps.db.kysely, clock: deps.clock };
    const tenant = await createTenant(ctx, { name: 'console-scale' });
    const sellers = ['91310115MA1K4Q8R0N', '91110108MA01C2QX5X'];
    await createOrg(ctx, tenant.id, { taxId: sellers[0]!, name: '上海开源发票演示有限公司' });
    await createOrg(ctx, tenant.id, { taxId: sellers[1]!, name: '北京开源发票分公司' });
    await createUser(ctx, { tenantId: tenant.id, username: 'bench', password: 'bench-password-1', role: 'admin' });

    console.log(`${dialect}: seeding ${invoices} invoices…`);
    const started = performance.now();
    let lastLog = 0;
    await seedInvoices(
      { db: deps.db.kysely, clock: deps.clock },
      {
        tenantId: tenant.id,
        count: invoices,
        seed: 20_251_201,
        onProgress: (done, total) => {
          if (done - lastLog >= total / 10 || done === total) {
            lastLog = done;
            const s = (performance.now() - started) / 1000;
            console.log(`  ${done}/${total} (${Math.round(done / s)}/s)`);
          }
        },
      },
    );
    const seedSeconds = (performance.now() - started) / 1000;

    const app = await buildApp(runtime);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const base = `http://127.0.0.1:${port}`;
    try {
      const login = await fetch(`${base}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bench', password: 'bench-password-1' }),
      });
      if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
      const cookie = /^(ofp_session=[^;]*)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
      if (!cookie) throw new Error('login: no session cookie');

      const call = async (url: string) => {
        const t0 = performance.now();
        const res = await fetch(`${base}${url}`, { headers: { cookie } });
        const body = await res.text();
        const ms = performance.now() - t0;
        if (!res.ok) throw new Error(`${url}: ${res.status} ${body.slice(0, 300)}`);
        return { ms, body };
      };

      // Filter values from the middle of the data (a year-old month, a mid-pool invoice), not the newest rows.
      const db = deps.db.kysely;
      const mid = await db
        .selectFrom('invoices')
        .select(['serial_no', 'number', 'buyer_tax_id', 'buyer_name', 'issued_at'])
        .where('tenant_id', '=', tenant.id)
        .where('status', '=', 'issued')
        .where('buyer_tax_id', 'is not', null)
        .orderBy('id')
        .offset(Math.floor(invoices / 2))
        .limit(1)
        .executeTakeFirstOrThrow();
      const midDay = new Date(Number(mid.issued_at) + 8 * 3600_000);
      const month = (d: Date) => d.toISOString().slice(0, 7);
      const lastDay = new Date(Date.UTC(midDay.getUTCFullYear(), midDay.getUTCMonth() + 1, 0));
      const cases: Array<{ name: string; query: Record<string, string>; target: number; path?: string }> = [
        { name: 'no filter', query: {}, target: TARGET_PAGE_P95_MS },
        {
          name: 'date range (a month)',
          query: { issuedFrom: `${month(midDay)}-01`, issuedTo: lastDay.toISOString().slice(0, 10) },
          target: TARGET_PAGE_P95_MS,
        },
        { name: 'kind 81', query: { kind: '81' }, target: TARGET_PAGE_P95_MS },
        { name: 'status failed', query: { status: 'failed' }, target: TARGET_PAGE_P95_MS },
        { name: 'status cancelled', query: { status: 'cancelled' }, target: TARGET_PAGE_P95_MS },
        { name: 'buyer name contains', query: { buyerName: mid.buyer_name.slice(2, 6) }, target: TARGET_PAGE_P95_MS },
        { name: 'buyer tax id', query: { buyerTaxId: mid.buyer_tax_id! }, target: TARGET_PAGE_P95_MS },
        { name: 'amount range', query: { totalMin: '150000.00', totalMax: '160000.00' }, target: TARGET_PAGE_P95_MS },
        { name: 'serial no', query: { serialNo: mid.serial_no }, target: TARGET_PAGE_P95_MS },
        { name: 'invoice number', query: { number: mid.number! }, target: TARGET_PAGE_P95_MS },
        { name: 'business system', query: { businessSystemCode: 'MALL' }, target: TARGET_PAGE_P95_MS },
        { name: 'origin scan', query: { origin: 'scan_order' }, target: TARGET_PAGE_P95_MS },
        { name: 'red', query: { isRed: 'true' }, target: TARGET_PAGE_P95_MS },
        { name: 'seller', query: { sellerTaxId: sellers[1]! }, target: TARGET_PAGE_P95_MS },
        { name: 'dashboard', query: {}, target: TARGET_DASHBOARD_P95_MS, path: '/api/v1/dashboard' },
      ];
      const results: CaseResult[] = [];
      for (const c of cases) {
        const qs = new URLSearchParams(c.path ? c.query : { ...c.query, limit: '20' }).toString();
        const url = `${c.path ?? '/api/v1/invoices'}${qs ? `?${qs}` : ''}`;
        for (let i = 0; i < 3; i++) await call(url);
        const times: number[] = [];
        let rows = 0;
        for (let i = 0; i < samples; i++) {
          const { ms, body } = await call(url);
          times.push(ms);
          if (!c.path) rows = (JSON.parse(body) as { items: unknown[] }).items.length;
        }
        times.sort((a, b) => a - b);
        const r: CaseResult = {
          name: c.name,
          query: url,
          rows,
          p50Ms: round(percentile(times, 50)),
          p95Ms: round(percentile(times, 95)),
          maxMs: round(times[times.length - 1]!),
          targetMs: c.target,
          ok: percentile(times, 95) <= c.target,
        };
        results.push(r);
        console.log(
          `  ${dialect.padEnd(8)} ${r.name.padEnd(22)} rows ${String(r.rows).padStart(2)}  p50 ${String(r.p50Ms).padStart(6)} ms  p95 ${String(r.p95Ms).padStart(6)} ms  max ${String(r.maxMs).padStart(6)} ms  ${r.ok ? 'ok' : `OVER ${r.targetMs} ms`}`,
        );
      }

      // A streamed export of up to 100 000 rows (the newest ones): throughput and the server's RSS growth.
      let exportResult: DialectResult['export'] = null;
      if (invoices >= 100_000) {
        const to = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
        const fromMs = Date.now() - Math.ceil((100_000 / invoices) * 365 - 1) * 86_400_000;
        const from = new Date(fromMs + 8 * 3600_000).toISOString().slice(0, 10);
        const rssBefore = process.memoryUsage.rss();
        let rssPeak = rssBefore;
        const t0 = performance.now();
        const res = await fetch(`${base}/api/v1/invoices/export.csv?issuedFrom=${from}&issuedTo=${to}`, {
          headers: { cookie },
        });
        if (!res.ok || !res.body) throw new Error(`export: ${res.status} ${await res.text()}`);
        let bytes = 0;
        let newlines = 0;
        for await (const chunk of res.body) {
          bytes += chunk.byteLength;
          for (const b of chunk) if (b === 10) newlines++;
          rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
        }
        const seconds = (performance.now() - t0) / 1000;
        exportResult = {
          rows: newlines - 1,
          seconds: round(seconds),
          rowsPerSecond: Math.round((newlines - 1) / seconds),
          bytes,
          rssGrowthMb: round((rssPeak - rssBefore) / 1048576),
        };
        console.log(
          `  ${dialect.padEnd(8)} export.csv ${exportResult.rows} rows, ${(bytes / 1048576).toFixed(1)} MB in ${exportResult.seconds} s (${exportResult.rowsPerSecond}/s), RSS +${exportResult.rssGrowthMb} MB`,
        );
      }
      return {
        dialect,
        invoices,
        seedSeconds: round(seedSeconds),
        seedPerSecond: Math.round(invoices / seedSeconds),
        cases: results,
        export: exportResult,
      };
    } finally {
      await app.close();
    }
  } finally {
    await runtime.close();
    await dropDb?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs the benchmark on the given dialects and writes bench/results/console-scale.json; true when every case met its target on SQLite. */
export async function runConsoleScale(dialects: Array<'sqlite' | 'postgres'>, pgUrl: string | undefined) {
  const machine = machineFacts();
  console.log(
    `console-scale: ${process.env.CONSOLE_SCALE_INVOICES ?? 1_000_000} invoices on ${dialects.join(' + ')}\nmachine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}`,
  );
  const runs: DialectResult[] = [];
  for (const dialect of dialects) runs.push(await runDialect(dialect, pgUrl));
  const file = path.join('bench', 'results', 'console-scale.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    `${JSON.stringify({ name: 'console-scale', date: new Date().toISOString(), machine, runs }, null, 2)}\n`,
  );
  console.log(`→ ${file}`);
  const sqlite = runs.find((r) => r.dialect === 'sqlite');
  const ok = sqlite ? sqlite.cases.every((c) => c.ok) : true;
  if (!ok) console.error('!!! SQLite missed a target (see OVER above)');
  return ok;
}
