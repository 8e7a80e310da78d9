import fs from 'node:fs';
import path from 'node:path';
import type { CostPerInvoice } from './counters.js';
import type { MachineFacts } from './machine.js';
import type { Benchmark, Measurement, MeasureOptions, StallRun } from './measure.js';

export const RESULTS_DIR = path.resolve(import.meta.dirname, '../results');

export interface DialectRun {
  dialect: string;
  target: Measurement;
  baseline: Measurement;
  /** app req/s ÷ baseline req/s, measured in the same run on the same machine. */
  ratio: number | null;
  /**
   * For benchmarks whose requests leave background work (document rendering, deliveries): how long the app's job
   * queue took to empty after the load stopped, and the requests completed per second over load + drain — the rate
   * the whole pipeline sustains.
   */
  drain?: { seconds: number; sustainedPerSec: number };
  /** Jobs-draining benchmarks: costs of the measured window (load + drain) per invoice issued in it. */
  cost?: CostPerInvoice;
  problems: string[];
}

export interface BenchResult {
  name: string;
  description: string;
  date: string;
  machine: MachineFacts;
  options: MeasureOptions;
  runs: DialectRun[];
  ok: boolean;
  /** What the baseline row is, when it is not the bare Fastify server (a route of the app itself). */
  baselineNote?: string;
}

const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;
const red = (s: string) => (useColor ? `\x1b[1;31m${s}\x1b[0m` : s);
const bold = (s: string) => (useColor ? `\x1b[1m${s}\x1b[0m` : s);

const pct = (n: number | null) => (n === null ? 'n/a' : `${n.toFixed(n < 10 ? 1 : 0)}%`);

export function formatTable(result: BenchResult): string {
  const header = [
    'dialect',
    'server',
    'req/s',
    'p50 ms',
    'p99 ms',
    'requests',
    'non-2xx',
    'errors',
    'srv CPU',
    'gen CPU',
    'steal',
  ];
  const rows: string[][] = [];
  for (const run of result.runs) {
    for (const [side, m] of [
      ['baseline', run.baseline],
      ['app', run.target],
    ] as const) {
      rows.push([
        run.dialect,
        side,
        m.reqPerSec.toFixed(0),
        // autocannon's latency histogram has 1 ms resolution: "0" means under 1 ms.
        String(m.latencyP50Ms),
        String(m.latencyP99Ms),
        String(m.completed),
        m.non2xx > 0 ? red(String(m.non2xx)) : '0',
        m.errors + m.timeouts > 0 ? red(String(m.errors + m.timeouts)) : '0',
        pct(m.serverCpuPct),
        pct(m.loadgenCpuPct),
        pct(m.stealPct),
      ]);
    }
    if (run.drain) {
      rows.push([
        run.dialect,
        'sustained',
        run.drain.sustainedPerSec.toFixed(0),
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        `drain ${run.drain.seconds.toFixed(1)} s`,
      ]);
    }
    rows.push([
      run.dialect,
      'ratio',
      run.ratio === null ? 'n/a' : `${run.ratio.toFixed(3)}×`,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ]);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips our own ANSI colour codes to measure widths
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - visible(c));
        return i < 2 ? c + pad : pad + c;
      })
      .join('  ')
      .trimEnd();
  const out = [
    '',
    bold(`${result.name} — ${result.description}`),
    `${result.options.connections} connections, ${result.options.durationS} s after ${result.options.warmupS} s warm-up; ` +
      `baseline = ${result.baselineNote ?? 'bare Fastify, same schema, no auth/DB'}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  for (const run of result.runs) for (const p of run.problems) out.push(red(`!!! ${p}`));
  return out.join('\n');
}

export function writeResult(result: BenchResult): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips our own ANSI colour codes to measure widths
const visibleLength = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;

/** A stall benchmark's table: the quiet `/healthz` round trip, then per hostile case the worst and p99 stall. */
export function formatStallTable(bench: Benchmark, dialect: string, run: StallRun): string {
  const header = [
    'form',
    'field',
    'size',
    'sent',
    'statuses',
    'probes',
    'worst ms',
    'p99 ms',
    'worst/quiet p99',
    'srv lag max',
    'srv lag p99',
  ];
  const rows = run.cases.map((c) => [
    c.form,
    c.field,
    c.size,
    String(c.hostileRequests),
    Object.entries(c.statuses)
      .map(([code, n]) => `${code === '0' ? 'closed' : code}×${n}`)
      .join(' '),
    String(c.probes),
    c.ok ? String(c.worstMs) : red(String(c.worstMs)),
    String(c.p99Ms),
    c.worstRatio === null ? 'n/a' : `${c.worstRatio}×`,
    String(c.serverLagMaxMs),
    String(c.serverLagP99Ms),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(c)));
        return i < 3 ? c + pad : pad + c;
      })
      .join('  ')
      .trimEnd();
  return [
    '',
    bold(`${bench.name} — ${bench.description} (${dialect})`),
    `quiet /healthz (no hostile traffic): ${run.quiet.probes} probes, p50 ${run.quiet.p50Ms} ms, p99 ${run.quiet.p99Ms} ms, ` +
      `worst ${run.quiet.worstMs} ms; server event-loop lag max ${run.quiet.serverLagMaxMs} ms, p99 ${run.quiet.serverLagP99Ms} ms; ` +
      `target: no stall above ${run.targetStallMs} ms`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}

export function writeStallResult(result: {
  name: string;
  description: string;
  date: string;
  machine: MachineFacts;
  runs: Array<StallRun & { dialect: string }>;
}): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** One line of per-invoice costs, plus why any figure is unavailable. */
export function formatCost(dialect: string, bench: string, cost: CostPerInvoice, unit = 'invoice'): string {
  const f = (n: number | null, unit: string) => (n === null ? 'n/a' : `${n.toFixed(n < 10 ? 2 : 1)}${unit}`);
  const line =
    `  ${dialect.padEnd(8)} ${bench.padEnd(14)} per ${unit} (` +
    (cost.invoices === cost.answered
      ? `${cost.answered} answered`
      : `${cost.invoices} created in the window, ${cost.answered} answered inside it`) +
    '): ' +
    `server CPU ${f(cost.serverCpuMs, ' ms')}, ` +
    (dialect === 'postgres' ? `all postgres processes CPU ${f(cost.pgBackendsCpuMs, ' ms')}, ` : '') +
    `statements ${f(cost.statements, '')}, commits ${f(cost.commits, '')} (app-side count)` +
    (dialect === 'postgres'
      ? `; server side: transactions ${f(cost.pgTransactions, '')} (xact_commit), ` +
        `pg_stat_statements ${f(cost.pgStatements, '')}`
      : '');
  return [bold(line), ...cost.notes.map((n) => `    (${n})`)].join('\n');
}
