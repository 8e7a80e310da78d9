/**
 * Per-invoice cost counters for benchmarks that drain their jobs (`invoices-issue`), both dialects: server CPU, and the
 * statements and commits the app sent (counted in the app-server process by bench/servers/statement-counter.ts). On
 * PostgreSQL also the server's own view: transactions (pg_stat_database.xact_commit of the bench database — every
 * autocommit statement, read or write, is one), statements from pg_stat_statements when the server preloads it, and
 * the CPU of every `postgres` process on this machine. Snapshots are taken right before the measured window and after
 * the job queue drained; the deltas are divided by the units (invoices, orders, files) created in the window, counted in
 * the app's database by the app-server (the requests answered inside the window leave out those still in flight at
 * its end, whose statements the window holds).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import { processCpuSeconds } from './machine.js';

export interface CostSnapshot {
  serverCpuS: number | null;
  pgBackendsCpuS: number | null;
  /** Counted by the app-server process (client side). */
  statements: number | null;
  commits: number | null;
  /** PostgreSQL server side. */
  pgTransactions: number | null;
  pgStatements: number | null;
  /** Rows the app has created so far, by unit (`invoice`, `order`, `file`); null when the app-server did not say. */
  units: Record<string, number> | null;
}

export interface CostPerInvoice {
  /** The divisor: units created in the window (or, when they are not counted, requests answered). */
  invoices: number;
  /** Requests answered with the unit's status inside the window. */
  answered: number;
  serverCpuMs: number | null;
  /** Sum over every process named `postgres` on this machine (backends, WAL writer, checkpointer…). */
  pgBackendsCpuMs: number | null;
  /** Statements and commits the app sent (client-side counter; a commit = COMMIT or a write outside a transaction). */
  statements: number | null;
  commits: number | null;
  /** PostgreSQL: pg_stat_database.xact_commit delta (includes read-only autocommit statements). */
  pgTransactions: number | null;
  /** PostgreSQL: pg_stat_statements calls, when the server preloads the extension. */
  pgStatements: number | null;
  /** Why a figure is null, printed with the table. */
  notes: string[];
}

interface AppCounts {
  statements: number;
  commits: number;
  units: Record<string, number> | null;
}

interface AppProcess {
  child: ChildProcess;
  output(): string;
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds of every process whose comm is `postgres`; null when /proc is unreadable or none exists. */
function postgresProcessesCpuS(): number | null {
  let total = 0;
  let found = false;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      if (comm !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime
      found = true;
    } catch {
      // the process exited meanwhile
    }
  }
  return found ? total : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the counters; for PostgreSQL through `adminUrl` (another database, so these queries do not count). */
export class CostCounters {
  private client: pg.Client | null = null;
  private statementsSource: 'pg_stat_statements' | null = null;
  readonly notes: string[] = [];

  private seq = 0;

  private constructor(
    private readonly app: AppProcess,
    private readonly pgDb: { adminUrl: string; benchUrl: string; name: string } | null,
  ) {}

  static async open(
    app: AppProcess,
    pgDb: { adminUrl: string; benchUrl: string; name: string } | null,
  ): Promise<CostCounters> {
    const counters = new CostCounters(app, pgDb);
    if (!pgDb) return counters;
    const client = new pg.Client({ connectionString: pgDb.adminUrl, application_name: 'openfapiao-bench-counters' });
    await client.connect();
    counters.client = client;
    const preload = (await client.query<{ v: string }>('SELECT current_setting($1) AS v', ['shared_preload_libraries']))
      .rows[0]?.v;
    if (preload?.split(',').some((lib) => lib.trim() === 'pg_stat_statements')) {
      try {
        await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
        await client.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
        counters.statementsSource = 'pg_stat_statements';
      } catch (err) {
        counters.notes.push(
          `postgres: pg_stat_statements unusable (${(err as Error).message}); statements unavailable`,
        );
      }
    } else {
      counters.notes.push(
        'postgres: server-side statement count unavailable — pg_stat_statements is not in shared_preload_libraries ' +
          '(the bench does not change server config); statements/commits are the app-side counts',
      );
    }
    return counters;
  }

