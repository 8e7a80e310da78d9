import path from 'node:path';
import { AppError } from '../errors/app-error.js';
import { CONFIG_INVALID } from '../errors/platform.errors.js';
import { type CollectMailConfig, loadCollectMailConfig } from './collect-mail-config.js';
import { type DeliveryConfig, loadDeliveryConfig } from './delivery-config.js';

export const ROLES = ['all', 'web', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type { CollectMailConfig } from './collect-mail-config.js';
export type { DeliveryConfig, SmsGatewayConfig } from './delivery-config.js';

/** The one typed configuration object. Built once from the environment by {@link loadConfig}. */
export interface Config {
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl: string;
    readonly bodyLimitBytes: number;
    /** Fastify `trustProxy`: false, true, a hop count, or trusted proxy addresses (comma-separated). */
    readonly trustProxy: boolean | number | string;
  };
  /** Node HTTP server timeouts against slow or idle clients (docs/security.md#reverse-proxy). */
  readonly server: {
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    readonly connectionTimeoutMs: number;
  };
  /** Operators' endpoints: the bearer token `/metrics` needs (null: open), and whether `/api/docs` is served. */
  readonly ops: {
    readonly metricsToken: string | null;
    readonly apiDocs: boolean;
    /** Where a `worker` process serves `/healthz`, `/readyz` and `/metrics` (web and `all` nodes use HOST/PORT). */
    readonly workerHost: string;
    readonly workerPort: number;
  };
  readonly dataDir: string;
  readonly db:
    | { readonly driver: 'sqlite'; readonly sqlitePath: string }
    | {
        readonly driver: 'postgres';
        readonly url: string;
        readonly poolSize: number;
        /** Repeated SQL texts run as named prepared statements (default true). */
        readonly preparedStatements?: boolean;
        /** Where the LISTEN connection of signals goes (default `url`): directly to PostgreSQL, never a transaction pooler. */
        readonly listenUrl?: string;
      };
  readonly logLevel: LogLevel;
  readonly role: Role;
  readonly jobs: {
    readonly concurrency: number;
    readonly pollIntervalMs: number;
    readonly leaseMs: number;
    readonly shutdownTimeoutMs: number;
    /**
     * On SIGTERM, how long the process keeps serving (with `/readyz` answering 503) before it closes its listener, so
     * a load balancer sees the node leave before connections are refused. SIGINT (Ctrl-C) does not wait.
     */
    readonly drainDelayMs: number;
    /** Succeeded and cancelled jobs are deleted this long after they finished; 0 keeps them forever. */
    readonly retentionMs: number;
  };
  readonly auth: {
    readonly accessTokenTtlSeconds: number;
    readonly tokenRateLimitMax: number;
    readonly tokenRateLimitWindowMs: number;
    /** Console sessions end after this long without a request… */
    readonly sessionIdleMs: number;
    /** …and this long after the login, whatever the activity. */
    readonly sessionAbsoluteMs: number;
    /** Failed logins per username within the window before the username is locked. */
    readonly loginMaxFailuresPerUser: number;
    /** Failed logins per client address within the window before the address is locked. */
    readonly loginMaxFailuresPerAddress: number;
    readonly loginFailureWindowMs: number;
    readonly loginLockoutMs: number;
  };
  /** Create the demo tenant on first start when the database has no tenant yet. */
  readonly demoSeed: boolean;
  /** The issuing channel; only the built-in sandbox ships today. */
  readonly channel: {
    readonly kind: Channel;
    /** 查验 provider limits (docs/collection.md#verification): calls per second and per China day. */
    readonly verifyRatePerSecond: number;
    readonly verifyDailyQuota: number;
  };
  /** Webhooks, e-mail and SMS (docs/delivery.md). */
  readonly delivery: DeliveryConfig;
  /** Invoice documents (PDF/OFD/XML): where bytes are stored and the key that signs download links. */
  readonly documents: { readonly blobStore: BlobStoreKind; readonly signingKey: string | null };
  /** Bulk exports of the invoice pool (CSV/XLSX). */
  readonly exports: { readonly maxRows: number };
  /** Invoice pictures are read by on-box OCR besides their QR code (COLLECT_OCR; docs/collection.md). */
  readonly collectOcr: boolean;
  /**
   * Parse pool sizing (docs/collection.md): text-lane workers (COLLECT_PARSE_WORKERS, 0 = the cores, at most 2),
   * picture-lane workers for pictures and scanned PDFs (COLLECT_OCR_WORKERS) and the picture queue the parse-only
   * route waits on at most (COLLECT_OCR_QUEUE).
   */
  readonly collectParse: { readonly workers: number; readonly ocrWorkers: number; readonly ocrQueue: number };
  /**
   * How old a blob an intake wrote without recording its file (a crash or a shutdown in between) must be before the
   * orphan sweep removes it (COLLECT_ORPHAN_BLOB_GRACE_MINUTES; docs/collection.md#orphan-blobs).
   */
  readonly collectOrphanBlobGraceMinutes: number;
  /** E-mail intake of invoice collection: SMTP receiver, links, IMAP (docs/collection.md#e-mail). */
  readonly collectMail: CollectMailConfig;
  /** The invoice assistant (docs/assistant.md): how long an event code opens the pages. */
  readonly assistant: {
    readonly eventTtlSeconds: number;
    /** Open push WebSockets, and waiting long-polls, of one tenant on one node (docs/assistant.md#push). */
    readonly pushConnectionsPerTenant: number;
    /** 导入单据 re-verifies an invoice whose last verification is older than this (docs/assistant.md#import). */
    readonly reverifyAfterHours: number;
    /** How long 导入单据 waits for those re-verifications before answering 503 ASSISTANT_REVERIFY_PENDING. */
    readonly reverifyWaitSeconds: number;
  };
}

