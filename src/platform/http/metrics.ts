import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per app instance (tests build many apps in one process). */
export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobRunSeconds: Histogram<'task' | 'outcome'>;
  readonly jobsFinished: Counter<'task' | 'outcome'>;
}

export function createMetrics(countJobsByState: () => Promise<Record<string, number>>): Metrics {
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
    help: 'Jobs in the database by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await countJobsByState();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  return { registry, httpDuration, jobRunSeconds, jobsFinished };
}

/** Times every request and exposes GET /metrics in the Prometheus text format. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