  /** ANALYZE the whole bench database, as autovacuum would have after the schema and seed were written. */
  async analyze(): Promise<void> {
    await this.onBenchDb('ANALYZE');
  }

  /** VACUUM (ANALYZE) of the hot tables, as autovacuum would between bursts (the server here runs autovacuum = off). */
  async vacuumHotTables(): Promise<void> {
    await this.onBenchDb('VACUUM (ANALYZE) jobs, invoices');
  }

  private async onBenchDb(sql: string): Promise<void> {
    if (!this.pgDb) return;
    const c = new pg.Client({ connectionString: this.pgDb.benchUrl, application_name: 'openfapiao-bench-maintenance' });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  }

  /** Asks the app-server for its statement/commit counts (stdin request, stdout answer). */
  private async appCounts(): Promise<AppCounts | null> {
    const seq = ++this.seq;
    const marker = `BENCH_COUNTERS ${seq} `;
    this.app.child.stdin?.write(`counters ${seq}\n`);
    const started = performance.now();
    while (performance.now() - started < 5000) {
      const out = this.app.output();
      const at = out.lastIndexOf(marker);
      if (at >= 0) {
        const line = out.slice(at + marker.length).split('\n')[0] ?? '';
        if (out.includes('\n', at)) return JSON.parse(line) as AppCounts;
      }
      await sleep(20);
    }
    this.notes.push('the app-server did not report its statement counts');
    return null;
  }

  async snapshot(): Promise<CostSnapshot> {
    let pgTransactions: number | null = null;
    let pgStatements: number | null = null;
    if (this.client && this.pgDb) {
      // Backends flush their statistics at most once a second when idle: let the last transactions land.
      await sleep(1500);
      await this.client.query('SELECT pg_stat_clear_snapshot()');
      const row = (
        await this.client.query<{ commits: string }>(
          'SELECT xact_commit::text AS commits FROM pg_stat_database WHERE datname = $1',
          [this.pgDb.name],
        )
      ).rows[0];
      pgTransactions = row ? Number(row.commits) : null;
      if (this.statementsSource) {
        const s = (
          await this.client.query<{ calls: string | null }>(
            `SELECT sum(calls)::text AS calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
             WHERE d.datname = $1`,
            [this.pgDb.name],
          )
        ).rows[0];
        pgStatements = Number(s?.calls ?? 0);
      }
    }
    const app = await this.appCounts();
    return {
      serverCpuS: processCpuSeconds(this.app.child.pid),
      pgBackendsCpuS: this.pgDb ? postgresProcessesCpuS() : null,
      statements: app?.statements ?? null,
      commits: app?.commits ?? null,
      pgTransactions,
      pgStatements,
      units: app?.units ?? null,
    };
  }

  async close(): Promise<void> {
    await this.client?.end();
    this.client = null;
  }
}

/**
 * The window's costs per unit: divided by the `unit` rows created between the snapshots when the app-server counted
 * them, else by the requests `answered`.
 */
export function costPerInvoice(
  before: CostSnapshot,
  after: CostSnapshot,
  answered: number,
  unit: string,
  notes: string[],
): CostPerInvoice {
  const from = before.units?.[unit];
  const to = after.units?.[unit];
  const invoices = from === undefined || to === undefined ? answered : to - from;
  const per = (a: number | null, b: number | null, scale: number) =>
    a === null || b === null || invoices === 0 ? null : Math.round(((b - a) * scale * 100) / invoices) / 100;
  return {
    invoices,
    answered,
    serverCpuMs: per(before.serverCpuS, after.serverCpuS, 1000),
    pgBackendsCpuMs: per(before.pgBackendsCpuS, after.pgBackendsCpuS, 1000),
    statements: per(before.statements, after.statements, 1),
    commits: per(before.commits, after.commits, 1),
    pgTransactions: per(before.pgTransactions, after.pgTransactions, 1),
    pgStatements: per(before.pgStatements, after.pgStatements, 1),
    notes,
  };
}