export const BLOB_STORES = ['fs', 'db'] as const;
export type BlobStoreKind = (typeof BLOB_STORES)[number];

export const CHANNELS = ['sandbox'] as const;
export type Channel = (typeof CHANNELS)[number];

type Env = Readonly<Record<string, string | undefined>>;

/** Describes every environment variable: the single source for docs/configuration.md and .env.example. */
export const CONFIG_VARIABLES = [
  { name: 'PORT', default: '8080', description: 'HTTP port.' },
  {
    name: 'HOST',
    default: '127.0.0.1',
    description: 'Interface to listen on; `0.0.0.0` to accept outside connections.',
  },
  { name: 'PUBLIC_URL', default: 'http://localhost:$PORT', description: 'Base URL that links and QR codes point to.' },
  {
    name: 'DATA_DIR',
    default: './data',
    description: 'Directory for the SQLite file, stored files and demo credentials.',
  },
  {
    name: 'DATABASE_URL',
    default: '(unset)',
    description: '`postgres://…` switches storage to PostgreSQL; unset uses SQLite in `DATA_DIR`.',
  },
  { name: 'DB_POOL_SIZE', default: '10', description: 'PostgreSQL connection pool size per process.' },
  {
    name: 'DB_PREPARED_STATEMENTS',
    default: 'true',
    description:
      'PostgreSQL: run SQL texts a connection repeats as named prepared statements (parsed and planned once per connection, at most 256 per connection; docs/architecture.md#prepared-statements). `false` sends every statement unnamed.',
  },
  {
    name: 'DATABASE_LISTEN_URL',
    default: '(unset)',
    description:
      'PostgreSQL URL of the one LISTEN connection per process (signals between nodes); unset uses `DATABASE_URL`. Must reach PostgreSQL directly: PgBouncer in transaction mode breaks LISTEN.',
  },
  { name: 'LOG_LEVEL', default: 'info', description: `One of ${LOG_LEVELS.join(', ')}.` },
  { name: 'ROLE', default: 'all', description: '`all` (HTTP + worker), `web` (HTTP only) or `worker` (jobs only).' },
  {
    name: 'JOB_CONCURRENCY',
    default: '16',
    description:
      'Jobs a worker process runs at once (jobs mostly wait on the database, the channel, render threads or remote HTTP).',
  },
  {
    name: 'JOB_POLL_INTERVAL_MS',
    default: '500',
    description:
      'How often an idle worker looks for due jobs. On PostgreSQL, while its signals listener is up, workers are woken by a NOTIFY of every queued job and the idle poll is only a 5 s safety net (or this, if longer).',
  },
  {
    name: 'JOB_LEASE_MS',
    default: '30000',
    description: 'Lease of a claimed job; a crashed worker’s job is reclaimed after it.',
  },
  {
    name: 'JOB_RETENTION_DAYS',
    default: '7',
    description:
      'Succeeded and cancelled jobs are deleted this many days after they finished (dead jobs are kept for operators); `0` keeps every job.',
  },
  {
    name: 'SHUTDOWN_TIMEOUT_MS',
    default: '10000',
    description: 'On SIGTERM, how long running jobs and requests may finish.',
  },
  {
    name: 'SHUTDOWN_DRAIN_DELAY_MS',
    default: '5000',
    description:
      'On SIGTERM (not SIGINT/Ctrl-C), how long a web or `all` process keeps serving with `/readyz` answering 503 before it closes its listener: more than the load balancer’s health-check interval × unhealthy threshold.',
  },
  {
    name: 'WORKER_HTTP_HOST',
    default: '127.0.0.1',
    description:
      'Interface a `worker` process serves `/healthz`, `/readyz` and `/metrics` on (web and `all` nodes use `HOST`).',
  },
  {
    name: 'WORKER_HTTP_PORT',
    default: '8081',
    description: 'Port of a `worker` process’s `/healthz`, `/readyz` and `/metrics` (`0`: any free port, logged).',
  },
  {
    name: 'EXPORT_MAX_ROWS',
    default: '1000000',
    description:
      'Most rows of one invoice export (CSV/XLSX, streamed); a larger selection is refused with 422 `EXPORT_TOO_LARGE` before any byte is sent. At most 1048575 (an XLSX sheet).',
  },
  { name: 'ACCESS_TOKEN_TTL_SECONDS', default: '7200', description: 'Lifetime of API access tokens.' },
  { name: 'AUTH_RATE_LIMIT_MAX', default: '30', description: 'Token requests per client IP per window.' },
  { name: 'AUTH_RATE_LIMIT_WINDOW_MS', default: '60000', description: 'Window of the token endpoint rate limit.' },
  {
    name: 'SESSION_IDLE_TIMEOUT_MINUTES',
    default: '30',
    description: 'A console session ends after this many minutes without a request (docs/console.md#sessions).',
  },
  {
    name: 'SESSION_ABSOLUTE_TIMEOUT_HOURS',
    default: '12',
    description: 'A console session ends this many hours after the login, however active it is.',
  },
  {
    name: 'LOGIN_MAX_FAILURES_PER_USER',
    default: '5',
    description: 'Failed console logins of one username within the failure window before it is locked.',
  },
  {
    name: 'LOGIN_MAX_FAILURES_PER_ADDRESS',
    default: '20',
    description: 'Failed console logins from one client address within the failure window before it is locked.',
  },
  {
    name: 'LOGIN_FAILURE_WINDOW_MINUTES',
    default: '15',
    description: 'Window in which failed console logins are counted.',
  },
  {
    name: 'LOGIN_LOCKOUT_MINUTES',
    default: '15',
    description: 'How long a locked username or client address cannot log in.',
  },
  {
    name: 'HTTP_HEADERS_TIMEOUT_MS',
    default: '10000',
    description:
      'A client must send its complete request headers within this time after connecting (or after its previous request); else 408 and the connection is closed.',
  },
  {
    name: 'HTTP_REQUEST_TIMEOUT_MS',
    default: '30000',
    description:
      'A client must send its whole request, headers and body, within this time; else 408 and the connection is closed. At least `HTTP_HEADERS_TIMEOUT_MS`.',
  },
  {
    name: 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
    default: '5000',
    description:
      'An idle keep-alive connection is closed after this time (a reverse proxy’s upstream keep-alive must be shorter).',
  },
  {
    name: 'HTTP_CONNECTION_TIMEOUT_MS',
    default: '60000',
    description:
      'A connection on which nothing is sent or received for this long is destroyed (e.g. a client that stops reading a response). A request waiting with `?wait=N` (invoices, scan orders, the assistant poll, counter changes) holds its connection for N s + 5 s whatever this is.',
  },
  {
    name: 'METRICS_TOKEN',
    default: '(unset)',
    description:
      'Set (≥ 16 characters): `GET /metrics` needs `Authorization: Bearer <token>`. Unset: `/metrics` is open (a warning is logged when `HOST` is not loopback).',
  },
  {
    name: 'API_DOCS',
    default: 'on',
    description:
      '`off` stops serving the browsable API docs at `/api/docs`; the OpenAPI document `/api/openapi.json` stays.',
  },
  {
    name: 'TRUST_PROXY',
    default: 'false',
    description:
      'Behind a load balancer: `true`, a hop count, or the proxies’ addresses (comma-separated), so client IPs (rate limits, logs) come from X-Forwarded-For.',
  },
  { name: 'BODY_LIMIT_BYTES', default: '1048576', description: 'Largest accepted request body.' },
  { name: 'DEMO_SEED', default: 'true', description: 'Create a demo tenant on first start (`false` to skip).' },
  {
    name: 'CHANNEL',
    default: 'sandbox',
    description: 'Issuing channel: `sandbox` (the built-in simulated tax platform).',
  },
  {
    name: 'VERIFY_RATE_PER_SECOND',
    default: '20',
    description:
      'Most 查验 (verification) calls per second to the verification provider (the `CHANNEL`’s), shared by every process; calls over it are rescheduled, never dropped (docs/collection.md#verification).',
  },
  {
    name: 'VERIFY_DAILY_QUOTA',
    default: '100000',
    description:
      'Most 查验 calls per China day to the verification provider (its paid quota); once used up, verifications wait in the job queue for the next day.',
  },
  {
    name: 'OUTBOUND_ALLOWED_HOSTS',
    default: '(empty)',
    description:
      'Comma-separated `host` or `host:port` entries that webhook and order-query URLs may use even though they resolve to loopback/private addresses (local demos, tests).',
  },
  { name: 'WEBHOOK_TIMEOUT_MS', default: '10000', description: 'Timeout of one webhook delivery attempt.' },
  {
    name: 'SECRET_ENCRYPTION_KEY',
    default: '(key file in DATA_DIR)',
    description:
      'Key material (≥ 32 characters) that encrypts business-system signing secrets at rest. Unset: a random key is created in `DATA_DIR/secret-encryption.key`; set it when several nodes share a database.',
  },
  {
    name: 'SMTP_URL',
    default: '(unset)',
    description:
      '`smtp://user:pass@host:587` or `smtps://…:465`; unset writes mail to the outbox table (`GET /api/v1/outbox`).',
  },
  { name: 'MAIL_FROM', default: 'OpenFapiao <no-reply@localhost>', description: 'Sender of invoice e-mails.' },
  {
    name: 'SMS_GATEWAY_URL',
    default: '(unset)',
    description:
      'HTTP SMS gateway; `{{to}}`/`{{text}}` are substituted (URL-encoded). Unset writes SMS to the outbox table.',
  },
  { name: 'SMS_GATEWAY_METHOD', default: 'POST', description: 'GET, POST or PUT.' },
  { name: 'SMS_GATEWAY_CONTENT_TYPE', default: 'application/json', description: 'Content type of the gateway body.' },
  {
    name: 'SMS_GATEWAY_BODY_TEMPLATE',
    default: '{"to":"{{to}}","text":"{{text}}"}',
    description: 'Request body; `{{to}}`/`{{text}}` are escaped for the content type (JSON string, form field).',
  },
  {
    name: 'SMS_GATEWAY_AUTH_HEADER',
    default: '(unset)',
    description: 'One header sent to the gateway, `Name: value` (e.g. `Authorization: Bearer …`).',
  },
  {
    name: 'BLOB_STORE',
    default: 'fs',
    description: 'Where rendered invoice files live: `fs` (`DATA_DIR/blobs`) or `db` (the database; for multi-node).',
  },
  {
    name: 'SIGNING_KEY',
    default: '(generated)',
    description:
      'Secret (≥ 32 chars) that signs public download links and, through a derived key, the consumer pages’ form tokens; unset: generated once into `DATA_DIR/signing.key` (mode 600). Set it on multi-node deployments.',
  },
  {
    name: 'ASSISTANT_EVENT_TTL_SECONDS',
    default: '600',
    description:
      'How long an assistant event code (事件码) opens the assistant pages after it was issued (docs/assistant.md#event-codes).',
  },
  {
    name: 'ASSISTANT_PUSH_CONNECTIONS_PER_TENANT',
    default: '50',
    description:
      'Most push WebSockets one tenant may hold open on one node, and most long-polls it may have waiting there (each); more are refused with 429 `ASSISTANT_PUSH_TOO_MANY_CONNECTIONS` (docs/assistant.md#push).',
  },
  {
    name: 'ASSISTANT_REVERIFY_AFTER_HOURS',
    default: '24',
    description:
      '导入单据 re-verifies (查验) each chosen invoice whose last verification is older than this many hours, so an invoice red-reversed or voided since is caught before it is pushed; `0`: every import re-verifies (docs/assistant.md#import).',
  },
  {
    name: 'ASSISTANT_REVERIFY_WAIT_SECONDS',
    default: '10',
    description:
      'How long 导入单据 waits for those re-verifications; when the channel has not answered by then, the import answers 503 `ASSISTANT_REVERIFY_PENDING` and pushes nothing (the verification goes on; import again later).',
  },
  {
    name: 'COLLECT_OCR',
    default: 'on',
    description:
      '`on`: invoice pictures (JPEG/PNG/WebP) are read by on-box OCR (PaddleOCR models, onnxruntime) besides their QR code, when the engine is installed; `off`: pictures yield what their QR code says (docs/collection.md).',
  },
  {
    name: 'COLLECT_PARSE_WORKERS',
    default: '0',
    description:
      'Worker threads of the parse pool’s text lane (PDFs with a text layer, OFD, XML, ZIP, mail); `0`: the cores, at most 2. Pictures never wait behind these (docs/collection.md).',
  },
  {
    name: 'COLLECT_OCR_WORKERS',
    default: '1',
    description:
      'Child processes of the parse pool’s picture lane (pictures and scanned PDFs: QR search and OCR, 1–4 s a page on one core each); each holds the OCR models (≈ 100 MB).',
  },
  {
    name: 'COLLECT_OCR_QUEUE',
    default: '32',
    description:
      'Pictures and scanned PDFs waiting at most in the picture lane before `POST /api/v1/invoice-files/parse` answers 503 `INVOICE_FILE_PARSE_BUSY` (intake waits instead).',
  },
  {
    name: 'COLLECT_ORPHAN_BLOB_GRACE_MINUTES',
    default: '60',
    description:
      'The hourly orphan sweep removes a received file’s blob that intake stored but never recorded (a crash or shutdown in between) once it is this many minutes old; an intake in flight keeps its blobs claimed meanwhile (docs/collection.md#orphan-blobs).',
  },
  {
    name: 'COLLECT_SMTP_PORT',
    default: '(unset)',
    description:
      'Port of the built-in SMTP receiver for invoice mail (收票邮箱); unset: off. Needs `COLLECT_MAIL_DOMAIN`. Runs in web and `all` processes.',
  },
  {
    name: 'COLLECT_SMTP_HOST',
    default: '127.0.0.1',
    description: 'Interface of the SMTP receiver; `0.0.0.0` when the MX or a relay reaches it from outside.',
  },
  {
    name: 'COLLECT_MAIL_DOMAIN',
    default: '(unset)',
    description:
      'Domain of the collection addresses (`inv-<token>@DOMAIN`): a subdomain whose MX points at the receiver, or the domain a relay forwards.',
  },
  {
    name: 'COLLECT_MAIL_MAX_BYTES',
    default: '26214400',
    description: 'Largest accepted mail (SMTP `SIZE`; larger IMAP messages are recorded as failed and skipped).',
  },
  {
    name: 'COLLECT_SMTP_BUFFER_BYTES',
    default: '104857600',
    description:
      'Bytes of mail the SMTP receiver holds in memory at once over all connections (at least `COLLECT_MAIL_MAX_BYTES`); a mail that would exceed it is refused with a temporary 451/452, so the sender retries later.',
  },
  {
    name: 'COLLECT_LINK_HOSTS',
    default: '*.chinatax.gov.cn',
    description:
      'Comma-separated hosts (`host` or `*.suffix`) whose links in a mail body are followed to download invoice files; set it empty to follow no link. The outbound guard applies too (loopback/private addresses only through `OUTBOUND_ALLOWED_HOSTS`).',
  },
  {
    name: 'COLLECT_LINK_MAX_BYTES',
    default: '10485760',
    description: 'Largest file downloaded from a link in a mail.',
  },
  {
    name: 'COLLECT_LINK_TIMEOUT_MS',
    default: '10000',
    description: 'Time limit of one link download (connect to last byte).',
  },
  {
    name: 'COLLECT_IMAP_TIMEOUT_MS',
    default: '30000',
    description:
      'Connect, greeting and idle-socket limit of an IMAP poll. IMAP hosts go through the outbound guard (loopback/private hosts only through `OUTBOUND_ALLOWED_HOSTS`).',
  },
] as const;

