import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { RATE_LIMITED } from '../../../platform/errors/platform.errors.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import {
  fenToDecimalString,
  parseInvoiceQrPayload,
  RECEIVED_INVOICE_KINDS,
  type ReceivedInvoiceKind,
} from '../../../tax/index.js';
import {
  assertSupportedUploads,
  findReceivedFile,
  findReceivedInvoice,
  findReceivedInvoicesByIds,
  INVOICE_FILE_MISSING,
  type ManualEntry,
  readUpload,
  sendReceivedFile,
  UPLOAD_MULTIPART_LIMITS,
} from '../../collection/index.js';
import type { AssistantEvent } from '../assistant.tables.js';
import { companiesOf } from '../events/create-event.js';
import { eventOfRequest } from '../events/event-auth.js';
import { findEmployee } from '../events/events.repo.js';
import { findBillWithInvoices, ownersOf } from '../folder/folder.repo.js';
import { enterIntoFolder, intakeIntoFolder } from '../folder/folder-intake.js';
import { listFolder } from '../folder/folder-list.js';
import { AssistantItemSchema, toAssistantItems } from './assistant-item.js';
import { importInvoices } from './import.js';
import { ASSISTANT_ITEM_NOT_FOUND, ASSISTANT_QR_INVALID } from './pages.errors.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const PageState = Type.Object({
  event: Type.Object({
    resource: Type.String(),
    billId: Type.String(),
    billNo: Nullable(Type.String()),
    billType: Nullable(Type.String()),
    billTaxNo: Nullable(Type.String()),
    pushType: Type.String(),
    expiresAt: IsoTime,
    companyInfo: Type.Array(Type.Object({ taxNo: Type.String(), name: Type.String() })),
  }),
  employee: Type.Object({ id: Type.String(), name: Nullable(Type.String()) }),
});

const ItemsReply = Type.Object({ items: Type.Array(AssistantItemSchema) });
const UploadReply = Type.Object({
  items: Type.Array(AssistantItemSchema),
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
});
const FolderReply = Type.Object({ items: Type.Array(AssistantItemSchema), nextCursor: Nullable(Type.String()) });
const BillReply = Type.Object({
  bill: Nullable(
    Type.Object({
      resource: Type.String(),
      billId: Type.String(),
      billNo: Nullable(Type.String()),
      billType: Nullable(Type.String()),
      status: Type.String(),
      invoices: Type.Array(Type.Object({ amount: Type.String(), invoice: AssistantItemSchema })),
    }),
  ),
});

