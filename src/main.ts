import type { FastifyInstance } from 'fastify';
import { buildApp, createRuntime } from './app.js';
import { demoCredentialsPath, formatWelcome, readDemoCredentials, seedDemoTenant } from './demo-seed.js';
import { scheduleAuditSealer } from './modules/audit/index.js';
import type { Config, Role } from './platform/config/load-config.js';
import { prepareDataDir } from './platform/data-dir.js';
import { createWorker, type Worker } from './platform/jobs/index.js';

/**
 * Runs the server: HTTP and/or the job worker depending on the role, until SIGTERM/SIGINT, then drains
 * (stop accepting, finish in-flight requests and jobs within SHUTDOWN_TIMEOUT_MS) and exits. Runs with umask 077:
 * DATA_DIR and everything in it are the server user's alone (see docs/security.md).
 */
export async function serve(config: Config, role: Role = config.role): Promise<void> {
  const runtime = await createRuntime(config);
  const { deps } = runtime;
  // Before anything is served (the CLI already set umask 077, so what createRuntime just created is private): a
  // DATA_DIR other local users can read is made private, with one warning.
  prepareDataDir(config.dataDir, deps.logger);
  let draining = false;
  let app: FastifyInstance | null = null;
  let worker: Worker | null = null;
  let stopping: Promise<void> | null = null;

  const shutdown = (signal: string) => {
    if (stopping) {
      deps.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    draining = true;
    deps.logger.info({ signal }, 'shutting down: draining requests and jobs');
    const force = setTimeout(() => {
      deps.logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.jobs.shutdownTimeoutMs + 5000);
    force.unref();
    stopping = (async () => {
      await app?.close();
      await worker?.stop();
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
      onJobFinished: ({ task, state, durationMs }) => {
        runtime.metrics.jobRunSeconds.observe({ task, outcome: state }, durationMs / 1000);
        runtime.metrics.jobsFinished.inc({ task, outcome: state });
      },
    });
    worker = w;
    deps.jobs.setNotifier(() => w.notify());
    w.start();
    // The audit sealer reschedules itself each run; this makes sure a run exists after a start (docs/console.md).
    await scheduleAuditSealer(deps);
    deps.logger.info({ role, workerId: w.id, concurrency: config.jobs.concurrency }, 'worker started');
  }

  if (role !== 'worker') {
    const created = config.demoSeed ? await seedDemoTenant(deps) : null;
    app = await buildApp(runtime, { isDraining: () => draining });
    await app.listen({ host: config.http.host, port: config.http.port });
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
    process.stdout.write(`OpenFapiao worker ${worker?.id} is running (concurrency ${config.jobs.concurrency})\n`);
  }
}
