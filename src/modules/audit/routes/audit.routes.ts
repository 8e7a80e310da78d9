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
};
