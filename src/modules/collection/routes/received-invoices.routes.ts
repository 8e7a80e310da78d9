import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { type Static, Type } from 'typebox';
import { chinaDayStart, DAY_MS } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import { ctxOf, type Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { VALIDATION_FAILED } from '../../../platform/errors/platform.errors.js';
import { PageQuery, page, responses } from '../../../platform/http/schemas.js';
import { EXPORT_CONTENT_TYPES } from '../../../platform/table-export.js';
import { RECEIVED_INVOICE_KINDS } from '../../../tax/index.js';
import { withAudit } from '../../audit/index.js';
import { actorIdsNamed, auditMetaOf, getAuth } from '../../auth/index.js';
import { findOrg } from '../../orgs/index.js';
import {
  INVOICE_FILE_MISSING,
  INVOICE_FILE_TOO_LARGE,
  INVOICE_FILE_UNSUPPORTED,
  RECEIVED_BUYER_ORG_UNKNOWN,
  RECEIVED_EXPORT_TOO_LARGE,
  RECEIVED_FILE_NOT_FOUND,
  RECEIVED_INVOICE_NOT_FOUND,
  RECEIVED_TOO_MANY_FILES,
} from '../collection.errors.js';
import { COMPLIANCE_RESULTS, type ReceivedSource, VERIFICATION_STATUSES } from '../collection.tables.js';
import { deleteReceivedInvoice } from '../delete-received.js';
import { intakeReceivedFiles, sniffReceivedFormat } from '../intake.js';
import { enterReceivedInvoice } from '../manual-entry.js';
import { PARSE_LIMITS } from '../parse-pool.js';
import {
  countReceivedInvoicesUpTo,
  findFileById,
  findReceivedInvoice,
  listReceivedInvoices,
  type ReceivedInvoiceFilters,
} from '../received.repo.js';
import { receivedExportChunks } from '../received-export.js';
import { toReceivedInvoiceViews } from '../received-view.js';
import {
  ExportQuery,
  IdParams,
  IntakeReply,
  ManualEntryBody,
  PoolFilters,
  ReceivedInvoiceView,
} from './received.schemas.js';
import { OriginalFileReply, sendReceivedFile } from './send-received-file.js';

/** A comma-separated filter's values; a value it does not know is the client's mistake (400), never ignored. */
function listOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const values = value.split(',');
  const unknown = values.filter((v) => !(allowed as readonly string[]).includes(v));
  if (unknown.length > 0) {
    throw new AppError(VALIDATION_FAILED, undefined, {
      errors: [{ path: `/querystring/${name}`, message: `未知取值：${unknown.slice(0, 5).join(',')}` }],
    });
  }
  return values as T[];
}

type ExportQueryT = Static<typeof ExportQuery>;

/** The filters of a list or export query. */
export function poolFiltersOf(query: ExportQueryT): ReceivedInvoiceFilters {
  const { createdFrom, createdTo, verification, compliance, ids, kinds, ...rest } = query;
  const filters: ReceivedInvoiceFilters = {};
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) (filters as Record<string, unknown>)[key] = value;
  }
  if (rest.sellerTaxId) filters.sellerTaxId = rest.sellerTaxId.toUpperCase();
  if (rest.buyerTaxId) filters.buyerTaxId = rest.buyerTaxId.toUpperCase();
  const k = listOf('kinds', kinds, RECEIVED_INVOICE_KINDS);
  if (k) filters.kinds = k;
  if (createdFrom) filters.createdFrom = chinaDayStart(createdFrom);
  if (createdTo) filters.createdBefore = chinaDayStart(createdTo) + DAY_MS;
  const v = listOf('verification', verification, VERIFICATION_STATUSES);
  if (v) filters.verification = v;
  const c = listOf('compliance', compliance, COMPLIANCE_RESULTS);
  if (c) filters.compliance = c;
  if (ids) filters.ids = [...new Set(ids.split(','))];
  return filters;
}

/**
 * {@link poolFiltersOf}, with a 提交人 filter also matching by name: the value as stored (an id, a mail address), or
 * the display name, login name or app name the console shows for it.
 */
