import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp, buildOpsApp, createRuntime } from './app.js';
import { demoCredentialsPath, formatWelcome, readDemoCredentials, seedDemoTenant } from './demo-seed.js';
import { scheduleImportsJanitor } from './modules/assistant/index.js';
import { scheduleAuditSealer } from './modules/audit/index.js';
import {
  type MailReceiver,
  scheduleNightlyReverification,
  scheduleOrphanBlobSweep,
  startMailReceiver,
} from './modules/collection/index.js';
import type { Config, Role } from './platform/config/load-config.js';
import { prepareDataDir } from './platform/data-dir.js';
import { recordNodeInfo } from './platform/http/metrics.js';
import { createWorker, type Worker } from './platform/jobs/index.js';
import { jobsQueuedWake } from './platform/jobs-runtime.js';

/**
 * Runs the server: HTTP and/or the job worker depending on the role (a `worker` serves only /healthz, /readyz and
 * /metrics, on WORKER_HTTP_HOST:WORKER_HTTP_PORT), until SIGTERM/SIGINT, then drains: /readyz answers 503 at once,
 * on SIGTERM a web or `all` node's listener keeps serving for SHUTDOWN_DRAIN_DELAY_MS (so a load balancer takes the
 * node out first), then closes (a worker's closes after its jobs);
 * in-flight requests and jobs finish within SHUTDOWN_TIMEOUT_MS, and the rest are released. Runs with umask 077:
 * DATA_DIR and everything in it are the server user's alone (see docs/security.md).
 */
export async function serve(config: Config, role: Role = config.role): Promise<void> {
  const runtime = await createRuntime(config);
  const { deps } = runtime;
  // Before anything is served (the CLI already set umask 077, so what createRuntime just created is private): a
  // DATA_DIR other local users can read is made private, with one warning.
  prepareDataDir(config.dataDir, deps.logger);
  if (role === 'web' && config.db.driver === 'sqlite') {
    deps.logger.warn(
      'ROLE=web on SQLite: this process runs no jobs, and no other process can share its database, so invoices stay ' +
        'pending (nothing issues, renders or delivers). Use ROLE=all on SQLite; web-only nodes need DATABASE_URL ' +
        '(PostgreSQL) and a worker or all node elsewhere (docs/deploy.md).',
    );
  }
  if (role !== 'all' && config.db.driver === 'postgres' && config.documents.blobStore === 'fs') {
    deps.logger.warn(
      { dataDir: config.dataDir },
      'BLOB_STORE=fs with separate web and worker nodes: files a worker renders into its DATA_DIR/blobs are not ' +
        'found by the other nodes unless every node mounts the same DATA_DIR; use BLOB_STORE=db (docs/deploy.md#blob-storage)',
    );
  }
  let draining = false;
  let app: FastifyInstance | null = null;
  let worker: Worker | null = null;
  let mailReceiver: MailReceiver | null = null;
  let stopping: Promise<void> | null = null;

  const shutdown = (signal: string) => {
    if (stopping) {
      deps.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    draining = true;
    deps.logger.info({ signal }, 'shutting down: draining requests and jobs');
    const force = setTimeout(
      () => {
        deps.logger.error('shutdown timed out; exiting');
        process.exit(1);
      },
      config.jobs.drainDelayMs + config.jobs.shutdownTimeoutMs + 5000,
    );
    force.unref();
    stopping = (async () => {
      if (role === 'worker') {
        // No balancer sends a worker traffic: stop claiming now; its probes answer until its jobs are done.
        await worker?.stop();
        await app?.close();
      } else {
        // /readyz already answers 503; keep serving until the load balancer has seen it, then stop accepting.
        // SIGINT is a person at a terminal (Ctrl-C), not an orchestrator: no balancer to wait for.
        if (app && signal === 'SIGTERM' && config.jobs.drainDelayMs > 0) {
          deps.logger.info({ drainDelayMs: config.jobs.drainDelayMs }, 'draining: /readyz answers 503; listener open');
          await sleep(config.jobs.drainDelayMs);
        }
        await mailReceiver?.close();
        await app?.close();
        await worker?.stop();
      }
      await runtime.close();
      deps.logger.info('stopped');
    })();
    stopping.then(
      () => process.exit(0),
      (err: unknown) => {
        deps.logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  if (role !== 'web') {
    const w = createWorker({
      db: deps.db,
      registry: deps.jobs.registry,
      config: config.jobs,
      logger: deps.logger,
      clock: deps.clock,
      // Claims are woken by NOTIFY from whichever node queued the job; the idle poll is only a safety net.
      wake: jobsQueuedWake(deps.signals),
      onJobFinished: ({ task, state, durationMs }) => {
        runtime.metrics.jobRunSeconds.observe({ task, outcome: state }, durationMs / 1000);
        runtime.metrics.jobsFinished.inc({ task, outcome: state });
      },
    });
    worker = w;
    deps.jobs.attachWorker(w);
    w.start();
    // Entries left unchained by a crash or a dead sealer job are chained within a window of the start.
    await scheduleAuditSealer({ ...deps, db: deps.db.kysely });
    // The nightly re-verification of received invoices (查验) is scheduled for the coming night; each run the next.
    await scheduleNightlyReverification(deps);
    // The janitor of expired assistant imports runs hourly; each run schedules the next.
    await scheduleImportsJanitor({ ...deps, db: deps.db.kysely });
    // The sweep of received files' blobs that intake stored and never recorded runs hourly; each run the next.
    await scheduleOrphanBlobSweep(deps);
    deps.logger.info({ role, workerId: w.id, concurrency: config.jobs.concurrency }, 'worker started');
  }

  try {
    if (role !== 'worker') {
      const created = config.demoSeed ? await seedDemoTenant(deps) : null;
      app = await buildApp(runtime, { isDraining: () => draining });
      await app.listen({ host: config.http.host, port: config.http.port });
      // The SMTP receiver of invoice collection (COLLECT_SMTP_PORT): web and `all` nodes, like HTTP.
      if (config.collectMail.smtpPort !== null) mailReceiver = await startMailReceiver(deps);
      const creds = created ?? (config.demoSeed ? readDemoCredentials(config.dataDir) : null);
      process.stdout.write(
        formatWelcome(
          config.http.publicUrl,
          creds,
          demoCredentialsPath(config.dataDir),
          created !== null,
          config.ops.apiDocs,
        ),
      );
    } else {
      app = await buildOpsApp(runtime, { isDraining: () => draining });
      const address = await app.listen({ host: config.ops.workerHost, port: config.ops.workerPort });
      process.stdout.write(
        `OpenFapiao worker ${worker?.id} is running (concurrency ${config.jobs.concurrency}); ` +
          `/healthz, /readyz and /metrics on ${address}\n`,
      );
    }
  } catch (err) {
    // E.g. the port is taken: without this the started worker and the pool would keep the failed process alive.
    deps.logger.error({ err }, 'could not start serving; stopping');
    await mailReceiver?.close().catch(() => {});
    await app?.close().catch(() => {});
    await worker?.stop();
    await runtime.close();
    throw err;
  }
  recordNodeInfo(runtime.metrics, role, worker?.id ?? null);
}
