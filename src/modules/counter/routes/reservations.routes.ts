import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { escapeLike } from '../../../platform/db/sql-helpers.js';
import type { Deps } from '../../../platform/deps.js';
import { page, responses } from '../../../platform/http/schemas.js';
import { assertOrgAllowed, auditMetaOf, getAuth, orgScope } from '../../auth/index.js';
import { getSellerOrThrow } from '../../orgs/index.js';
import type { Reservation, ReservationQr } from '../counter.tables.js';
import { createExtractionCode } from '../extraction-codes.js';
import { getReservationOrThrow, issueReservation, rejectReservation } from '../issue-reservation.js';
import { createKiosk, getKioskOrThrow, listTenantKiosks, revokeTenantKiosk, toKioskView } from '../kiosks.js';
import { POSTER_SIZES, type PosterSize, renderReservationPosterPdf } from '../poster.js';
import {
  createReservationQr,
  findQrById,
  getReservationQrOrThrow,
  listQrs,
  reservationUrl,
  toQrView,
  updateReservationQrByKey,
} from '../reservation-qrs.js';
import { waitForReservationChange } from '../reservation-signals.js';
import { toReservationView } from '../reservation-view.js';
import { listReservations, type ReservationFilter } from '../reservations.repo.js';
import {
  ChangesQuery,
  CreateQrBody,
  ExtractionCodeBody,
  ExtractionCodeReply,
  IdParams,
  IssueBody,
  KioskBody,
  KioskCreated,
  KioskView,
  PatchQrBody,
  QrKeyParams,
  QrView,
  RejectBody,
  ReservationListQuery,
  ReservationView,
} from './counter.schemas.js';

const PdfReply = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'PDF' });
const PosterQuery = Type.Object({
  size: Type.Optional(Type.Union((Object.keys(POSTER_SIZES) as PosterSize[]).map((k) => Type.Literal(k)))),
});

/** Classifies the clerk's search text: 序号, mobile, e-mail or (else) part of the buyer's name. */
export function searchFilter(q: string | undefined): ReservationFilter {
  const text = q?.trim() ?? '';
  if (text === '') return {};
  if (/^\d{1,6}$/.test(text)) return { seqNo: Number(text) };
  if (/^1\d{10}$/.test(text)) return { mobile: text };
  if (text.includes('@')) return { email: text.toLowerCase() };
  return { nameLike: escapeLike(text) };
}

const encodeCursor = (r: Reservation) => `${r.created_at}.${r.id}`;
function decodeCursor(cursor: string): { createdAt: number; id: string } | undefined {
  const m = /^(\d{1,15})\.([a-z]{3}_[0-9A-Za-z]{25})$/.exec(cursor);
  return m ? { createdAt: Number(m[1]), id: m[2]! } : undefined;
}

