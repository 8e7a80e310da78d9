import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config/load-config.js';
import { AppError } from '../errors/app-error.js';
import { METRICS_TOKEN_INVALID } from '../errors/platform.errors.js';
import { classifyAddress } from '../net/address-class.js';
import type { SignalsObserver } from '../signals/index.js';

/** One Prometheus registry per app instance (tests build many apps in one process). */
export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobRunSeconds: Histogram<'task' | 'outcome'>;
  readonly jobsFinished: Counter<'task' | 'outcome'>;
  /** What the runtime's signals report (platform/signals). */
  readonly signals: SignalsObserver;
}

export function createMetrics(
  countJobsByState: () => Promise<Record<string, number>>,
  countScheduledJobs: () => Promise<number> = async () => 0,
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'openfapiao_' });
  const httpDuration = new Histogram({
    name: 'openfapiao_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const jobRunSeconds = new Histogram({
    name: 'openfapiao_job_run_duration_seconds',
    help: 'Job run time by task and outcome',
    labelNames: ['task', 'outcome'] as const,
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  const jobsFinished = new Counter({
    name: 'openfapiao_jobs_finished_total',
    help: 'Job runs finished by this process, by task and outcome',
    labelNames: ['task', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'openfapiao_jobs',
    help: 'Jobs in the whole database by state (every node reports the same queue: aggregate with max)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await countJobsByState();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'openfapiao_jobs_scheduled',
    help: 'Queued or retrying jobs not due yet (run time in the future: scheduled maintenance, retry backoff)',
    registers: [registry],
    async collect() {
      this.set(await countScheduledJobs());
    },
  });
  const signalsSent = new Counter({
    name: 'openfapiao_signals_sent_total',
    help: 'Signals this process sent to other nodes (PostgreSQL NOTIFY)',
    registers: [registry],
  });
  const signalsReceived = new Counter({
    name: 'openfapiao_signals_received_total',
    help: 'Signals this process received from other nodes (PostgreSQL LISTEN)',
    registers: [registry],
  });
  const listenerUp = new Gauge({
    name: 'openfapiao_signal_listener_up',
    help: '1 while the LISTEN connection of this process is up (PostgreSQL)',
    registers: [registry],
  });
  const listenerChanges = new Counter({
    name: 'openfapiao_signal_listener_changes_total',
    help: 'The LISTEN connection went up or down',
    labelNames: ['state'] as const,
    registers: [registry],
  });
  const signals: SignalsObserver = {
    sent: (count) => signalsSent.inc(count),
    received: () => signalsReceived.inc(),
    listener: (state) => {
      listenerUp.set(state === 'up' ? 1 : 0);
      listenerChanges.inc({ state });
    },
  };
  return { registry, httpDuration, jobRunSeconds, jobsFinished, signals };
}

/**
 * `openfapiao_node_info{role, worker_id} 1`: which role this process runs and the id its worker writes into
 * `jobs.locked_by` (empty on a `web` node), so a scraped node can be matched to the jobs it holds.
 */
export function recordNodeInfo(metrics: Metrics, role: string, workerId: string | null): void {
  new Gauge({
    name: 'openfapiao_node_info',
    help: 'This process: its role and the worker id it claims jobs under',
    labelNames: ['role', 'worker_id'] as const,
    registers: [metrics.registry],
  }).set({ role, worker_id: workerId ?? '' }, 1);
}

/**
 * Times every request and exposes GET /metrics in the Prometheus text format. With METRICS_TOKEN set, /metrics needs
 * `Authorization: Bearer <token>`; without it /metrics is open, and a warning is logged when the server listens
 * beyond loopback.
 */
export function registerMetrics(
  app: FastifyInstance,
  metrics: Metrics,
  config: Config,
  host: string = config.http.host,
): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const token = config.ops.metricsToken;
  if (token === null && !isLoopbackHost(host)) {
    app.log.warn(
      { host },
      'METRICS_TOKEN is not set: /metrics is readable by anyone who can reach this server (docs/security.md)',
    );
  }
  const expected = token === null ? null : digest(token);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (expected && !bearerMatches(request, expected)) {
      throw new AppError(METRICS_TOKEN_INVALID, undefined, undefined, {
        headers: { 'www-authenticate': 'Bearer realm="metrics"' },
      });
    }
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Compares digests, so neither the token's content nor its length leaks through timing. */
function bearerMatches(request: FastifyRequest, expected: Buffer): boolean {
  const match = /^Bearer +(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}

/** True for addresses only this machine can reach: `localhost`, 127.0.0.0/8, `::1` (and their IPv6 forms). */
function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === 'localhost' || classifyAddress(host) === 'loopback';
}
