/**
 * `node --import tsx bench/prepared-statements.ts` (BENCH_DATABASE_URL): what named prepared statements save per
 * statement, interleaved A/B in one process so machine load hits both sides alike. Two connections through
 * createDb (DB_PREPARED_STATEMENTS on / off) on a throw-away database with 10 000 invoices-like rows; each round runs
 * N primary-key selects and N sandbox-like upserts on each, alternating; reports per statement the wall time and the
 * backend's CPU (user + sys of that connection's postgres process, /proc/<pid>/stat, in clock ticks).
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import { createDb, type Db } from '../src/platform/db/create-db.js';
import { createThrowawayDatabase } from './lib/postgres.js';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const N = Number(process.env.N ?? 2000);
const TICK_US = 1e6 / 100;

function backendCpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

async function measure(db: Db, kind: 'select' | 'upsert'): Promise<{ wallUs: number; cpuUs: number }> {
  return db.kysely.connection().execute(async (conn) => {
    const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]?.pid as number;
    const cpu0 = backendCpuTicks(pid);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      if (kind === 'select') {
        await sql`select id, tenant_id, serial_no, status, amount_fen, updated_at from bench_rows
          where tenant_id = ${'t1'} and id = ${`r${(i * 7919) % 10_000}`}`.execute(conn);
      } else {
        await sql`insert into bench_counters as c (scope, value) values (${`s${i % 50}`}, 1)
          on conflict (scope) do update set value = c.value + 1 returning value`.execute(conn);
      }
    }
    const wallUs = ((performance.now() - t0) * 1000) / N;
    const cpuUs = ((backendCpuTicks(pid) - cpu0) * TICK_US) / N;
    return { wallUs, cpuUs };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const adminUrl = process.env.BENCH_DATABASE_URL;
if (!adminUrl) throw new Error('BENCH_DATABASE_URL is not set');
const target = await createThrowawayDatabase(adminUrl);
const on = createDb({ driver: 'postgres', url: target.url, poolSize: 1, preparedStatements: true });
const off = createDb({ driver: 'postgres', url: target.url, poolSize: 1, preparedStatements: false });
try {
  await sql`create table bench_rows (id text primary key, tenant_id text not null, serial_no text not null,
    status text not null, amount_fen bigint not null, updated_at bigint not null)`.execute(on.kysely);
  await sql`insert into bench_rows select 'r' || g, 't1', 'SN' || g, 'issued', g * 100, g from generate_series(0, 9999) g`.execute(
    on.kysely,
  );
  await sql`create table bench_counters (scope text primary key, value bigint not null)`.execute(on.kysely);
  await sql`analyze`.execute(on.kysely);
  const results: Record<string, { wall: number[]; cpu: number[] }> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of ['select', 'upsert'] as const) {
      for (const [label, db] of round % 2 === 0
        ? ([
            ['on', on],
            ['off', off],
          ] as const)
        : ([
            ['off', off],
            ['on', on],
          ] as const)) {
        const r = await measure(db, kind);
        const key = `${kind} ${label}`;
        results[key] ??= { wall: [], cpu: [] };
        results[key].wall.push(r.wallUs);
        results[key].cpu.push(r.cpuUs);
      }
    }
  }
  for (const [key, r] of Object.entries(results)) {
    console.log(
      `${key.padEnd(10)} wall µs/stmt median ${median(r.wall).toFixed(0)} (${Math.min(...r.wall).toFixed(0)}–${Math.max(...r.wall).toFixed(0)})` +
        `  backend CPU µs/stmt median ${median(r.cpu).toFixed(0)} (${Math.min(...r.cpu).toFixed(0)}–${Math.max(...r.cpu).toFixed(0)})`,
    );
  }
  console.log(
    `rounds ${ROUNDS}, ${N} statements per measurement, load average ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`,
  );
} finally {
  await on.destroy();
  await off.destroy();
  await target.drop();
}