/** 预约二维码 (reservation QRs, the clerk's reservations), 自助打印终端 (kiosks) and extraction codes. */
export const counterReservationRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['counter'], security: [{ bearerAuth: [] }] };
  const ownQr = async (request: FastifyRequest, key: string) => {
    const qr = await getReservationQrOrThrow(deps, getAuth(request).tenantId, key);
    assertOrgAllowed(request, qr.seller_tax_id);
    return qr;
  };
  const ownReservation = async (request: FastifyRequest, id: string) => {
    const r = await getReservationOrThrow(deps, getAuth(request).tenantId, id);
    assertOrgAllowed(request, r.seller_tax_id);
    return r;
  };
  const view = async (r: Reservation, qrs?: Map<string, ReservationQr>) => {
    let qr = qrs?.get(r.qr_id);
    if (!qr) {
      qr = (await findQrById(deps, r.qr_id))!;
      qrs?.set(qr.id, qr);
    }
    return toReservationView(deps, r, qr);
  };

  app.post(
    '/api/v1/counter/reservation-qrs',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '新建预约二维码 (a long-lived reservation QR of a seller org)',
        body: CreateQrBody,
        response: responses({ 201: QrView }, [400, 401, 403, 422]),
      },
    },
    async (request, reply) => {
      assertOrgAllowed(request, request.body.sellerTaxId);
      const { limits, config, ...rest } = request.body;
      const qr = await createReservationQr(deps, getAuth(request).tenantId, {
        ...rest,
        ...(config ? { config } : {}),
        ...(limits !== undefined ? { limits } : {}),
      });
      return reply.status(201).send(await toQrView(deps, qr));
    },
  );

  app.get(
    '/api/v1/counter/reservation-qrs',
    {
      config: { permission: 'scan.read' },
      schema: {
        ...common,
        summary: '预约二维码列表',
        response: responses({ 200: Type.Object({ items: Type.Array(QrView) }) }),
      },
    },
    async (request) => {
      const qrs = await listQrs(deps, getAuth(request).tenantId, orgScope(request));
      return { items: await Promise.all(qrs.map((qr) => toQrView(deps, qr))) };
    },
  );

  app.get(
    '/api/v1/counter/reservation-qrs/:key',
    {
      config: { permission: 'scan.read' },
      schema: { ...common, summary: '查询预约二维码', params: QrKeyParams, response: responses({ 200: QrView }) },
    },
    async (request) => toQrView(deps, await ownQr(request, request.params.key)),
  );

  app.patch(
    '/api/v1/counter/reservation-qrs/:key',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '修改预约二维码（配置、限额、停用）',
        params: QrKeyParams,
        body: PatchQrBody,
        response: responses({ 200: QrView }, [400, 401, 403, 404]),
      },
    },
    async (request) => {
      await ownQr(request, request.params.key);
      const qr = await updateReservationQrByKey(deps, getAuth(request).tenantId, request.params.key, request.body);
      return toQrView(deps, qr);
    },
  );

  app.get(
    '/api/v1/counter/reservation-qrs/:key/poster.pdf',
    {
      config: { permission: 'scan.read' },
      schema: {
        ...common,
        summary: '预约二维码柜台海报 (A4/A5 PDF)',
        params: QrKeyParams,
        querystring: PosterQuery,
        response: responses({ 200: PdfReply }, [400, 401, 403, 404]),
      },
    },
    async (request, reply) => {
      const qr = await ownQr(request, request.params.key);
      const seller = await getSellerOrThrow(deps.db.kysely, qr.tenant_id, qr.seller_tax_id);
      const size = request.query.size ?? 'a4';
      const pdf = renderReservationPosterPdf({
        url: reservationUrl(deps, qr.key),
        sellerName: seller.name,
        qrName: qr.name,
        size,
      });
      return reply
        .header('content-type', 'application/pdf')
        .header('cache-control', 'private, no-cache')
        .header('content-disposition', `inline; filename="reservation-poster-${qr.key}-${size}.pdf"`)
        .send(pdf);
    },
  );

  app.get(
    '/api/v1/counter/reservations',
    {
      config: { permission: 'scan.read' },
      schema: {
        ...common,
        summary: '预约单列表（新的在前；q 搜索序号、手机号、邮箱或购买方名称）',
        querystring: ReservationListQuery,
        response: responses({ 200: page(ReservationView) }, [400, 401, 403, 404]),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const { q, status, qrKey, cursor, limit: rawLimit } = request.query;
      const limit = rawLimit ?? 50;
      const qr = qrKey ? await ownQr(request, qrKey) : undefined;
      const scope = orgScope(request);
      const rows = await listReservations(
        deps.db.kysely,
        tenantId,
        {
          ...searchFilter(q),
          ...(status ? { status } : {}),
          ...(qr ? { qrId: qr.id } : {}),
          ...(scope ? { sellerTaxIds: scope } : {}),
        },
        { limit: limit + 1, ...(cursor && decodeCursor(cursor) ? { cursor: decodeCursor(cursor)! } : {}) },
      );
      const more = rows.length > limit;
      const items = rows.slice(0, limit);
      const qrs = new Map<string, ReservationQr>(qr ? [[qr.id, qr]] : []);
      const views = [];
      for (const r of items) views.push(await view(r, qrs));
      return { items: views, nextCursor: more ? encodeCursor(items[items.length - 1]!) : null };
    },
  );

  app.get(
    '/api/v1/counter/reservations/changes',
    {
      config: { permission: 'scan.read' },
      schema: {
        ...common,
        summary: '等待预约单变化（长轮询：version 大于 after 时立即返回，否则最多等待 wait 秒）',
        querystring: ChangesQuery,
        response: responses({ 200: Type.Object({ version: Type.Integer() }) }),
      },
    },
    async (request) => {
      const { after, wait } = request.query;
      const version = await waitForReservationChange(deps, getAuth(request).tenantId, after ?? 0, wait ?? 0);
      return { version };
    },
  );

  app.get(
    '/api/v1/counter/reservations/:id',
    {
      config: { permission: 'scan.read' },
      schema: { ...common, summary: '查询预约单', params: IdParams, response: responses({ 200: ReservationView }) },
    },
    async (request) => view(await ownReservation(request, request.params.id)),
  );

  app.post(
    '/api/v1/counter/reservations/:id/issue',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '开具预约单（补全项目和金额；每个预约单只开一次）',
        params: IdParams,
        body: IssueBody,
        response: responses({ 200: ReservationView }, [400, 401, 403, 404, 409, 422]),
      },
    },
    async (request) => {
      await ownReservation(request, request.params.id);
      const { kind, lines, remark } = request.body;
      const r = await issueReservation(
        deps,
        getAuth(request).tenantId,
        request.params.id,
        {
          ...(kind ? { kind: kind as never } : {}),
          ...(lines ? { lines: lines as never } : {}),
          ...(remark !== undefined ? { remark } : {}),
        },
        auditMetaOf(request),
      );
      return view(r);
    },
  );

  app.post(
    '/api/v1/counter/reservations/:id/reject',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '拒绝预约单（原因显示给消费者）',
        params: IdParams,
        body: RejectBody,
        response: responses({ 200: ReservationView }, [400, 401, 403, 404, 409]),
      },
    },
    async (request) => {
      await ownReservation(request, request.params.id);
      const r = await rejectReservation(
        deps,
        getAuth(request).tenantId,
        request.params.id,
        request.body.reason,
        auditMetaOf(request),
      );
      return view(r);
    },
  );

  app.post(
    '/api/v1/counter/kiosks',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '新建自助打印终端（链接只显示一次）',
        body: KioskBody,
        response: responses({ 201: KioskCreated }, [400, 401, 403, 422]),
      },
    },
    async (request, reply) => {
      assertOrgAllowed(request, request.body.sellerTaxId);
      const { kiosk, url } = await createKiosk(deps, getAuth(request).tenantId, request.body);
      return reply.status(201).send({ ...toKioskView(kiosk), url });
    },
  );

  app.get(
    '/api/v1/counter/kiosks',
    {
      config: { permission: 'scan.read' },
      schema: {
        ...common,
        summary: '自助打印终端列表',
        response: responses({ 200: Type.Object({ items: Type.Array(KioskView) }) }),
      },
    },
    async (request) => ({
      items: (await listTenantKiosks(deps, getAuth(request).tenantId, orgScope(request))).map(toKioskView),
    }),
  );

  app.post(
    '/api/v1/counter/kiosks/:id/revoke',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '停用自助打印终端链接',
        params: IdParams,
        response: responses({ 200: KioskView }, [401, 403, 404]),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      assertOrgAllowed(request, (await getKioskOrThrow(deps, tenantId, request.params.id)).seller_tax_id);
      return toKioskView(await revokeTenantKiosk(deps, tenantId, request.params.id));
    },
  );

  app.post(
    '/api/v1/counter/extraction-codes',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '生成提取码（已开具发票；打印在小票上，供自助打印终端取票；重新生成则旧码失效）',
        body: ExtractionCodeBody,
        response: responses({ 201: ExtractionCodeReply }, [400, 401, 403, 404, 409]),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      const { orderNo, code } = await createExtractionCode(deps, tenantId, request.body.orderNo, (invoice) =>
        assertOrgAllowed(request, invoice.seller_tax_id),
      );
      return reply.status(201).send({ orderNo, code });
    },
  );
};
