import fs from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../platform/clock.js';
import type { Config } from '../../platform/config/load-config.js';
import { isSchemaCurrent } from '../../platform/db/migrate.js';
import type { Deps } from '../../platform/deps.js';
import { IsoTime, responses } from '../../platform/http/schemas.js';
import { countJobsByTaskAndState, JOB_STATES } from '../../platform/jobs/index.js';
import { getAuth, listUsers } from '../auth/index.js';
import { listOrgs } from '../orgs/index.js';

const PACKAGE_VERSION = (
  JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** `scheme://host:port/path` of a URL, never its user, password or query (they may carry credentials). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(无效地址)';
  }
}

const Str = Type.String();
const Bool = Type.Boolean();
const Int = Type.Integer();

export const SystemView = Type.Object({
  asOf: IsoTime,
  version: Type.String({ description: 'OpenFapiao version (package.json)' }),
  node: Type.String({ description: 'Node.js version of this process' }),
  role: Type.String({ description: 'ROLE of this node: all | web | worker' }),
  uptimeSeconds: Int,
  health: Type.Object({
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
    migrations: Type.Union([Type.Literal('ok'), Type.Literal('pending'), Type.Literal('unknown')]),
  }),
  config: Type.Object(
    {
      database: Type.Object({
        dialect: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
        location: Str,
        poolSize: Type.Union([Int, Type.Null()]),
      }),
      publicUrl: Str,
      channel: Str,
      blobStore: Str,
      mail: Type.Object({ transport: Type.Union([Type.Literal('smtp'), Type.Literal('outbox')]), server: Str }),
      sms: Type.Object({ transport: Type.Union([Type.Literal('http'), Type.Literal('outbox')]), server: Str }),
      secretEncryption: Bool,
      downloadLinkSigningKey: Bool,
      metricsProtected: Bool,
      apiDocs: Bool,
      sessionIdleMinutes: Int,
      sessionAbsoluteHours: Int,
      loginMaxFailuresPerUser: Int,
      loginLockoutMinutes: Int,
      jobConcurrency: Int,
      jobRetentionDays: Int,
    },
    { description: 'What this node runs with; secrets only as configured yes/no, URLs without credentials' },
  ),
  counts: Type.Object({ users: Int, orgs: Int }),
  jobs: Type.Object({
    byState: Type.Record(Type.String(), Int),
    byTask: Type.Array(
      Type.Object({ task: Str, state: Type.Union(JOB_STATES.map((s) => Type.Literal(s))), count: Int }),
    ),
  }),
});

/** The configuration summary: nothing that is a secret or carries one (docs/console.md#系统). */
export function configSummary(config: Config) {
  const db = config.db;
  const { delivery } = config;
  return {
    database:
      db.driver === 'sqlite'
        ? { dialect: 'sqlite' as const, location: db.sqlitePath, poolSize: null }
        : { dialect: 'postgres' as const, location: redactUrl(db.url), poolSize: db.poolSize },
    publicUrl: redactUrl(config.http.publicUrl),
    channel: config.channel.kind,
    blobStore: config.documents.blobStore,
    mail: delivery.smtpUrl
      ? { transport: 'smtp' as const, server: redactUrl(delivery.smtpUrl) }
      : { transport: 'outbox' as const, server: '' },
    sms: delivery.smsGateway
      ? { transport: 'http' as const, server: redactUrl(delivery.smsGateway.url) }
      : { transport: 'outbox' as const, server: '' },
    secretEncryption: delivery.secretEncryptionKey !== null,
    downloadLinkSigningKey: config.documents.signingKey !== null,
    metricsProtected: config.ops.metricsToken !== null,
    apiDocs: config.ops.apiDocs,
    sessionIdleMinutes: Math.round(config.auth.sessionIdleMs / 60_000),
    sessionAbsoluteHours: Math.round(config.auth.sessionAbsoluteMs / 3_600_000),
    loginMaxFailuresPerUser: config.auth.loginMaxFailuresPerUser,
    loginLockoutMinutes: Math.round(config.auth.loginLockoutMs / 60_000),
    jobConcurrency: config.jobs.concurrency,
    jobRetentionDays: Math.round(config.jobs.retentionMs / 86_400_000),
  };
}

/** 系统: version, health, configuration summary (no secrets), counts and the tenant's job queue by task and state. */
export const systemRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/api/v1/system',
    {
      config: { permission: 'system.read' },
      schema: {
        tags: ['system'],
        summary: '系统概况 (version, health, configuration without secrets, job queue)',
        response: responses({ 200: SystemView }, [401, 403]),
      },
    },
    async (request) => {
      const tenantId = getAuth(request).tenantId;
      const db = deps.db.kysely;
      let database: 'ok' | 'unreachable' = 'ok';
      let migrations: 'ok' | 'pending' | 'unknown' = 'unknown';
      try {
        // Reads the applied migrations: a database that does not answer throws.
        migrations = (await isSchemaCurrent(db)) ? 'ok' : 'pending';
      } catch {
        database = 'unreachable';
      }
      const [users, orgs, byTask] = await Promise.all([
        listUsers({ db }, tenantId),
        listOrgs({ db }, tenantId),
        countJobsByTaskAndState(db, { tenantId }),
      ]);
      const byState: Record<string, number> = Object.fromEntries(JOB_STATES.map((s) => [s, 0]));
      for (const row of byTask) byState[row.state] = (byState[row.state] ?? 0) + row.count;
      return {
        asOf: toIsoCst(deps.clock.now()),
        version: PACKAGE_VERSION,
        node: process.version,
        role: deps.config.role,
        uptimeSeconds: Math.floor(process.uptime()),
        health: {
          status: database === 'ok' && migrations === 'ok' ? ('ok' as const) : ('degraded' as const),
          database,
          migrations,
        },
        config: configSummary(deps.config),
        counts: { users: users.length, orgs: orgs.length },
        jobs: { byState, byTask },
      };
    },
  );
};
