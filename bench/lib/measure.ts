import autocannon, { type Result } from 'autocannon';
import { processCpuSeconds, readCpuTimes, round2, stealPercent } from './machine.js';
import { HOST } from './processes.js';

/** One HTTP request shape, replayed by every autocannon connection. */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** A fresh JSON body per request (e.g. a unique serial number); overrides `body` during load. */
  bodyFactory?: () => unknown;
  /** A fresh raw body per request (e.g. a multipart upload of a unique file), sent with `contentType`. */
  rawBodyFactory?: () => Buffer;
  /** Content type of `rawBodyFactory`'s bodies. */
  contentType?: string;
  /** Status every answer must have (default 200); anything else is reported as a problem. */
  expectStatus?: number;
}

/** What a benchmark's setup gets: the running app server (seeded) and the baseline server. */
export interface BenchServers {
  app: { baseUrl: string; dialect: string; appId: string; appSecret: string; sellerTaxId: string };
  baseline: { baseUrl: string };
}

/** One hostile-traffic case of a stall benchmark: how `/healthz` answered while it ran. */
export interface StallRunCase {
  form: string;
  field: string;
  size: string;
  hostileRequests: number;
  statuses: Record<string, number>;
  probes: number;
  worstMs: number;
  p99Ms: number;
  /** Worst round trip ÷ the quiet p99 of the same run. */
  worstRatio: number | null;
  /** The server's own event-loop delay during the case (max, p99), from its /metrics. */
  serverLagMaxMs: number;
  serverLagP99Ms: number;
  ok: boolean;
}

/** A stall benchmark's result: `/healthz` with no hostile traffic, then per case. */
export interface StallRun {
  quiet: {
    probes: number;
    p50Ms: number;
    p99Ms: number;
    worstMs: number;
    serverLagMaxMs: number;
    serverLagP99Ms: number;
  };
  targetStallMs: number;
  cases: StallRunCase[];
  problems: string[];
}

/**
 * A benchmark: one request against the app, and the equivalent request against the bare baseline (`setup`, driven
 * by autocannon) — or a stall benchmark (`run`) that probes the app's event loop while it sends hostile traffic, its
 * baseline being the same probe with no hostile traffic in the same run.
 */
export interface Benchmark {
  name: string;
  description: string;
  setup?(servers: BenchServers): Promise<{ target: RequestSpec; baseline: RequestSpec }>;
  run?(servers: BenchServers): Promise<StallRun>;
  /**
   * The baseline is a route of the app itself (e.g. parse-only against intake), not of the bare baseline server: a
   * same-run baseline on the same machine and process.
   */
  baselineOnApp?: boolean;
  /** What the baseline is (printed with the table) when it is not the bare Fastify server. */
  baselineNote?: string;
  /** The requests leave background jobs: after the load, wait for the queue to empty and report the sustained rate. */
  drainsJobs?: boolean;
  /**
   * Report the measured window's costs (server CPU, statements, commits …) per answer of this HTTP status, named
   * `unit` (e.g. 201 per `order`). Jobs-draining benchmarks without it report per invoice answered 200.
   */
  costPer?: { status: number; unit: string };
}

const DRAIN_LIMIT_MS = 180_000;

/**
 * Waits until the app reports no queued, running or retrying job that is due (Prometheus /metrics: `openfapiao_jobs`
 * minus `openfapiao_jobs_scheduled`); returns the seconds taken.
 */
export async function waitForEmptyQueue(baseUrl: string): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < DRAIN_LIMIT_MS) {
    const text = await (await fetch(new URL('/metrics', baseUrl), { signal: AbortSignal.timeout(10_000) })).text();
    const open = ['queued', 'running', 'retry'].reduce((sum, state) => {
      const match = new RegExp(`^openfapiao_jobs\\{state="${state}"\\} (\\d+)`, 'm').exec(text);
      return sum + Number(match?.[1] ?? 0);
    }, 0);
    // Jobs scheduled for later (the audit sealer at the end of its window) are not the load's backlog.
    const scheduled = Number(/^openfapiao_jobs_scheduled (\d+)/m.exec(text)?.[1] ?? 0);
    const pending = open - scheduled;
    if (pending === 0) return (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the app's job queue did not empty within ${DRAIN_LIMIT_MS / 1000} s`);
}

export interface MeasureOptions {
  durationS: number;
  warmupS: number;
  connections: number;
}

export interface Measurement {
  method: string;
  url: string;
  durationS: number;
  connections: number;
  /** Mean of the per-second request counts. */
  reqPerSec: number;
  latencyMeanMs: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  completed: number;
  statusCounts: Record<string, number>;
  non2xx: number;
  /** Requests whose status differs from the expected one (includes non-2xx). */
  unexpectedStatus: number;
  errors: number;
  timeouts: number;
  resets: number;
  /** CPU steal over the measurement (all cores), percent; null when /proc/stat is unreadable. */
  stealPct: number | null;
  /** CPU used by the server process over the measurement, percent of one core. */
  serverCpuPct: number | null;
  /** CPU used by this (load generator) process over the measurement, percent of one core. */
  loadgenCpuPct: number;
}

const REQUEST_TIMEOUT_S = 10;
/** Slack on top of the run's duration before a stuck autocannon run is stopped. */
const RUN_GRACE_MS = 30_000;

function toAutocannon(
  baseUrl: string,
  spec: RequestSpec,
  connections: number,
  durationS: number,
): Parameters<typeof autocannon>[0] & { method: string; headers: Record<string, string> } {
  const url = new URL(spec.path, baseUrl);
  if (url.hostname !== HOST) throw new Error(`refusing to load ${url.host}: benchmarks target ${HOST} only`);
  const headers: Record<string, string> = { ...spec.headers };
  let body: string | undefined;
  if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    headers['content-type'] = 'application/json';
  }
  const factory = spec.bodyFactory;
  if (factory) {
    body = JSON.stringify(factory());
    headers['content-type'] = 'application/json';
  }
  const raw = spec.rawBodyFactory;
  let rawBody: Buffer | undefined;
  if (raw) {
    rawBody = raw();
    headers['content-type'] = spec.contentType ?? 'application/octet-stream';
  }
  return {
    url: url.toString(),
    method: spec.method,
    headers,
    connections,
    duration: durationS,
    timeout: REQUEST_TIMEOUT_S,
    ...(rawBody !== undefined ? { body: rawBody } : body === undefined ? {} : { body }),
    ...(factory
      ? {
          requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify(factory()) }) }],
        }
      : raw
        ? { requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: raw() }) }] }
        : {}),
  };
}

