import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { IsoTime, PageQuery, page, responses } from '../../../platform/http/schemas.js';
import type { AuditSearch } from '../audit.repo.js';
import { AUDIT_ACTOR_KINDS, type AuditEntryRow } from '../audit.tables.js';
import { allAuditEntries, searchAudit } from '../search.js';
import { auditDiffJson } from '../stored-json.js';
import { verifyAuditChains } from '../verify.js';

export const AuditEntryView = Type.Object({
  id: Type.String(),
  seq: Type.Union([Type.Integer(), Type.Null()], { description: 'Position in the hash chain; null until sealed' }),
  at: IsoTime,
  actor: Type.Object({
    kind: Type.Union(AUDIT_ACTOR_KINDS.map((k) => Type.Literal(k))),
    id: Type.String(),
    name: Type.String(),
  }),
  action: Type.String(),
  target: Type.Object({ type: Type.String(), id: Type.String() }),
  diff: Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() })),
  requestId: Type.Union([Type.String(), Type.Null()]),
  clientAddress: Type.Union([Type.String(), Type.Null()]),
});

/** The most chained entries one `GET /api/v1/audit-log/verify` recomputes (the CLI has no bound). */
export const AUDIT_VERIFY_MAX_ENTRIES = 200_000;

export const AuditVerifyView = Type.Object({
  ok: Type.Boolean({ description: 'No broken entry among those checked' }),
  complete: Type.Boolean({
    description: `false: the chain is longer than ${AUDIT_VERIFY_MAX_ENTRIES} entries; only its start was checked (run \`openfapiao audit verify\` for all)`,
  }),
  checked: Type.Integer({ description: 'Chained entries recomputed' }),
  unsealed: Type.Integer({ description: 'Entries not chained yet (chained within seconds; not covered)' }),
  broken: Type.Union(
    [
      Type.Object({
        id: Type.String(),
        seq: Type.Integer(),
        reason: Type.Union([
          Type.Literal('seq_gap'),
          Type.Literal('prev_hash_mismatch'),
          Type.Literal('hash_mismatch'),
        ]),
      }),
      Type.Null(),
    ],
    { description: 'The first broken entry in chain order: an entry deleted, inserted or edited' },
  ),
});

const time = (description: string) =>
  Type.Optional(Type.String({ maxLength: 40, format: 'date-time', description: `${description} (ISO 8601)` }));

export const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 100, description: 'User id or username, or app id' })),
  action: Type.Optional(
    Type.String({ maxLength: 60, pattern: '^[a-z_]+(\\.[a-z_]+)*$', description: '`orgs` or `orgs.create`' }),
  ),
  target: Type.Optional(Type.String({ maxLength: 200, description: 'Target id (tax id, serial number, user id…)' })),
  from: time('At or after'),
  to: time('Before'),
});

export function toAuditEntryView(row: AuditEntryRow) {
  return {
    id: row.id,
    seq: row.seq === null ? null : Number(row.seq),
    at: toIsoCst(Number(row.at)),
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    diff: auditDiffJson.decode(row.diff_json),
    requestId: row.request_id,
    clientAddress: row.client_address,
  };
}

const CSV_HEADER = [
  '序号',
  '时间',
  '操作人类型',
  '操作人',
  '操作人ID',
  '操作',
  '对象类型',
  '对象',
  '变更',
  '请求ID',
  '客户端地址',
];

function cell(value: string): string {
  // Quote every cell; neutralise leading = + - @ so spreadsheets do not evaluate them (CSV injection).
  const safe = /^[=+@\t\r-]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

function csvLine(row: AuditEntryRow): string {
  return `${[
    row.seq === null ? '' : String(row.seq),
    toIsoCst(Number(row.at)),
    row.actor_kind,
    row.actor_name,
    row.actor_id,
    row.action,
    row.target_type,
    row.target_id,
    row.diff_json,
    row.request_id ?? '',
    row.client_address ?? '',
  ]
    .map(cell)
    .join(',')}\r\n`;
}

/**
 * 审计日志: search (cursor pages) and CSV export (streamed a page at a time) of the caller's tenant. There is no
 * route that changes or deletes an entry. `tenantOf` comes from the wiring (auth sits above audit).
 */
export const auditRoutes: FastifyPluginAsyncTypebox<{
  deps: Deps;
  tenantOf: (request: FastifyRequest) => string;
}> = async (app, { deps, tenantOf }) => {
  const security: { [k: string]: string[] }[] = [{ bearerAuth: [] }, { sessionCookie: [] }];
  const common = { tags: ['audit'], security };
  const ctx = { db: deps.db.kysely };
  const searchOf = (
    request: FastifyRequest,
    q: { actor?: string; action?: string; target?: string; from?: string; to?: string },
  ): AuditSearch => ({
    tenantId: tenantOf(request),
    actor: q.actor,
    action: q.action,
    target: q.target,
    from: q.from === undefined ? undefined : Date.parse(q.from),
    to: q.to === undefined ? undefined : Date.parse(q.to),
  });

  app.get(
    '/api/v1/audit-log',
    {
      config: { permission: 'audit.read' },
      schema: {
        ...common,
        summary: '审计日志 (search the audit log)',
        querystring: Type.Object({ ...AuditQuery.properties, ...PageQuery }),
        response: responses({ 200: page(AuditEntryView) }, [400, 401, 403]),
      },
    },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      const result = await searchAudit(ctx, searchOf(request, filters), { cursor, limit: limit ?? 50 });
      return { items: result.items.map(toAuditEntryView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/api/v1/audit-log/export.csv',
    {
      config: { permission: 'audit.read' },
      schema: {
        ...common,
        summary: '导出审计日志 CSV (export, streamed)',
        querystring: AuditQuery,
        produces: ['text/csv'],
        response: responses({ 200: Type.String() }, [400, 401, 403]),
      },
    },
    async (request, reply) => {
      const search = searchOf(request, request.query);
      async function* lines() {
        yield `\uFEFF${CSV_HEADER.map(cell).join(',')}\r\n`;
        for await (const row of allAuditEntries(ctx, search)) yield csvLine(row);
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit-log.csv"')
        .send(Readable.from(lines()));
    },
  );

  app.get(
    '/api/v1/audit-log/verify',
    {
      config: { permission: 'audit.read' },
      schema: {
        ...common,
        summary: '校验审计日志哈希链 (verify the hash chain, as `openfapiao audit verify`)',
        response: responses({ 200: AuditVerifyView }, [401, 403]),
      },
    },
    async (request) => {
      const result = await verifyAuditChains(ctx, {
        tenantId: tenantOf(request),
        maxEntries: AUDIT_VERIFY_MAX_ENTRIES,
      });
      const first = result.broken[0];
      return {
        ok: result.ok,
        complete: result.complete,
        checked: result.checked,
        unsealed: result.unsealed,
        broken: first ? { id: first.id, seq: first.seq, reason: first.reason } : null,
      };
    },
  );
};
