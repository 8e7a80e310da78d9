import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import pino, { type Logger } from 'pino';
import {
  assistantEventsRoutes,
  assistantPageRoutes,
  assistantPushRoutes,
  assistantStaticPagesRoutes,
  billsRoutes,
  deductionRoutes,
  folderRoutes,
  PUSH_MAX_INCOMING_BYTES,
} from './modules/assistant/index.js';
import { auditRoutes } from './modules/audit/index.js';
import {
  appsRoutes,
  authRoutes,
  createAuthHook,
  decorateAuth,
  getAuth,
  sessionRoutes,
  usersRoutes,
} from './modules/auth/index.js';
import { catalogueRoutes } from './modules/catalogue/index.js';
import { createSandboxChannel, type SandboxChannel, sandboxRoutes } from './modules/channels/index.js';
import {
  closeParsePool,
  invoiceFilesRoutes,
  mailRoutes,
  receivedFilesRoutes,
  receivedInvoicesRoutes,
  receivedRulesRoutes,
  receivedVerificationRoutes,
} from './modules/collection/index.js';
import { consoleStaticRoutes, dashboardRoutes } from './modules/console/index.js';
import { counterH5Routes, counterReservationRoutes, counterRoutes } from './modules/counter/index.js';
import { buyerDeliveryRoutes, webhookDeliveriesRoutes } from './modules/delivery/index.js';
import { documentsRoutes, publicDocumentsRoutes } from './modules/documents/index.js';
import { invoicesRoutes, monitorRoutes, redFormsRoutes, taxCodeSearchRoutes } from './modules/invoicing/index.js';
import { jobsRoutes, systemRoutes } from './modules/ops/index.js';
import { businessSystemsRoutes, getOrg, orgsRoutes } from './modules/orgs/index.js';
import { scanH5Routes, scanOrdersRoutes, scanSettingsRoutes } from './modules/scan/index.js';
import { attachCaches } from './platform/cache/index.js';
import { type Clock, systemClock } from './platform/clock.js';
import type { Config } from './platform/config/load-config.js';
import { createDb, type Db } from './platform/db/create-db.js';
import { migrateToLatest } from './platform/db/migrate.js';
import type { Deps } from './platform/deps.js';
import { frameworkErrorHandler, installErrorHandlers } from './platform/errors/http-error-handler.js';
import { createEventBus } from './platform/events.js';
import { createClientErrorHandler } from './platform/http/client-errors.js';
import { registerHealth } from './platform/http/health.js';
import { createMetrics, type Metrics, registerMetrics } from './platform/http/metrics.js';
import { registerOpenApi } from './platform/http/openapi.js';
import { installRequestParsers } from './platform/http/request-parsers.js';
import { serverTimeoutOptions } from './platform/http/server-timeouts.js';
import { installValidators } from './platform/http/validators.js';
import { installWaitingRequests } from './platform/http/waiting-requests.js';
import { countJobsByState, countScheduledJobs, createTaskRegistry } from './platform/jobs/index.js';
import { createJobsRuntime } from './platform/jobs-runtime.js';
import { withRedaction } from './platform/log-redaction.js';
import { createSignals } from './platform/signals/index.js';
import { registerAllTasks } from './tasks.js';

export interface Runtime {
  readonly deps: Deps;
  /** The sandbox channel's admin side, when the sandbox is the channel. */
  readonly sandbox: SandboxChannel | null;
  readonly metrics: Metrics;
  /**
   * Closes the parse pool (its worker threads and picture processes), the signals' listener and the database. Call
   * after the app and worker have stopped.
   */
  close(): Promise<void>;
}