async function resolvedPoolFilters(
  db: Kysely<Database>,
  tenantId: string,
  query: ExportQueryT,
): Promise<ReceivedInvoiceFilters> {
  const filters = poolFiltersOf(query);
  if (typeof filters.broughtBy === 'string') {
    // As typed in a search box: surrounding blanks do not count, and nothing left is no filter.
    const wanted = filters.broughtBy.trim();
    if (wanted === '') delete filters.broughtBy;
    else {
      const named = await actorIdsNamed(db, tenantId, wanted);
      filters.broughtBy = named.length > 0 ? [wanted, ...named] : wanted;
    }
  }
  return filters;
}

const ListQuery = Type.Object({ ...PoolFilters, ...PageQuery });

const EXPORT_FILE_NAMES = {
  csv: { ascii: 'received-invoices.csv', chinese: '进项发票.csv' },
  xlsx: { ascii: 'received-invoices.xlsx', chinese: '进项发票.xlsx' },
} as const;

/** Limits of one upload: `file` parts, and their bytes together (a ZIP counts as one file). */
export const UPLOAD_LIMITS = { maxFiles: 20, maxTotalBytes: 64 * 1024 * 1024 } as const;

/** Who brought what the request carries: a console user uploads (`upload`), an API app calls (`api`). */
export function callerSource(request: FastifyRequest): { source: ReceivedSource; broughtBy: string } {
  const caller = getAuth(request);
  return { source: caller.kind === 'user' ? 'upload' : 'api', broughtBy: caller.actorId };
}

/** The org a `buyerTaxId` names (422 when the tenant has none by that tax id). */
async function buyerOrgOf(deps: Deps, tenantId: string, taxId: string | undefined): Promise<string | undefined> {
  if (!taxId) return undefined;
  const org = await findOrg(deps.db.kysely, tenantId, taxId.trim().toUpperCase());
  if (!org) throw new AppError(RECEIVED_BUYER_ORG_UNKNOWN, `buyerTaxId ${taxId.slice(0, 20)} 不是本租户的组织`);
  return org.id;
}

export interface Upload {
  files: Array<{ fileName: string; bytes: Uint8Array }>;
  fields: { buyerTaxId?: string; note?: string };
}

/** Reads the multipart body: `file` parts (each ≤ 20 MiB, ≤ 20 of them, ≤ 64 MiB together), `buyerTaxId`, `note`. */
export async function readUpload(request: FastifyRequest): Promise<Upload> {
  const upload: Upload = { files: [], fields: {} };
  let total = 0;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw new AppError(
            INVOICE_FILE_MISSING,
            `未知的文件字段 ${part.fieldname.slice(0, 40)}：文件请放在 file 字段`,
          );
        }
        const bytes = await part.toBuffer();
        total += bytes.length;
        if (total > UPLOAD_LIMITS.maxTotalBytes) {
          throw new AppError(
            INVOICE_FILE_TOO_LARGE,
            `一次上传的文件合计超过 ${UPLOAD_LIMITS.maxTotalBytes / 1048576} MiB`,
          );
        }
        upload.files.push({ fileName: part.filename || 'file', bytes });
      } else if (part.fieldname === 'buyerTaxId' || part.fieldname === 'note') {
        const value = String(part.value ?? '');
        if (value.length > (part.fieldname === 'note' ? 500 : 20)) {
          throw new AppError(INVOICE_FILE_MISSING, `${part.fieldname} 过长`, { field: part.fieldname });
        }
        if (value !== '') upload.fields[part.fieldname] = value;
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError(INVOICE_FILE_TOO_LARGE);
    if (code === 'FST_FILES_LIMIT') {
      throw new AppError(RECEIVED_TOO_MANY_FILES, `一次最多上传 ${UPLOAD_LIMITS.maxFiles} 个文件`, {
        maxFiles: UPLOAD_LIMITS.maxFiles,
      });
    }
    if (code.startsWith('FST_')) throw new AppError(INVOICE_FILE_MISSING, undefined, { reason: code });
    throw err;
  }
  if (upload.files.length === 0) throw new AppError(INVOICE_FILE_MISSING);
  return upload;
}

const UploadParts = Type.Object({
  file: Type.Optional(
    Type.Array(Type.Unsafe<Buffer>({ type: 'string', format: 'binary', maxLength: PARSE_LIMITS.maxFileBytes }), {
      maxItems: UPLOAD_LIMITS.maxFiles,
      description: 'PDF, OFD, XML, JPEG, PNG, WebP or ZIP; several parts allowed',
    }),
  ),
  buyerTaxId: Type.Optional(Type.String({ maxLength: 20, description: '收票组织的税号' })),
  note: Type.Optional(Type.String({ maxLength: 500 })),
});

