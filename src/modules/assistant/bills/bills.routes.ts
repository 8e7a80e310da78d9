import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { PageQuery, page, responses } from '../../../platform/http/schemas.js';
import { auditMetaOf, getAuth } from '../../auth/index.js';
import { deleteVoucher, saveVoucher } from '../vouchers/save-voucher.js';
import { toVoucherSummary, toVoucherView } from '../vouchers/voucher-view.js';
import { VOUCHER_NOT_FOUND } from '../vouchers/vouchers.errors.js';
import { findVoucher, listVouchers } from '../vouchers/vouchers.repo.js';
import { toBillSummary, toBillView } from './bill-view.js';
import { BILL_NOT_FOUND } from './bills.errors.js';
import { findBill, listBills } from './bills.repo.js';
import {
  BillListQuery,
  BillParams,
  BillSummary,
  BillView,
  SaveBillBody,
  SaveVoucherBody,
  VoucherListQuery,
  VoucherParams,
  VoucherSummary,
  VoucherView,
} from './bills.schemas.js';
import { deleteBill } from './delete-bill.js';
import { saveBill } from './save-bill.js';

/** A bill save carries up to 500 invoices with the expense system's line data. */
const SAVE_BODY_LIMIT = 2 * 1024 * 1024;

/** Bills (单据, billSave) and vouchers (凭证, voucherSave) of expense systems; docs/assistant.md#bills. */
export const billsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const db = deps.db.kysely;
  const bills = { tags: ['assistant'], security: [{ bearerAuth: [] }] };

  app.put(
    '/api/v1/bills/:resource/:billId',
    {
      bodyLimit: SAVE_BODY_LIMIT,
      config: { permission: 'bills.manage' },
      schema: {
        ...bills,
        summary: '保存单据 (billSave: bind received invoices to an expense bill, replacing its bindings)',
        description:
          'Replaces the bill’s bindings atomically. Each invoice’s claims over all bills never exceed its total ' +
          '(409 BILL_AMOUNT_EXCEEDED with `remaining`); blocked (422 BILL_INVOICE_BLOCKED with the rule’s reason), ' +
          'red-reversed, void or unknown invoices are refused; an invoice a voucher books cannot be removed or ' +
          'changed (409). The same save again changes nothing. Publishes `bill.saved`.',
        params: BillParams,
        body: SaveBillBody,
        response: responses({ 200: BillView }, [400, 401, 403, 409, 413, 422]),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const { bill } = await saveBill(deps, {
        tenantId,
        ...request.params,
        ...request.body,
        audit: auditMetaOf(request),
      });
      return bill;
    },
  );

  app.delete(
    '/api/v1/bills/:resource/:billId',
    {
      config: { permission: 'bills.manage' },
      schema: {
        ...bills,
        summary: '删除单据 (unbind every invoice of the bill)',
        params: BillParams,
        response: responses({ 204: Type.Null() }, [400, 401, 403, 404, 409]),
      },
    },
    async (request, reply) => {
      await deleteBill(deps, { tenantId: getAuth(request).tenantId, ...request.params, audit: auditMetaOf(request) });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/bills',
    {
      config: { permission: 'bills.read' },
      schema: {
        ...bills,
        summary: '单据列表 (bills, newest first)',
        querystring: Type.Object({ ...BillListQuery, ...PageQuery }),
        response: responses({ 200: page(BillSummary) }),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const { cursor, limit, ...filters } = request.query;
      const result = await listBills(db, tenantId, filters, { ...(cursor ? { cursor } : {}), limit: limit ?? 50 });
      return { items: result.items.map(toBillSummary), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/api/v1/bills/:resource/:billId',
    {
      config: { permission: 'bills.read' },
      schema: {
        ...bills,
        summary: '单据详情 (a bill with its invoices)',
        params: BillParams,
        response: responses({ 200: BillView }),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const bill = await findBill(db, tenantId, request.params.resource, request.params.billId);
      if (!bill) throw new AppError(BILL_NOT_FOUND);
      return toBillView(db, bill);
    },
  );

  app.put(
    '/api/v1/vouchers/:resource/:vouchId',
    {
      bodyLimit: SAVE_BODY_LIMIT,
      config: { permission: 'bills.manage' },
      schema: {
        ...bills,
        summary: '保存凭证 (voucherSave: book the invoices of bills and listed invoices)',
        description:
          'The voucher books (已入账) every invoice of `billIds` (bills of the same resource) and every invoice of ' +
          '`invoiceIds`, replacing what it booked before; an invoice another voucher books refuses the save (409 ' +
          'VOUCHER_INVOICE_BOOKED). Publishes `voucher.saved`.',
        params: VoucherParams,
        body: SaveVoucherBody,
        response: responses({ 200: VoucherView }, [400, 401, 403, 409, 413, 422]),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const { invoiceIds, billIds, ...rest } = request.body;
      const { voucher } = await saveVoucher(deps, {
        tenantId,
        ...request.params,
        ...rest,
        invoiceIds: invoiceIds ?? [],
        billIds: billIds ?? [],
        audit: auditMetaOf(request),
      });
      return voucher;
    },
  );

  app.delete(
    '/api/v1/vouchers/:resource/:vouchId',
    {
      config: { permission: 'bills.manage' },
      schema: {
        ...bills,
        summary: '删除凭证 (the invoices are no longer booked)',
        params: VoucherParams,
        response: responses({ 204: Type.Null() }, [400, 401, 403, 404]),
      },
    },
    async (request, reply) => {
      await deleteVoucher(deps, {
        tenantId: getAuth(request).tenantId,
        ...request.params,
        audit: auditMetaOf(request),
      });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/vouchers',
    {
      config: { permission: 'bills.read' },
      schema: {
        ...bills,
        summary: '凭证列表 (vouchers, newest first)',
        querystring: Type.Object({ ...VoucherListQuery, ...PageQuery }),
        response: responses({ 200: page(VoucherSummary) }),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const { cursor, limit, ...filters } = request.query;
      const result = await listVouchers(db, tenantId, filters, { ...(cursor ? { cursor } : {}), limit: limit ?? 50 });
      return { items: result.items.map(toVoucherSummary), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/api/v1/vouchers/:resource/:vouchId',
    {
      config: { permission: 'bills.read' },
      schema: {
        ...bills,
        summary: '凭证详情 (a voucher with the invoices it books)',
        params: VoucherParams,
        response: responses({ 200: VoucherView }),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const voucher = await findVoucher(db, tenantId, request.params.resource, request.params.vouchId);
      if (!voucher) throw new AppError(VOUCHER_NOT_FOUND);
      return toVoucherView(db, voucher);
    },
  );
};
