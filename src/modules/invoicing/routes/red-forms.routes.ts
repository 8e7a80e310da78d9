import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { IsoTime, Money, PageQuery, page, responses } from '../../../platform/http/schemas.js';
import { fenToDecimalString } from '../../../tax/index.js';
import { assertOrgAllowed, auditMetaOf, getAuth, orgScope } from '../../auth/index.js';
import { ChannelError, channelErrorToAppError } from '../../channels/index.js';
import { findInvoiceById, listRedFormRequests } from '../invoicing.repo.js';
import type { Invoice } from '../invoicing.tables.js';
import { decideRedForm, getRedByFormOrThrow } from '../manage-invoice.js';

export const RedFormView = Type.Object({
  id: Type.String(),
  formNo: Type.String({ description: '红字发票信息确认单编号' }),
  status: Type.String({ description: 'no_confirmation_needed, pending_buyer, confirmed, rejected, expired, used' }),
  redSerialNo: Type.String(),
  blueSerialNo: Type.String(),
  blueNumber: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  amount: Money,
  tax: Money,
  appliedAt: Type.Union([IsoTime, Type.Null()]),
  confirmBy: Type.Union([IsoTime, Type.Null()]),
  stale: Type.Boolean({
    description:
      'true：列表读取时税局暂不可达，status 为本地记录的状态（appliedAt、confirmBy 未知，为 null）；单条查询此时返回 503',
  }),
});

const RED_FORMS_DEFAULT_LIMIT = 200;

const DecisionBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 200, description: '确认或否认的理由（记入审计日志）' })) },
  { additionalProperties: false },
);

/**
 * The form as the channel has it now; a failing channel answers as channels' mapping says (transient → 503). With
 * `orStored` (the list) a transient failure answers null instead: the row shows the stored status, marked stale, so
 * one form the channel cannot read now does not turn the whole page into a 503.
 */
async function readForm(deps: Deps, tenantId: string, formId: string, orStored: boolean) {
  try {
    return await deps.channel.getRedForm({ tenantId }, formId);
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    if (orStored && err.kind === 'transient') return null;
    throw channelErrorToAppError(err);
  }
}

async function toRedFormView(deps: Deps, red: Invoice, options: { orStored?: boolean } = {}) {
  const blue = await findInvoiceById(deps.db.kysely, red.blue_invoice_id ?? '');
  const form = red.red_form_id ? await readForm(deps, red.tenant_id, red.red_form_id, options.orStored === true) : null;
  return {
    id: red.red_form_id ?? '',
    formNo: red.red_form_no ?? '',
    status: form?.status ?? red.red_form_status ?? 'unknown',
    redSerialNo: red.serial_no,
    blueSerialNo: blue?.serial_no ?? '',
    blueNumber: blue?.number ?? null,
    reason: red.red_reason ?? '',
    amount: fenToDecimalString(red.amount_fen),
    tax: fenToDecimalString(red.tax_fen),
    appliedAt: form ? toIsoCst(form.appliedAt) : null,
    confirmBy: form?.confirmBy ? toIsoCst(form.confirmBy) : null,
    stale: red.red_form_id !== null && form === null,
  };
}

/** Red confirmation forms (红字确认单) of the tenant, and the sandbox's stand-in for the buyer's decision. */
export const redFormsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['red-forms'], security: [{ bearerAuth: [] }] };
  const Params = Type.Object({ id: Type.String({ maxLength: 100 }) });

  app.get(
    '/api/v1/red-forms',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '红字确认单列表',
        querystring: Type.Object({
          status: Type.Optional(Type.String({ maxLength: 40 })),
          cursor: PageQuery.cursor,
          // 200 by default: the first page is what this list answered before it had pages.
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: RED_FORMS_DEFAULT_LIMIT })),
        }),
        response: responses({ 200: page(RedFormView) }, [400, 401, 404, 503]),
      },
    },
    async (request) => {
      const { status, cursor, limit } = request.query;
      const reds = await listRedFormRequests(
        deps.db.kysely,
        getAuth(request).tenantId,
        { ...(status ? { status } : {}), sellerTaxIds: orgScope(request) },
        { ...(cursor ? { cursor } : {}), limit: limit ?? RED_FORMS_DEFAULT_LIMIT },
      );
      return {
        items: await Promise.all(reds.items.map((r) => toRedFormView(deps, r, { orStored: true }))),
        nextCursor: reds.nextCursor,
      };
    },
  );

  app.get(
    '/api/v1/red-forms/:id',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '红字确认单详情',
        params: Params,
        response: responses({ 200: RedFormView }, [400, 401, 404, 503]),
      },
    },
    async (request) => {
      const red = await getRedByFormOrThrow(deps, getAuth(request).tenantId, request.params.id);
      assertOrgAllowed(request, red.seller_tax_id);
      return toRedFormView(deps, red);
    },
  );

  for (const decision of ['confirm', 'reject'] as const) {
    app.post(
      `/api/v1/red-forms/:id/${decision}`,
      {
        config: { permission: 'invoices.red' },
        schema: {
          ...common,
          summary: decision === 'confirm' ? '购方确认红字确认单（沙箱模拟）' : '购方否认红字确认单（沙箱模拟）',
          params: Params,
          body: DecisionBody,
          response: responses({ 200: RedFormView }, [400, 401, 404, 409, 422, 503]),
        },
        // The body is optional: a call without one decides without a reason.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => {
        const { tenantId } = getAuth(request);
        assertOrgAllowed(request, (await getRedByFormOrThrow(deps, tenantId, request.params.id)).seller_tax_id);
        const red = await decideRedForm(deps, {
          tenantId,
          formId: request.params.id,
          decision,
          ...(request.body.reason ? { reason: request.body.reason } : {}),
          audit: auditMetaOf(request),
        });
        return toRedFormView(deps, red);
      },
    );
  }
};