const SUPPORTED_FORMATS = new Set(['pdf', 'ofd', 'xml', 'zip', 'png', 'jpeg', 'webp']);

/** 415 INVOICE_FILE_UNSUPPORTED naming the first file that is no invoice format (sniffed, never the name). */
export function assertSupportedUploads(files: Upload['files']): void {
  for (const file of files) {
    if (!SUPPORTED_FORMATS.has(file.bytes.length ? sniffReceivedFormat(file.bytes) : 'empty')) {
      throw new AppError(
        INVOICE_FILE_UNSUPPORTED,
        `不支持的文件类型：${file.fileName.slice(0, 100)}（请上传 PDF、OFD、XML、JPEG、PNG、WebP 或其 ZIP 压缩包）`,
        { fileName: file.fileName.slice(0, 255) },
      );
    }
  }
}

/** `@fastify/multipart` limits of an upload route (register them in the route's plugin, then {@link readUpload}). */
export const UPLOAD_MULTIPART_LIMITS = {
  files: UPLOAD_LIMITS.maxFiles,
  fileSize: PARSE_LIMITS.maxFileBytes,
  fields: 10,
  fieldSize: 2048,
  parts: UPLOAD_LIMITS.maxFiles + 10,
  headerPairs: 50,
} as const;

/** The received-invoice pool (进项发票池): intake by upload or manual entry, and each item's view. */
export const receivedInvoicesRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  await app.register(multipart, { limits: UPLOAD_MULTIPART_LIMITS });
  const common = { tags: ['collection'], security: [{ bearerAuth: [] }] };
  const db = deps.db.kysely;

  app.post(
    '/api/v1/received-invoices',
    {
      config: { permission: 'received.manage' },
      schema: {
        ...common,
        summary: '收票 (upload invoice files, or enter one by hand)',
        description:
          'multipart/form-data: one or more `file` parts (PDF, OFD, XML, JPEG, PNG, WebP, or a ZIP of those; each ≤ 20 MiB, ' +
          'at most 20 files and 64 MiB together), optional `buyerTaxId` and `note`. Every file is stored unchanged, ' +
          'parsed on the box, and each invoice found becomes an item; a file that cannot be read is kept with its ' +
          'error (`files[].error`). The same file again answers its existing items (200; 201 when anything is new). ' +
          'application/json: a manual entry `{number, issueDate, total or amount, checkCode?, code?, kind?}`.',
        consumes: ['multipart/form-data', 'application/json'],
        body: {
          content: {
            'application/json': { schema: ManualEntryBody },
            // For the OpenAPI document: the parts are read (and checked) by readUpload, not by the validator.
            'multipart/form-data': { schema: UploadParts },
          },
        } as never,
        response: responses({ 200: IntakeReply, 201: IntakeReply }, [400, 401, 403, 413, 415, 422]),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      if (!request.isMultipart()) {
        if (request.mediaType !== 'application/json') throw new AppError(INVOICE_FILE_MISSING);
        const { buyerTaxId, note, ...entry } = request.body as Static<typeof ManualEntryBody>;
        const view = await enterReceivedInvoice(deps, {
          tenantId,
          entry,
          source: 'manual',
          broughtBy: getAuth(request).actorId,
          buyerOrgId: (await buyerOrgOf(deps, tenantId, buyerTaxId)) ?? null,
          ...(note ? { note } : {}),
        });
        return reply.status(201).send({ items: [view], files: [] });
      }
      const upload = await readUpload(request);
      assertSupportedUploads(upload.files);
      const buyerOrgId = await buyerOrgOf(deps, tenantId, upload.fields.buyerTaxId);
      const result = await intakeReceivedFiles(deps, {
        tenantId,
        files: upload.files,
        ...callerSource(request),
        ...(buyerOrgId ? { buyerOrgId } : {}),
        ...(upload.fields.note ? { note: upload.fields.note } : {}),
      });
      const anythingNew = result.createdItems > 0 || result.files.some((f) => f.created);
      return reply.status(anythingNew ? 201 : 200).send({ items: result.items, files: result.files });
    },
  );

  app.get(
    '/api/v1/received-invoices/:id',
    {
      config: { permission: 'received.read' },
      schema: {
        ...common,
        summary: '收到的发票 (one received invoice)',
        params: IdParams,
        response: responses({ 200: ReceivedInvoiceView }),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const item = await findReceivedInvoice(db, tenantId, request.params.id);
      if (!item) throw new AppError(RECEIVED_INVOICE_NOT_FOUND);
      const [view] = await toReceivedInvoiceViews(db, tenantId, [item]);
      return view!;
    },
  );

  app.get(
    '/api/v1/received-invoices',
    {
      config: { permission: 'received.read' },
      schema: {
        ...common,
        summary: '进项发票池查询 (the received-invoice pool, newest first)',
        querystring: ListQuery,
        response: responses({ 200: page(ReceivedInvoiceView) }),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const { cursor, limit, ...query } = request.query;
      const result = await listReceivedInvoices(db, tenantId, await resolvedPoolFilters(db, tenantId, query), {
        ...(cursor ? { cursor } : {}),
        limit: limit ?? 50,
      });
      return { items: await toReceivedInvoiceViews(db, tenantId, result.items), nextCursor: result.nextCursor };
    },
  );

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(
      `/api/v1/received-invoices/export.${format}`,
      {
        config: { permission: 'received.read' },
        schema: {
          ...common,
          summary: `导出进项发票 ${format.toUpperCase()} (streamed export of the pool)`,
          description:
            '与票池查询相同的筛选条件，或 ids（所选行）。流式输出，最多 EXPORT_MAX_ROWS 行（超出返回 422 RECEIVED_EXPORT_TOO_LARGE）。' +
            '发票号码、代码、税号为文本，金额为两位小数。',
          querystring: ExportQuery,
          produces: [EXPORT_CONTENT_TYPES[format]],
          response: responses({ 200: Type.String() }, [400, 401, 403, 422]),
        },
      },
      async (request, reply) => {
        const { tenantId } = getAuth(request);
        const filters = await resolvedPoolFilters(db, tenantId, request.query);
        const maxRows = deps.config.exports.maxRows;
        const rows = await countReceivedInvoicesUpTo(db, tenantId, filters, maxRows + 1);
        if (rows > maxRows) throw new AppError(RECEIVED_EXPORT_TOO_LARGE, undefined, { maxRows });
        // A bulk read of suppliers' data: recorded like the invoice pool's export.
        await withAudit(
          { ...ctxOf(deps), jobs: deps.jobs },
          auditMetaOf(request),
          async () => rows,
          () => ({
            action: 'received.export',
            target: { type: 'received_pool', id: format },
            after: { format, rows, filters: request.query },
          }),
        );
        const name = EXPORT_FILE_NAMES[format];
        return reply
          .type(EXPORT_CONTENT_TYPES[format])
          .header('cache-control', 'no-store')
          .header('x-export-rows', String(rows))
          .header(
            'content-disposition',
            `attachment; filename="${name.ascii}"; filename*=UTF-8''${encodeURIComponent(name.chinese)}`,
          )
          .send(Readable.from(receivedExportChunks(format, db, tenantId, filters), { objectMode: false }));
      },
    );
  }

  app.get(
    '/api/v1/received-invoices/:id/file',
    {
      config: { permission: 'received.read' },
      schema: {
        ...common,
        summary: '原始文件 (the file the invoice was read from, unchanged)',
        params: IdParams,
        produces: ['application/octet-stream'],
        response: responses({ 200: OriginalFileReply }),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      const item = await findReceivedInvoice(db, tenantId, request.params.id);
      if (!item) throw new AppError(RECEIVED_INVOICE_NOT_FOUND);
      const file = item.file_id ? await findFileById(db, tenantId, item.file_id) : undefined;
      if (!file) throw new AppError(RECEIVED_FILE_NOT_FOUND, '该发票为手工录入，没有原始文件');
      return sendReceivedFile(deps, request, reply, file);
    },
  );

  app.delete(
    '/api/v1/received-invoices/:id',
    {
      config: { permission: 'received.manage' },
      schema: {
        ...common,
        summary: '删除收到的发票 (only while unused; audited)',
        params: IdParams,
        response: responses({ 204: Type.Null() }, [400, 401, 403, 404, 409]),
      },
    },
    async (request, reply) => {
      await deleteReceivedInvoice(deps, {
        tenantId: getAuth(request).tenantId,
        id: request.params.id,
        audit: auditMetaOf(request),
      });
      return reply.status(204).send(null);
    },
  );
};