/** Opens the database, runs migrations (under the migrator's lock), and builds the dependencies. */
export async function createRuntime(
  config: Config,
  options: { clock?: Clock; logger?: Logger; db?: Db } = {},
): Promise<Runtime> {
  // Request URLs and errors in the log lose their link tokens and signatures (docs/security.md).
  const logger = withRedaction(options.logger ?? pino({ level: config.logLevel }));
  const clock = options.clock ?? systemClock;
  const db = options.db ?? createDb(config.db);
  try {
    await migrateToLatest(db.kysely);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const registry = createTaskRegistry();
  const jobs = createJobsRuntime({ registry, clock, dialect: db.dialect });
  const sandbox = createSandboxChannel({ db: db.kysely, clock, logger: logger.child({ channel: 'sandbox' }) });
  const events = createEventBus({ jobs, clock });
  const metrics = createMetrics(
    () => countJobsByState(db.kysely),
    () => countScheduledJobs(db.kysely, clock.now()),
  );
  const signals = createSignals({
    dialect: db.dialect,
    db: db.kysely,
    ...(config.db.driver === 'postgres' ? { listenUrl: config.db.listenUrl ?? config.db.url } : {}),
    logger: logger.child({ component: 'signals' }),
    observer: metrics.signals,
  });
  attachCaches(db.kysely, { clock, signals, logger: logger.child({ component: 'cache' }) });
  const deps: Deps = {
    config,
    db,
    clock,
    logger,
    jobs,
    events,
    signals,
    channel: sandbox,
    verificationChannel: sandbox.verification,
    deductionChannel: sandbox.deduction,
  };
  registerAllTasks(registry, deps);
  return {
    deps,
    sandbox,
    metrics,
    close: async () => {
      // Jobs may have started a pool after the app closed its own (a worker, the CLI): none outlives the runtime.
      await closeParsePool();
      await signals.close();
      await db.destroy();
    },
  };
}

const ROUTES = Symbol.for('openfapiao.routes');

/** Every route the app registered (with its config), for the test that holds each to a declared permission. */
export function registeredRoutes(app: FastifyInstance): readonly RouteOptions[] {
  return (app as unknown as Record<symbol, RouteOptions[]>)[ROUTES] ?? [];
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The HTTP side of a `worker` process: only `/healthz`, `/readyz` and `/metrics` (same METRICS_TOKEN rule as a web
 * node), so a worker-only node can be probed and scraped. Never listens: main.ts does.
 */
export async function buildOpsApp(
  runtime: Runtime,
  options: { isDraining?: () => boolean } = {},
): Promise<FastifyInstance> {
  const { deps, metrics } = runtime;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    ...serverTimeoutOptions(deps.config),
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler: createClientErrorHandler(deps.logger as FastifyBaseLogger),
  });
  installErrorHandlers(app);
  registerMetrics(app, metrics, deps.config, deps.config.ops.workerHost);
  registerHealth(app, deps, options.isDraining ?? (() => false));
  return app;
}

