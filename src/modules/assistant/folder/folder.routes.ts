import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { responses } from '../../../platform/http/schemas.js';
import { USAGE_STATUSES } from '../../../tax/index.js';
import { auditMetaOf, getAuth } from '../../auth/index.js';
import {
  assertSupportedUploads,
  INVOICE_FILE_MISSING,
  ReceivedInvoiceViewSchema,
  readUpload,
  toReceivedInvoiceViews,
  UPLOAD_MULTIPART_LIMITS,
} from '../../collection/index.js';
import { employeeOfCaller, handOver, updateEmployee } from './employees.js';
import { searchEmployees } from './folder.repo.js';
import { intakeIntoFolder } from './folder-intake.js';
import { listFolder } from './folder-list.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** A folder item is the pool's view of the invoice (its `usage` and `usageStatus` included). */
const FolderItem = ReceivedInvoiceViewSchema;
const date = (description: string) => Type.Optional(Type.String({ maxLength: 10, format: 'date', description }));

const FolderQuery = Type.Object({
  status: Type.Optional(
    Type.Union(
      [...USAGE_STATUSES, 'all'].map((s) => Type.Literal(s)),
      {
        description: '报销状态 (as the pool): unused 未报销 | claimed 已报销 | booked 已入账 | all',
      },
    ),
  ),
  q: Type.Optional(Type.String({ maxLength: 20, description: '发票号码 (或其开头)' })),
  from: date('开票日期起 (YYYY-MM-DD)'),
  to: date('开票日期止 (YYYY-MM-DD, 含)'),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

const EmployeeView = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  userId: Type.Optional(Nullable(Type.String())),
  externalId: Type.Optional(Nullable(Type.String())),
  updatedAt: Type.Optional(Type.String()),
});

/** 个人票夹 (folder.own: the caller's own folder) and employees (colleagues to hand over to; links by users.manage). */
export const folderRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  await app.register(multipart, { limits: UPLOAD_MULTIPART_LIMITS });
  const db = deps.db.kysely;
  const common = { tags: ['folder'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/v1/folder',
    {
      config: { permission: 'folder.own' },
      schema: {
        ...common,
        summary: '我的票夹 (items with their usage: bills, voucher)',
        querystring: FolderQuery,
        response: responses({
          200: Type.Object({ items: Type.Array(FolderItem), nextCursor: Nullable(Type.String()) }),
        }),
      },
    },
    async (request) => {
      const caller = getAuth(request);
      const employee = await employeeOfCaller(deps, caller);
      const page = await listFolder(db, caller.tenantId, employee.id, request.query);
      const views = await toReceivedInvoiceViews(db, caller.tenantId, page.items);
      return { items: views, nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/v1/folder/files',
    {
      config: { permission: 'folder.own' },
      schema: {
        ...common,
        summary: '上传发票到我的票夹 (multipart `file` parts, same limits as received-invoices)',
        consumes: ['multipart/form-data'],
        response: responses(
          {
            201: Type.Object({
              items: Type.Array(FolderItem),
              files: Type.Array(
                Type.Object({
                  fileName: Type.String(),
                  sha256: Type.String({ description: 'SHA-256 of the file; the items read from it carry the same' }),
                  status: Type.String({
                    description: 'ok | failed (`error`) | archive | ocr_pending (`pending`: read again later)',
                  }),
                  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
                  pending: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
                }),
              ),
            }),
          },
          [400, 401, 403, 413, 415],
        ),
      },
    },
    async (request, reply) => {
      const caller = getAuth(request);
      if (!request.isMultipart()) throw new AppError(INVOICE_FILE_MISSING);
      const upload = await readUpload(request);
      assertSupportedUploads(upload.files);
      const employee = await employeeOfCaller(deps, caller);
      const result = await intakeIntoFolder(
        deps,
        { tenantId: caller.tenantId, employeeId: employee.id, source: 'upload', broughtBy: caller.actorId },
        upload.files,
      );
      const views = await toReceivedInvoiceViews(db, caller.tenantId, result.rows);
      return reply.status(201).send({ items: views, files: result.files });
    },
  );

  app.post(
    '/api/v1/folder/hand-over',
    {
      config: { permission: 'folder.own' },
      schema: {
        ...common,
        summary: '转交发票给同事 (only own items; audited)',
        body: Type.Object(
          {
            invoiceIds: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 100 }),
            toEmployeeId: Type.String({ maxLength: 64 }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ moved: Type.Array(Type.String()) }) }, [400, 401, 403, 404, 422]),
      },
    },
    async (request) => {
      const caller = getAuth(request);
      const employee = await employeeOfCaller(deps, caller);
      const moved = await handOver(
        deps,
        auditMetaOf(request),
        employee,
        request.body.toEmployeeId,
        request.body.invoiceIds,
      );
      return { moved };
    },
  );

  app.get(
    '/api/v1/employees',
    {
      config: { permission: 'folder.own' },
      schema: {
        ...common,
        summary: '员工 (pick a colleague: id and name)',
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 50 })) }),
        response: responses({ 200: Type.Object({ items: Type.Array(EmployeeView) }) }),
      },
    },
    async (request) => {
      const caller = getAuth(request);
      const rows = await searchEmployees(db, caller.tenantId, request.query.q?.trim() || undefined, 50);
      return { items: rows.map((e) => ({ id: e.id, name: e.name })) };
    },
  );

  app.put(
    '/api/v1/employees/:id',
    {
      config: { permission: 'users.manage' },
      schema: {
        ...common,
        summary: '关联员工 (console user and/or the expense system’s user id; name)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {
            userId: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
            externalId: Type.Optional(Nullable(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.@:-]{1,64}$' }))),
            name: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: responses({ 200: EmployeeView }, [400, 401, 403, 404, 409, 422]),
      },
    },
    async (request) => {
      const caller = getAuth(request);
      const row = await updateEmployee(deps, auditMetaOf(request), caller.tenantId, request.params.id, request.body);
      return {
        id: row.id,
        name: row.name,
        userId: row.user_id,
        externalId: row.external_id,
        updatedAt: toIsoCst(Number(row.updated_at)),
      };
    },
  );
};
