import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob, getJob } from '../../src/platform/jobs/index.js';
import { createTestDb, TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait.js';
import { recordExecutionTask, registryOf } from './jobs-test-kit.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const workerScript = path.join(here, 'fixtures/jobs-worker-process.ts');
const postgres = TEST_DIALECTS.find((d) => d.name === 'postgres')!;

interface Execution {
  job_id: string;
  worker_id: string;
  attempt: number;
  started_at: number;
  ended_at: number | null;
}

interface WorkerProcess {
  id: string;
  child: ChildProcess;
  lines: string[];
  exited: Promise<void>;
}

describe.skipIf(postgres.skip)('postgres: two worker processes', () => {
  let t: Awaited<ReturnType<typeof createTestDb>>;
  const workers: WorkerProcess[] = [];
  const registry = registryOf(recordExecutionTask(async () => {}));

  async function startWorker(id: string): Promise<WorkerProcess> {
    const url = t.dbConfig.driver === 'postgres' ? t.dbConfig.url : '';
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
      cwd: repoRoot,
      env: { ...process.env, TEST_WORKER_DB_URL: url, TEST_WORKER_ID: id, TEST_WORKER_LEASE_MS: '1500' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const worker: WorkerProcess = { id, child, lines: [], exited };
    createInterface({ input: child.stdout! }).on('line', (line) => worker.lines.push(line));
    workers.push(worker);
    await waitFor(`${id} ready`, () => worker.lines.includes('ready') || child.exitCode !== null, { attempts: 1_200 });
    expect(worker.lines).toContain('ready');
    return worker;
  }

  async function executions(jobId?: string): Promise<Execution[]> {
    const filter = jobId ? sql`where job_id = ${jobId}` : sql``;
    const result =
      await sql<Execution>`select job_id, worker_id, attempt, started_at, ended_at from executions ${filter}
      order by job_id, started_at`.execute(t.db.kysely);
    return result.rows.map((r) => ({
      ...r,
      started_at: Number(r.started_at),
      ended_at: r.ended_at === null ? null : Number(r.ended_at),
    }));
  }

  /** Fails when two executions of the same job overlap in time (a killed execution ends when its process died). */
  function expectNoOverlap(rows: Execution[], deathTimes: Record<string, number> = {}) {
    for (let i = 1; i < rows.length; i++) {
      const prev = rows[i - 1]!;
      const next = rows[i]!;
      if (prev.job_id !== next.job_id) continue;
      const prevEnd = prev.ended_at ?? deathTimes[prev.worker_id];
      expect(prevEnd, `execution of ${prev.job_id} on ${prev.worker_id} never ended`).toBeDefined();
      expect(next.started_at).toBeGreaterThanOrEqual(prevEnd!);
    }
  }

  const state = async (id: string) => (await getJob(t.db.kysely, { tenantId: null, id }))?.state;

  beforeAll(async () => {
    t = await createTestDb(postgres);
    await sql`create table executions (id text primary key, job_id text not null, worker_id text not null,
      attempt integer not null, started_at bigint not null, ended_at bigint)`.execute(t.db.kysely);
    await sql`create table side_effects (job_id text primary key)`.execute(t.db.kysely);
    await Promise.all([startWorker('worker-a'), startWorker('worker-b')]);
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await t?.cleanup();
  });

  it('runs 1,000 jobs exactly once between two processes', async () => {
    const ids = await t.db.kysely.transaction().execute(async (trx) => {
      const out: string[] = [];
      for (let i = 0; i < 1000; i++) {
        out.push((await enqueueJob(trx, registry, 'test/record-execution', { mode: 'ok' }, { now: Date.now() })).id);
      }
      return out;
    });
    await waitFor(
      '1,000 jobs succeeded',
      async () =>
        (await t.db.kysely.selectFrom('jobs').select('id').where('state', '=', 'succeeded').execute()).length === 1000,
      { attempts: 1_800 },
    );
    const rows = await executions();
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.job_id))).toEqual(new Set(ids));
    const sideEffects = await sql<{ n: number }>`select count(*)::int as n from side_effects`.execute(t.db.kysely);
    expect(sideEffects.rows[0]?.n).toBe(1000);
    expect(new Set(rows.map((r) => r.worker_id))).toEqual(new Set(['worker-a', 'worker-b']));
  }, 60_000);

  it('backs a failing job off and leaves it dead after its last attempt', async () => {
    const { id } = await enqueueJob(
      t.db.kysely,
      registry,
      'test/record-execution',
      { mode: 'fail' },
      { now: Date.now(), maxAttempts: 3 },
    );
    await waitFor('failing job dead', async () => (await state(id)) === 'dead', { attempts: 800 });
    const job = await getJob(t.db.kysely, { tenantId: null, id });
    expect(job).toMatchObject({ attempts: 3, locked_by: null });
    expect(job?.last_error).toContain('always fails');
    const rows = await executions(id);
    expect(rows.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expectNoOverlap(rows);
  });

  it('finishes the job of a worker killed mid-job on the other worker once the lease expires', async () => {
    const { id } = await enqueueJob(
      t.db.kysely,
      registry,
      'test/record-execution',
      { mode: 'block-first-attempt' },
      { now: Date.now() },
    );
    await waitFor('job blocked on a worker', () => workers.some((w) => w.lines.includes(`blocked ${id}`)), {
      attempts: 800,
    });
    const victim = workers.find((w) => w.lines.includes(`blocked ${id}`))!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    const diedBy = Date.now();
    await waitFor('job succeeded on the survivor', async () => (await state(id)) === 'succeeded', { attempts: 800 });
    const rows = await executions(id);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ worker_id: victim.id, attempt: 1, ended_at: null });
    expect(rows[1]).toMatchObject({ attempt: 2 });
    expect(rows[1]?.worker_id).not.toBe(victim.id);
    expectNoOverlap(rows, { [victim.id]: diedBy });
    const effects = await sql<{ n: number }>`select count(*)::int as n from side_effects where job_id = ${id}`.execute(
      t.db.kysely,
    );
    expect(effects.rows[0]?.n).toBe(1);
  });
});