/** Sends the request once and fails with the answer when the status is not the expected one. */
export async function probe(baseUrl: string, spec: RequestSpec): Promise<void> {
  const opts = toAutocannon(baseUrl, spec, 1, 1);
  const res = await fetch(opts.url, {
    method: opts.method,
    headers: opts.headers,
    body: opts.body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_S * 1000),
  });
  const text = await res.text();
  const expected = spec.expectStatus ?? 200;
  if (res.status !== expected) {
    throw new Error(`${spec.method} ${opts.url} answered ${res.status} (expected ${expected}): ${text.slice(0, 500)}`);
  }
}

async function runAutocannon(options: Parameters<typeof autocannon>[0]): Promise<Result> {
  const instance = autocannon(options);
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        instance.stop();
        reject(new Error(`autocannon did not finish within ${options.duration} s + ${RUN_GRACE_MS / 1000} s`));
      },
      (options.duration ?? 10) * 1000 + RUN_GRACE_MS,
    );
  });
  try {
    return await Promise.race([Promise.resolve(instance), watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

/** Probes, warms up (results discarded), then measures `spec` against `baseUrl` with autocannon. */
export async function measure(
  baseUrl: string,
  spec: RequestSpec,
  options: MeasureOptions,
  serverPid: number | undefined,
  /** Runs after the warm-up, right before the measured window (e.g. drain the queue, vacuum, snapshot counters). */
  beforeMeasured?: () => Promise<void>,
): Promise<Measurement> {
  await probe(baseUrl, spec);
  if (options.warmupS > 0) await runAutocannon(toAutocannon(baseUrl, spec, options.connections, options.warmupS));
  await beforeMeasured?.();

  const cpuBefore = readCpuTimes();
  const serverBefore = processCpuSeconds(serverPid);
  const selfBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const opts = toAutocannon(baseUrl, spec, options.connections, options.durationS);
  const r = await runAutocannon(opts);
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const serverAfter = processCpuSeconds(serverPid);
  const self = process.cpuUsage(selfBefore);

  const expected = String(spec.expectStatus ?? 200);
  const statusCounts: Record<string, number> = {};
  let unexpectedStatus = 0;
  for (const [code, { count }] of Object.entries(r.statusCodeStats)) {
    statusCounts[code] = count;
    if (code !== expected) unexpectedStatus += count;
  }
  return {
    method: spec.method,
    url: opts.url,
    durationS: options.durationS,
    connections: options.connections,
    reqPerSec: round2(r.requests.mean),
    latencyMeanMs: round2(r.latency.mean),
    latencyP50Ms: round2(r.latency.p50),
    latencyP99Ms: round2(r.latency.p99),
    latencyMaxMs: round2(r.latency.max),
    completed: Object.values(statusCounts).reduce((a, b) => a + b, 0),
    statusCounts,
    non2xx: r.non2xx,
    unexpectedStatus,
    errors: r.errors,
    timeouts: r.timeouts,
    resets: r.resets,
    stealPct: stealPercent(cpuBefore, readCpuTimes()),
    serverCpuPct:
      serverBefore === null || serverAfter === null ? null : round2((100 * (serverAfter - serverBefore)) / elapsedS),
    loadgenCpuPct: round2((100 * (self.user + self.system)) / 1e6 / elapsedS),
  };
}

/** Problems that make a measurement untrustworthy; each is printed loudly and fails the run. */
export function problemsOf(label: string, m: Measurement): string[] {
  const problems: string[] = [];
  if (m.unexpectedStatus > 0) {
    const codes = Object.entries(m.statusCounts)
      .map(([code, n]) => `${code}×${n}`)
      .join(', ');
    problems.push(`${label}: ${m.unexpectedStatus} of ${m.completed} answers had an unexpected status (${codes})`);
  }
  if (m.non2xx > 0 && m.unexpectedStatus === 0) problems.push(`${label}: ${m.non2xx} non-2xx answers`);
  if (m.errors > 0) problems.push(`${label}: ${m.errors} connection errors`);
  if (m.timeouts > 0) problems.push(`${label}: ${m.timeouts} timeouts`);
  if (m.completed === 0) problems.push(`${label}: no request completed`);
  return problems;
}

export function ratio(target: Measurement, baseline: Measurement): number | null {
  return baseline.reqPerSec > 0 ? Math.round((target.reqPerSec / baseline.reqPerSec) * 1000) / 1000 : null;
}