export type ConfigVariable = (typeof CONFIG_VARIABLES)[number]['name'];

/**
 * Maps the environment to a validated {@link Config}. Pure: reads only the `env` it is given.
 * Throws an AppError `CONFIG_INVALID` listing every bad variable.
 */
export function loadConfig(env: Env, cwd = '.'): Config {
  const problems: string[] = [];
  const known = new Set<string>(CONFIG_VARIABLES.map((v) => v.name));
  const get = (name: ConfigVariable): string | undefined => {
    if (!known.has(name)) throw new Error(`unknown config variable ${name}`);
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: ConfigVariable, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name}=${raw} 必须是 ${min} 到 ${max} 之间的整数 (must be an integer from ${min} to ${max})`);
      return fallback;
    }
    return Number(raw);
  };
  const oneOf = <T extends string>(name: ConfigVariable, values: readonly T[], fallback: T): T => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    if (!(values as readonly string[]).includes(raw)) {
      problems.push(`${name}=${raw} 必须是 ${values.join('|')} 之一 (must be one of ${values.join(', ')})`);
      return fallback;
    }
    return raw as T;
  };
  const bool = (name: ConfigVariable, fallback: boolean): boolean => {
    const raw = get(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name}=${raw} 必须是 true 或 false (must be true or false)`);
    return fallback;
  };

  const port = int('PORT', 8080, 0, 65535);
  const host = get('HOST') ?? '127.0.0.1';
  const publicUrl = parseUrl(
    get('PUBLIC_URL') ?? `http://localhost:${port}`,
    'PUBLIC_URL',
    ['http:', 'https:'],
    problems,
  );
  const dataDir = path.resolve(cwd, get('DATA_DIR') ?? './data');
  const databaseUrl = get('DATABASE_URL');
  const poolSize = int('DB_POOL_SIZE', 10, 1, 200);
  let db: Config['db'] = { driver: 'sqlite', sqlitePath: path.join(dataDir, 'openfapiao.sqlite') };
  if (databaseUrl !== undefined) {
    const url = parseUrl(databaseUrl, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems);
    const listenUrl = get('DATABASE_LISTEN_URL');
    db = {
      driver: 'postgres',
      url,
      poolSize,
      preparedStatements: bool('DB_PREPARED_STATEMENTS', true),
      ...(listenUrl !== undefined
        ? { listenUrl: parseUrl(listenUrl, 'DATABASE_LISTEN_URL', ['postgres:', 'postgresql:'], problems) }
        : {}),
    };
  }
  const config: Config = {
    http: {
      host,
      port,
      publicUrl: publicUrl.replace(/\/+$/, ''),
      bodyLimitBytes: int('BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
      trustProxy: parseTrustProxy(get('TRUST_PROXY')),
    },
    server: serverTimeouts(int, problems),
    ops: {
      metricsToken: metricsToken(get('METRICS_TOKEN'), problems),
      apiDocs: bool('API_DOCS', true),
      workerHost: get('WORKER_HTTP_HOST') ?? '127.0.0.1',
      workerPort: int('WORKER_HTTP_PORT', 8081, 0, 65_535),
    },
    dataDir,
    db,
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    role: oneOf('ROLE', ROLES, 'all'),
    jobs: {
      concurrency: int('JOB_CONCURRENCY', 16, 1, 256),
      pollIntervalMs: int('JOB_POLL_INTERVAL_MS', 500, 10, 60_000),
      leaseMs: int('JOB_LEASE_MS', 30_000, 1000, 3_600_000),
      shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
      drainDelayMs: int('SHUTDOWN_DRAIN_DELAY_MS', 5000, 0, 600_000),
      retentionMs: int('JOB_RETENTION_DAYS', 7, 0, 3650) * 86_400_000,
    },
    auth: {
      accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_SECONDS', 7200, 60, 30 * 86_400),
      tokenRateLimitMax: int('AUTH_RATE_LIMIT_MAX', 30, 1, 1_000_000),
      tokenRateLimitWindowMs: int('AUTH_RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
      sessionIdleMs: int('SESSION_IDLE_TIMEOUT_MINUTES', 30, 1, 7 * 24 * 60) * 60_000,
      sessionAbsoluteMs: int('SESSION_ABSOLUTE_TIMEOUT_HOURS', 12, 1, 30 * 24) * 3_600_000,
      loginMaxFailuresPerUser: int('LOGIN_MAX_FAILURES_PER_USER', 5, 1, 1000),
      loginMaxFailuresPerAddress: int('LOGIN_MAX_FAILURES_PER_ADDRESS', 20, 1, 100_000),
      loginFailureWindowMs: int('LOGIN_FAILURE_WINDOW_MINUTES', 15, 1, 24 * 60) * 60_000,
      loginLockoutMs: int('LOGIN_LOCKOUT_MINUTES', 15, 1, 24 * 60) * 60_000,
    },
    demoSeed: bool('DEMO_SEED', true),
    channel: {
      kind: oneOf('CHANNEL', CHANNELS, 'sandbox'),
      verifyRatePerSecond: int('VERIFY_RATE_PER_SECOND', 20, 1, 10_000),
      verifyDailyQuota: int('VERIFY_DAILY_QUOTA', 100_000, 1, 100_000_000),
    },
    delivery: loadDeliveryConfig(get, int, problems),
    documents: {
      blobStore: oneOf('BLOB_STORE', BLOB_STORES, 'fs'),
      signingKey: signingKey(get('SIGNING_KEY'), problems),
    },
    exports: { maxRows: int('EXPORT_MAX_ROWS', 1_000_000, 1, 1_048_575) },
    collectOcr: oneOf('COLLECT_OCR', ['on', 'off'] as const, 'on') === 'on',
    collectParse: {
      workers: int('COLLECT_PARSE_WORKERS', 0, 0, 32),
      ocrWorkers: int('COLLECT_OCR_WORKERS', 1, 1, 16),
      ocrQueue: int('COLLECT_OCR_QUEUE', 32, 1, 10_000),
    },
    collectOrphanBlobGraceMinutes: int('COLLECT_ORPHAN_BLOB_GRACE_MINUTES', 60, 5, 10_080),
    collectMail: loadCollectMailConfig(get, int, env.COLLECT_LINK_HOSTS?.trim(), problems),
    assistant: {
      eventTtlSeconds: int('ASSISTANT_EVENT_TTL_SECONDS', 600, 60, 86_400),
      pushConnectionsPerTenant: int('ASSISTANT_PUSH_CONNECTIONS_PER_TENANT', 50, 1, 100_000),
      reverifyAfterHours: int('ASSISTANT_REVERIFY_AFTER_HOURS', 24, 0, 8_760),
      reverifyWaitSeconds: int('ASSISTANT_REVERIFY_WAIT_SECONDS', 10, 1, 60),
    },
  };
  if (problems.length > 0) {
    throw new AppError(CONFIG_INVALID, `配置错误 (invalid configuration):\n  - ${problems.join('\n  - ')}`, {
      problems,
    });
  }
  return config;
}

function serverTimeouts(
  int: (name: ConfigVariable, fallback: number, min: number, max: number) => number,
  problems: string[],
): Config['server'] {
  const timeouts = {
    headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    keepAliveTimeoutMs: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 5000, 100, 600_000),
    connectionTimeoutMs: int('HTTP_CONNECTION_TIMEOUT_MS', 60_000, 100, 3_600_000),
  };
  if (timeouts.headersTimeoutMs > timeouts.requestTimeoutMs) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS 不能大于 HTTP_REQUEST_TIMEOUT_MS (must not exceed HTTP_REQUEST_TIMEOUT_MS)');
  }
  return timeouts;
}

function metricsToken(raw: string | undefined, problems: string[]): string | null {
  if (raw !== undefined && raw.length < 16)
    problems.push('METRICS_TOKEN 至少 16 个字符 (must be at least 16 characters)');
  return raw ?? null;
}

function signingKey(raw: string | undefined, problems: string[]): string | null {
  if (raw !== undefined && raw.length < 32)
    problems.push('SIGNING_KEY 至少 32 个字符 (must be at least 32 characters)');
  return raw ?? null;
}

function parseTrustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || ['false', '0', 'no', 'off'].includes(raw.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

function parseUrl(raw: string, name: string, protocols: string[], problems: string[]): string {
  try {
    const url = new URL(raw);
    if (!protocols.includes(url.protocol)) {
      problems.push(`${name} 的协议必须是 ${protocols.join(' 或 ')} (protocol must be ${protocols.join(' or ')})`);
    }
    return raw;
  } catch {
    problems.push(`${name}=${raw} 不是有效的 URL (not a valid URL)`);
    return raw;
  }
}