const Amount = Type.String({ maxLength: 16, pattern: '^\\d{1,13}(\\.\\d{1,2})?$', description: '报销金额 (元)' });
const ImportBody = Type.Object(
  {
    invoices: Type.Array(
      Type.Object(
        { invoiceId: Type.String({ maxLength: 64 }), amount: Type.Optional(Amount) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

/** The most ids `GET …/items?ids=` takes. */
const MAX_IDS = 100;

/** JSON bodies of the pages are small (an import of 100 invoices is ~10 KB). */
const PAGE_BODY_LIMIT = 64 * 1024;

const rateLimited = (max: number) => ({
  max,
  timeWindow: 60_000,
  errorResponseBuilder: (_req: unknown, context: { ttl: number }) =>
    new AppError(RATE_LIMITED, undefined, { retryAfterSeconds: Math.ceil(context.ttl / 1000) }),
});

/**
 * The API behind the assistant pages (docs/assistant.md#assistant-pages-api): public routes authorised by a live
 * event code in the `X-Event-Code` header (never in the URL of an API call, so it stays out of access logs), scoped
 * to the event's tenant, bill and employee.
 */
export const assistantPageRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  await app.register(multipart, { limits: UPLOAD_MULTIPART_LIMITS });
  const db = deps.db.kysely;
  const common = { tags: ['assistant-pages'] };
  const config = (max: number) => ({ permission: 'public' as const, rateLimit: rateLimited(max) });
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  const employeeOf = async (event: AssistantEvent) => {
    const employee = await findEmployee(db, event.tenant_id, event.employee_id);
    return { id: event.employee_id, name: employee?.name ?? null };
  };

  app.get(
    '/api/v1/assistant/page',
    {
      config: config(600),
      schema: {
        ...common,
        summary: '事件码对应的单据与员工 (header X-Event-Code)',
        response: responses({ 200: PageState }, [401]),
      },
    },
    async (request) => {
      const event = await eventOfRequest(deps, request);
      return {
        event: {
          resource: event.resource,
          billId: event.bill_id,
          billNo: event.bill_no,
          billType: event.bill_type,
          billTaxNo: event.bill_tax_no,
          pushType: event.push_type,
          expiresAt: toIsoCst(Number(event.expires_at)),
          companyInfo: companiesOf(event),
        },
        employee: await employeeOf(event),
      };
    },
  );

  app.post(
    '/api/v1/assistant/page/files',
    {
      config: config(60),
      schema: {
        ...common,
        summary: '上传发票文件到员工票夹 (multipart `file` parts)',
        description:
          'Same formats and limits as POST /api/v1/received-invoices (each ≤ 20 MiB, ≤ 20 files, ≤ 64 MiB together). ' +
          'Each item is checked against the bill (`check`); a file that cannot be read is answered with its error.',
        consumes: ['multipart/form-data'],
        response: responses({ 201: UploadReply }, [400, 401, 413, 415, 429]),
      },
    },
    async (request, reply) => {
      const event = await eventOfRequest(deps, request);
      if (!request.isMultipart()) throw new AppError(INVOICE_FILE_MISSING);
      const upload = await readUpload(request);
      assertSupportedUploads(upload.files);
      const result = await intakeIntoFolder(
        deps,
        {
          tenantId: event.tenant_id,
          employeeId: event.employee_id,
          source: 'assistant',
          broughtBy: event.user_id,
          sourceRef: event.id,
          companies: companiesOf(event),
        },
        upload.files,
      );
      const items = await toAssistantItems(db, event.tenant_id, result.rows, companiesOf(event), event.employee_id);
      return reply.status(201).send({ items, files: result.files });
    },
  );

  app.post(
    '/api/v1/assistant/page/qr',
    {
      bodyLimit: PAGE_BODY_LIMIT,
      config: config(60),
      schema: {
        ...common,
        summary: '扫码录入 (the text of an invoice QR code read in the browser)',
        body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
        response: responses({ 201: ItemsReply }, [400, 401, 422, 429]),
      },
    },
    async (request, reply) => {
      const event = await eventOfRequest(deps, request);
      const parsed = parseInvoiceQrPayload(request.body.text);
      if (!parsed.ok) {
        throw new AppError(
          ASSISTANT_QR_INVALID,
          parsed.reason === 'url' ? '区块链发票等网址二维码请上传发票文件' : `无法识别的发票二维码：${parsed.message}`,
        );
      }
      const q = parsed.data;
      const kind = (RECEIVED_INVOICE_KINDS as readonly string[]).includes(q.kind ?? '')
        ? (q.kind as ReceivedInvoiceKind)
        : undefined;
      const entry: ManualEntry = {
        number: q.invoiceNumber,
        issueDate: q.issueDate,
        ...(q.amountBasis === 'tax_inclusive' ? { total: q.amount } : { amount: q.amount }),
        ...(q.invoiceCode ? { code: q.invoiceCode } : {}),
        ...(q.checkCode ? { checkCode: q.checkCode } : {}),
        ...(kind ? { kind } : {}),
      };
      const rows = await enterIntoFolder(
        deps,
        {
          tenantId: event.tenant_id,
          employeeId: event.employee_id,
          source: 'assistant',
          broughtBy: event.user_id,
          sourceRef: event.id,
          companies: companiesOf(event),
        },
        entry,
      );
      const items = await toAssistantItems(db, event.tenant_id, rows, companiesOf(event), event.employee_id);
      return reply.status(201).send({ items });
    },
  );

  app.get(
    '/api/v1/assistant/page/items',
    {
      config: config(600),
      schema: {
        ...common,
        summary: '票夹中发票的当前状态 (ids=a,b,…; at most 100)',
        querystring: Type.Object({ ids: Type.String({ maxLength: 100 * 65 }) }),
        response: responses({ 200: ItemsReply }, [400, 401, 429]),
      },
    },
    async (request) => {
      const event = await eventOfRequest(deps, request);
      const ids = [...new Set(request.query.ids.split(',').map((s) => s.trim()))]
        .filter((s) => s.length > 0 && s.length <= 64)
        .slice(0, MAX_IDS);
      const owners = await ownersOf(db, event.tenant_id, ids);
      const own = ids.filter((id) => owners.get(id) === event.employee_id);
      const rows = await findReceivedInvoicesByIds(db, event.tenant_id, own);
      const order = new Map(own.map((id, i) => [id, i]));
      rows.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
      return { items: await toAssistantItems(db, event.tenant_id, rows, companiesOf(event), event.employee_id) };
    },
  );

  app.get(
    '/api/v1/assistant/page/folder',
    {
      config: config(600),
      schema: {
        ...common,
        summary: '员工票夹 (status=unused|all, q=发票号码, cursor)',
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('unused'), Type.Literal('all')])),
          q: Type.Optional(Type.String({ maxLength: 20 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: responses({ 200: FolderReply }, [400, 401, 429]),
      },
    },
    async (request) => {
      const event = await eventOfRequest(deps, request);
      const { status, q, cursor } = request.query;
      const page = await listFolder(db, event.tenant_id, event.employee_id, {
        status: status ?? 'unused',
        q,
        cursor,
        limit: 50,
      });
      return {
        items: await toAssistantItems(db, event.tenant_id, page.items, companiesOf(event), event.employee_id),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    '/api/v1/assistant/page/import',
    {
      bodyLimit: PAGE_BODY_LIMIT,
      config: config(60),
      schema: {
        ...common,
        summary: '导入单据 (push the chosen invoices to the expense system)',
        body: ImportBody,
        response: responses(
          { 201: Type.Object({ importId: Type.String(), count: Type.Integer() }) },
          [400, 401, 422, 429],
        ),
      },
    },
    async (request, reply) => {
      const event = await eventOfRequest(deps, request);
      return reply.status(201).send(await importInvoices(deps, event, request.body.invoices));
    },
  );

  app.get(
    '/api/v1/assistant/page/bill',
    {
      config: config(600),
      schema: {
        ...common,
        summary: '单据已关联的发票 (the view page)',
        response: responses({ 200: BillReply }, [401, 429]),
      },
    },
    async (request) => {
      const event = await eventOfRequest(deps, request);
      const found = await findBillWithInvoices(db, event.tenant_id, event.resource, event.bill_id);
      if (!found) return { bill: null };
      const rows = await findReceivedInvoicesByIds(
        db,
        event.tenant_id,
        found.invoices.map((i) => i.received_invoice_id),
      );
      const items = new Map(
        (await toAssistantItems(db, event.tenant_id, rows, companiesOf(event), null)).map((i) => [i.id, i]),
      );
      return {
        bill: {
          resource: found.bill.resource,
          billId: found.bill.bill_id,
          billNo: found.bill.bill_no,
          billType: found.bill.bill_type,
          status: found.bill.status,
          invoices: found.invoices.flatMap((b) => {
            const invoice = items.get(b.received_invoice_id);
            return invoice ? [{ amount: fenToDecimalString(Number(b.amount_fen)), invoice }] : [];
          }),
        },
      };
    },
  );

  app.get(
    '/api/v1/assistant/page/items/:id/file',
    {
      config: config(600),
      schema: {
        ...common,
        summary: '发票原文件 (folder items of the employee, or invoices bound to the bill)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        produces: ['application/octet-stream'],
        response: responses({ 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) }, [401, 404, 429]),
      },
    },
    async (request, reply) => {
      const event = await eventOfRequest(deps, request);
      const { id } = request.params;
      const owner = (await ownersOf(db, event.tenant_id, [id])).get(id);
      let allowed = owner === event.employee_id;
      if (!allowed) {
        const bill = await findBillWithInvoices(db, event.tenant_id, event.resource, event.bill_id);
        allowed = bill?.invoices.some((i) => i.received_invoice_id === id) ?? false;
      }
      const item = allowed ? await findReceivedInvoice(db, event.tenant_id, id) : undefined;
      const file = item?.file_id ? await findReceivedFile(db, event.tenant_id, item.file_id) : undefined;
      if (!file) throw new AppError(ASSISTANT_ITEM_NOT_FOUND);
      return sendReceivedFile(deps, request, reply, file);
    },
  );
};
