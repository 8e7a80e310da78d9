/**
 * `npm run bench [-- <benchmark…>] [--dialect sqlite|postgres|both] [--duration s] [--connections n]`
 *
 * Starts the real app (bench/servers/app-server.ts) and a bare Fastify baseline (bench/servers/baseline-server.ts)
 * as child processes on 127.0.0.1, drives both with autocannon from this process, prints a table per benchmark and
 * writes bench/results/<name>.json. Children are killed and temp data removed at the end, on error and on Ctrl-C.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCHMARKS } from './benchmarks/index.js';
import { CostCounters, type CostPerInvoice, type CostSnapshot, costPerInvoice } from './lib/counters.js';
import { machineFacts, readCpuTimes, stealPercent } from './lib/machine.js';
import {
  type Benchmark,
  type Measurement,
  type MeasureOptions,
  measure,
  problemsOf,
  ratio,
  type StallRun,
  waitForEmptyQueue,
} from './lib/measure.js';
import { createThrowawayDatabase, redactUrl } from './lib/postgres.js';
import { freePort, killAllNow, type ServerProcess, startServer } from './lib/processes.js';
import {
  type BenchResult,
  type DialectRun,
  formatCost,
  formatStallTable,
  formatTable,
  writeResult,
  writeStallResult,
} from './lib/report.js';

type Dialect = 'sqlite' | 'postgres';
interface AppInfo {
  port: number;
  dialect: string;
  appId: string;
  appSecret: string;
  sellerTaxId: string;
}

const USAGE = `usage: npm run bench -- [benchmark…] [--dialect sqlite|postgres|both] [--duration <s>] [--connections <n>]
benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')} (default: all), and console-scale (run on its own:
  seeds CONSOLE_SCALE_INVOICES invoices, default 1000000; see bench/console-scale.ts)
postgres needs BENCH_DATABASE_URL (or DATABASE_URL); a throw-away database is created and dropped.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseCli(argv: string[]) {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  const options = {
    dialect: { type: 'string', default: 'sqlite' },
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    help: { type: 'boolean', short: 'h', default: false },
  } as const;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const measureOptions: MeasureOptions = {
    durationS: int('duration', values.duration, 1, 600),
    warmupS: int('warmup', values.warmup, 0, 60),
    connections: int('connections', values.connections, 1, 1000),
  };
  const pgUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined;
  let dialects: Dialect[];
  switch (values.dialect) {
    case 'sqlite':
      dialects = ['sqlite'];
      break;
    case 'postgres':
      if (!pgUrl) fail('--dialect postgres needs BENCH_DATABASE_URL or DATABASE_URL');
      dialects = ['postgres'];
      break;
    case 'both':
      dialects = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];
      if (!pgUrl) console.warn('BENCH_DATABASE_URL/DATABASE_URL not set: skipping postgres');
      break;
    default:
      fail(`--dialect must be sqlite, postgres or both (got ${values.dialect})`);
  }
  const unknown = positionals.filter((n) => n !== 'console-scale' && !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) fail(`unknown benchmark(s): ${unknown.join(', ')}`);
  const benchmarks =
    positionals.length === 0 ? [...BENCHMARKS] : BENCHMARKS.filter((b) => positionals.includes(b.name));
  return { measureOptions, dialects, benchmarks, pgUrl, consoleScale: positionals.includes('console-scale') };
}

// ---- cleanup: children, throw-away databases, temp dirs — on success, error and signals ----
const cleanups: Array<() => Promise<void> | void> = [];
const tempDirs: string[] = [];
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop();
      try {
        await fn?.();
      } catch (err) {
        console.error(`cleanup: ${(err as Error).message}`);
      }
    }
  })();
  return cleaning;
}

process.on('exit', () => {
  killAllNow();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers and cleaning up…`);
    const force = setTimeout(() => process.exit(130), 15_000);
    force.unref();
    void cleanup().finally(() => process.exit(130));
  });
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-bench-'));
  tempDirs.push(dir);
  return dir;
}

function track<T>(server: ServerProcess<T>): ServerProcess<T> {
  cleanups.push(() => server.stop());
  return server;
}

function progress(dialect: string, bench: string, side: string, m: Measurement): void {
  const flag = m.unexpectedStatus + m.errors + m.timeouts > 0 ? '  !!! see problems below' : '';
  console.log(
    `  ${dialect.padEnd(8)} ${bench.padEnd(14)} ${side.padEnd(8)} ${m.reqPerSec.toFixed(0).padStart(7)} req/s  ` +
      `p50 ${m.latencyP50Ms} ms  p99 ${m.latencyP99Ms} ms${flag}`,
  );
}

async function runDialect(
  dialect: Dialect,
  benchmarks: Benchmark[],
  options: MeasureOptions,
  pgUrl: string | undefined,
  runs: Map<string, DialectRun[]>,
  stallRuns: Map<string, Array<StallRun & { dialect: string }>>,
): Promise<void> {
  const env: Record<string, string> = {
    DATA_DIR: tempDir(),
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT_MAX: '1000000',
    DEMO_SEED: 'false',
    // webhooks-fanout delivers to a receiver in this process on 127.0.0.1 (the SSRF guard refuses loopback otherwise).
    OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
  };
  // Passed through for A/B runs of the prepared-statement layer (docs/benchmarks.md).
  if (process.env.DB_PREPARED_STATEMENTS) env.DB_PREPARED_STATEMENTS = process.env.DB_PREPARED_STATEMENTS;
  // And of the worker's settings (A/B runs of the job concurrency and idle poll).
  for (const name of ['JOB_CONCURRENCY', 'JOB_POLL_INTERVAL_MS'] as const) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  // Per-statement counts of the window (bench/statement-breakdown.ts), one directory per dialect.
  if (process.env.BENCH_STATEMENT_BREAKDOWN)
    env.BENCH_STATEMENT_BREAKDOWN = `${process.env.BENCH_STATEMENT_BREAKDOWN}/${dialect}`;
  let pgDb: { adminUrl: string; benchUrl: string; name: string } | null = null;
  if (dialect === 'postgres') {
    if (!pgUrl) throw new Error('postgres needs BENCH_DATABASE_URL or DATABASE_URL');
    const db = await createThrowawayDatabase(pgUrl);
    cleanups.push(() => db.drop());
    console.log(`postgres: created throw-away database ${db.name} on ${redactUrl(pgUrl)}`);
    env.DATABASE_URL = db.url;
    pgDb = { adminUrl: pgUrl, benchUrl: db.url, name: db.name };
  }
  const [appPort, basePort] = [await freePort(), await freePort()];
  const [app, baseline] = await Promise.all([
    startServer<AppInfo>('app-server', 'bench/servers/app-server.ts', { ...env, PORT: String(appPort) }).then(track),
    startServer<{ port: number }>('baseline-server', 'bench/servers/baseline-server.ts', {
      PORT: String(basePort),
    }).then(track),
  ]);
  if (app.info.dialect !== dialect) throw new Error(`app-server runs ${app.info.dialect}, expected ${dialect}`);
  const counters = await CostCounters.open(app, pgDb);
  cleanups.push(() => counters.close());
  // A production PostgreSQL runs autovacuum; this one may not (autovacuum = off here): analyse after schema + seed.
  await counters.analyze();

  for (const bench of benchmarks) {
    const servers = {
      app: {
        baseUrl: app.baseUrl,
        dialect,
        appId: app.info.appId,
        appSecret: app.info.appSecret,
        sellerTaxId: app.info.sellerTaxId,
      },
      baseline: { baseUrl: baseline.baseUrl },
    };
    if (bench.run) {
      const stall = await bench.run(servers);
      if (app.exited()) throw new Error(`${app.name} died:\n${app.output()}`);
      const list = stallRuns.get(bench.name) ?? [];
      list.push({ dialect, ...stall });
      stallRuns.set(bench.name, list);
      console.log(formatStallTable(bench, dialect, stall));
      continue;
    }
    if (!bench.setup) throw new Error(`${bench.name}: a benchmark needs setup or run`);
    const { target, baseline: base } = await bench.setup(servers);
    const b = bench.baselineOnApp
      ? await measure(app.baseUrl, base, options, app.child.pid)
      : await measure(baseline.baseUrl, base, options, baseline.child.pid);
    // A baseline on the app leaves its own work (e.g. parse-pool warm-up): let it settle before the target.
    if (bench.baselineOnApp && bench.drainsJobs) await waitForEmptyQueue(app.baseUrl);
    progress(dialect, bench.name, 'baseline', b);
    const window: { before?: CostSnapshot } = {};
    // Jobs-draining benchmarks: finish the warm-up's backlog, vacuum/analyse the hot tables as autovacuum would, and
    // snapshot the counters, so the window's costs are exactly those of the invoices it issued.
    const costPer = bench.costPer ?? (bench.drainsJobs ? { status: 200, unit: 'invoice' } : undefined);
    const beforeMeasured = bench.drainsJobs
      ? async () => {
          await waitForEmptyQueue(app.baseUrl);
          await counters.vacuumHotTables();
          window.before = await counters.snapshot();
        }
      : costPer
        ? async () => {
            window.before = await counters.snapshot();
          }
        : undefined;
    const t = await measure(app.baseUrl, target, options, app.child.pid, beforeMeasured);
    progress(dialect, bench.name, 'app', t);
    let drain: DialectRun['drain'];
    let cost: CostPerInvoice | undefined;
    if (bench.drainsJobs) {
      const seconds = await waitForEmptyQueue(app.baseUrl);
      drain = { seconds, sustainedPerSec: t.completed / (options.durationS + seconds) };
      console.log(
        `  ${dialect.padEnd(8)} ${bench.name.padEnd(14)} drained in ${seconds.toFixed(1)} s: ${drain.sustainedPerSec.toFixed(0)}/s sustained with background jobs`,
      );
    }
    if (costPer && window.before) {
      const answered = t.statusCounts[String(costPer.status)] ?? 0;
      cost = costPerInvoice(window.before, await counters.snapshot(), answered, costPer.unit, counters.notes);
      console.log(formatCost(dialect, bench.name, cost, costPer.unit));
    }
    for (const s of [app, baseline]) if (s.exited()) throw new Error(`${s.name} died:\n${s.output()}`);
    const problems = [...problemsOf(`${dialect} baseline`, b), ...problemsOf(`${dialect} app`, t)];
    if (problems.length > 0 && app.output().trim())
      problems.push(`app-server output (tail):\n${app.output().slice(-2000)}`);
    const list = runs.get(bench.name) ?? [];
    list.push({
      dialect,
      target: t,
      baseline: b,
      ratio: ratio(t, b),
      ...(drain ? { drain } : {}),
      ...(cost ? { cost } : {}),
      problems,
    });
    runs.set(bench.name, list);
  }
  // Stop this dialect's servers (and drop its database) before the next dialect starts.
  await cleanup();
  cleaning = null;
}

async function main(): Promise<number> {
  const { measureOptions, dialects, benchmarks, pgUrl, consoleScale } = parseCli(process.argv.slice(2));
  if (consoleScale) {
    // Its own runner: it seeds a large pool in-process and measures sequential requests, not throughput.
    if (benchmarks.length !== BENCHMARKS.length && benchmarks.length > 0) fail('console-scale runs on its own');
    const { runConsoleScale } = await import('./console-scale.js');
    return (await runConsoleScale(dialects, pgUrl)) ? 0 : 1;
  }
  const perMeasurement = measureOptions.durationS + measureOptions.warmupS;
  const estimateS = dialects.length * benchmarks.length * 2 * perMeasurement;
  // Hard bound on the whole run: the estimate plus generous slack for server start-up and cleanup.
  const deadline = setTimeout(
    () => {
      console.error(`bench: exceeded ${estimateS + 180} s; aborting`);
      void cleanup().finally(() => process.exit(1));
    },
    (estimateS + 180) * 1000,
  );
  deadline.unref();

  const machine = machineFacts();
  console.log(
    `bench: ${benchmarks.map((b) => b.name).join(', ')} on ${dialects.join(' + ')}; ` +
      `${measureOptions.connections} connections, ${measureOptions.warmupS} s warm-up + ${measureOptions.durationS} s each ` +
      `(~${estimateS} s)\nmachine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}`,
  );
  const cpuStart = readCpuTimes();
  const runs = new Map<string, DialectRun[]>();
  const stallRuns = new Map<string, Array<StallRun & { dialect: string }>>();
  const date = new Date().toISOString();
  try {
    for (const dialect of dialects) await runDialect(dialect, benchmarks, measureOptions, pgUrl, runs, stallRuns);
  } finally {
    await cleanup();
  }
  const runStealPct = stealPercent(cpuStart, readCpuTimes());

  let ok = true;
  for (const bench of benchmarks) {
    if (bench.run) {
      const stall = stallRuns.get(bench.name) ?? [];
      const stallOk = stall.length > 0 && stall.every((r) => r.problems.length === 0);
      ok &&= stallOk;
      const file = writeStallResult({ name: bench.name, description: bench.description, date, machine, runs: stall });
      for (const r of stall) for (const p of r.problems) console.error(`!!! ${r.dialect}: ${p}`);
      console.log(`→ ${path.relative(process.cwd(), file)}`);
      continue;
    }
    const benchRuns = runs.get(bench.name) ?? [];
    const result: BenchResult & { runStealPct: number | null } = {
      name: bench.name,
      description: bench.description,
      date,
      machine,
      options: measureOptions,
      runs: benchRuns,
      ok: benchRuns.every((r) => r.problems.length === 0),
      ...(bench.baselineNote ? { baselineNote: bench.baselineNote } : {}),
      runStealPct,
    };
    ok &&= result.ok;
    console.log(formatTable(result));
    console.log(`→ ${path.relative(process.cwd(), writeResult(result))}`);
  }
  console.log(
    `\nmachine: ${machine.cpuModel}, ${machine.cores} cores (shared by servers and load generator), ` +
      `node ${machine.node}; CPU steal over the run: ${runStealPct === null ? 'n/a' : `${runStealPct}%`}`,
  );
  if (!ok)
    console.error('\n!!! some measurements had non-2xx answers or errors: the numbers above are not trustworthy');
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await cleanup();
    process.exit(1);
  },
);