/** Builds the HTTP app. Never listens: main.ts does, tests use inject(). */
export async function buildApp(
  runtime: Runtime,
  options: { isDraining?: () => boolean; consoleDistDir?: string } = {},
): Promise<FastifyInstance> {
  const { deps, metrics } = runtime;
  let counter = 0;
  const app = Fastify({
    // createRuntime's logger already redacts: its `req` serializer (no headers, URL without tokens or signatures)
    // replaces Fastify's.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.http.bodyLimitBytes,
    ...serverTimeoutOptions(deps.config),
    // (the union widens Fastify's overloads; every member is a valid trustProxy value)
    trustProxy: deps.config.http.trustProxy as string,
    requestIdHeader: false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler: createClientErrorHandler(deps.logger as FastifyBaseLogger),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      if (typeof incoming === 'string' && REQUEST_ID_RE.test(incoming)) return incoming;
      counter = (counter + 1) % 1_000_000;
      return `req-${Date.now().toString(36)}-${counter.toString(36)}`;
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routes: RouteOptions[] = [];
  (app as unknown as Record<symbol, RouteOptions[]>)[ROUTES] = routes;
  // Closing: the parse pool first (before the server waits for its requests), so files waiting for or being read by
  // it are answered 503 INVOICE_FILE_PARSE_STOPPED at once and its picture processes end with the server.
  app.addHook('preClose', async () => {
    await closeParsePool();
  });
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  // Every `?wait` route: its connection outlives a short HTTP_CONNECTION_TIMEOUT_MS while it waits.
  installWaitingRequests(app);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // A POST/PATCH without a body validates as {} so the schema names the missing fields instead of "body must be object".
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && (request.method === 'POST' || request.method === 'PATCH')) request.body = {};
  });
  installValidators(app);
  installErrorHandlers(app);
  installRequestParsers(app);
  decorateAuth(app);
  await registerOpenApi(app, deps.config);
  await app.register(rateLimit, { global: false });
  // WebSockets (the assistant's push): registered before every route, so an upgrade request to any other route is
  // answered over HTTP and its socket destroyed; the server's timeouts stop at the upgrade (ws clears the socket's
  // timeout) and the push keeps its own liveness (pings). Incoming frames are heartbeats: tiny.
  await app.register(websocket, {
    options: { maxPayload: PUSH_MAX_INCOMING_BYTES, perMessageDeflate: false },
    errorHandler: (error, socket, request) => {
      request.log.warn({ err: error.message }, 'websocket error');
      socket.terminate();
    },
    // Closing: every socket gets 1001 (going away) so clients reconnect (to another node) at once.
    preClose(done) {
      for (const client of this.websocketServer.clients) client.close(1001, 'server shutting down');
      done();
    },
  });
  registerMetrics(app, metrics, deps.config);
  registerHealth(app, deps, options.isDraining ?? (() => false));

  await app.register(authRoutes, { deps });
  await app.register(sessionRoutes, { deps });
  await app.register(scanH5Routes, { deps });
  await app.register(counterH5Routes, { deps });
  await app.register(publicDocumentsRoutes, { deps });
  await app.register(assistantPageRoutes, { deps });
  await app.register(assistantStaticPagesRoutes, {
    deps,
    ...(options.consoleDistDir ? { distDir: options.consoleDistDir } : {}),
  });
  // Its own auth hook (API app token only; the WebSocket may carry it in `access_token=`).
  await app.register(assistantPushRoutes, { deps });
  await app.register(consoleStaticRoutes, {
    deps,
    ...(options.consoleDistDir ? { distDir: options.consoleDistDir } : {}),
  });
  await app.register(async (authed) => {
    authed.addHook('onRequest', createAuthHook(deps));
    await authed.register(orgsRoutes, { deps });
    await authed.register(businessSystemsRoutes, { deps });
    await authed.register(webhookDeliveriesRoutes, { deps });
    await authed.register(buyerDeliveryRoutes, { deps });
    await authed.register(appsRoutes, { deps });
    await authed.register(usersRoutes, { deps });
    await authed.register(auditRoutes, { deps, tenantOf: (request) => getAuth(request).tenantId });
    await authed.register(jobsRoutes, { deps });
    await authed.register(systemRoutes, { deps });
    await authed.register(invoicesRoutes, { deps });
    await authed.register(documentsRoutes, { deps });
    await authed.register(redFormsRoutes, { deps });
    await authed.register(monitorRoutes, { deps });
    await authed.register(taxCodeSearchRoutes, { deps });
    await authed.register(scanSettingsRoutes, { deps });
    await authed.register(scanOrdersRoutes, { deps });
    await authed.register(catalogueRoutes, { deps });
    await authed.register(counterRoutes, { deps });
    await authed.register(counterReservationRoutes, { deps });
    await authed.register(dashboardRoutes, { deps });
    await authed.register(invoiceFilesRoutes, { deps });
    await authed.register(receivedInvoicesRoutes, { deps });
    await authed.register(receivedVerificationRoutes, { deps });
    await authed.register(receivedFilesRoutes, { deps });
    await authed.register(receivedRulesRoutes, { deps });
    await authed.register(mailRoutes, { deps });
    await authed.register(assistantEventsRoutes, { deps });
    await authed.register(folderRoutes, { deps });
    await authed.register(billsRoutes, { deps });
    await authed.register(deductionRoutes, { deps });
    if (runtime.sandbox) {
      const sandboxOrg = (tenantId: string, taxId: string) => getOrg({ db: deps.db.kysely }, tenantId, taxId);
      await authed.register(sandboxRoutes, { deps, sandbox: runtime.sandbox, getOrg: sandboxOrg });
    }
  });

  app.get('/', { schema: { hide: true } }, async () => ({
    name: 'OpenFapiao',
    ...(deps.config.ops.apiDocs ? { docs: `${deps.config.http.publicUrl}/api/docs` } : {}),
    openapi: `${deps.config.http.publicUrl}/api/openapi.json`,
  }));
  return app;
}
