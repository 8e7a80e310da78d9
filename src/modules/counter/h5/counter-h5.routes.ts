import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError, isAppError } from '../../../platform/errors/app-error.js';
import { toAppError } from '../../../platform/errors/http-error-handler.js';
import { parseFormBody } from '../../../platform/http/request-text.js';
import { sha256Hex } from '../../../platform/ids.js';
import { fenToDecimalString, parseDecimal } from '../../../tax/index.js';
import { createDownloadLink } from '../../documents/index.js';
import { decodeComputedInvoice, findInvoiceById } from '../../invoicing/index.js';
import { getSellerOrThrow } from '../../orgs/index.js';
import {
  consumerLinkTenant,
  createCsrfGuard,
  type FieldErrors,
  parseTitleForm,
  readForm,
  renderErrorPage,
  renderQr,
  sendPage,
  violationErrors,
} from '../../scan/index.js';
import { COUNTER_LINK_INVALID, RESERVATION_QR_DISABLED } from '../counter.errors.js';
import type { ReservationQr } from '../counter.tables.js';
import { codeOfToken } from '../extraction-codes.js';
import { type KioskQuery, kioskLookup, kioskSeller, openKiosk } from '../kiosks.js';
import { effectiveEntryMode, type ReservationConfig, type ReservationEntry } from '../reservation-config.js';
import { findQrByKey, qrConfig } from '../reservation-qrs.js';
import { seqDate } from '../reservation-view.js';
import { findReservationByTokenHash } from '../reservations.repo.js';
import { reservationTitleJson } from '../stored-json.js';
import { submitReservation } from '../submit-reservation.js';
import { suggestTitles } from '../suggest-titles.js';
import { KIOSK_ASSETS, KIOSK_CSP, renderKioskForm, renderKioskInvoice } from './kiosk-pages.js';
import {
  type EntryErrors,
  type EntryValues,
  renderReservationForm,
  renderReservationStatus,
} from './reservation-pages.js';

const H5_FORM_BODY_LIMIT = 16 * 1024;
const KEY_RE = /^[0-9A-Za-z]{11}$/;
const STATUS_TOKEN_RE = /^[0-9A-Za-z]{17}$/;
const MONEY_RE = /^\d{1,13}(\.\d{1,2})?$/;
const QUANTITY_RE = /^\d{1,9}(\.\d{1,6})?$/;
/** The largest amount a consumer may type on a reservation page (the clerk may issue more). */
const MAX_ENTRY_AMOUNT = '1000000.00';

const isJsonRoute = (url: string) => /\/titles(\?|$)|\.json(\?|$)/.test(url);

const LIMIT_PAGE = {
  title: '操作过于频繁',
  message: '提交次数已达到上限，本次未受理。',
  hint: '请稍后再试；如急需发票，请到柜台办理。',
};

/**
 * The counter modes' public pages: the reservation page `/r/{key}` and the consumer's status page `/r/t/{token}`,
 * the kiosk `/k/{token}`, and the title suggestions of every consumer form (`/r/{key}/titles`, and for the scan
 * pages `/s/{token}/titles`, `/q/{key}/titles`). HTML error pages, except the JSON endpoints.
 */
export const counterH5Routes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseFormBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.setErrorHandler((err, request, reply) => {
    const appErr = toAppError(err);
    if (appErr.statusCode >= 500) request.log.error({ err }, 'counter page failed');
    if (appErr.headers) void reply.headers(appErr.headers);
    if (isJsonRoute(request.url)) {
      return reply.status(appErr.statusCode).send({
        error: { code: appErr.code, message: appErr.message, requestId: request.id },
      });
    }
    const limited = appErr.code === 'COUNTER_RATE_LIMITED';
    return sendPage(
      reply,
      renderErrorPage(appErr.code, request.id, limited ? LIMIT_PAGE : undefined),
      appErr.statusCode,
    );
  });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.includes('POST')) route.bodyLimit ??= H5_FORM_BODY_LIMIT;
    route.schema = { ...route.schema, hide: true };
  });
  registerReservationPages(app, deps);
  registerKioskPages(app, deps);
  registerSuggestions(app, deps);
};

type KeyRequest = FastifyRequest<{ Params: { key: string } }>;

async function openQr(deps: Deps, key: string): Promise<ReservationQr> {
  const qr = KEY_RE.test(key) ? await findQrByKey(deps, key) : undefined;
  if (!qr) throw new AppError(COUNTER_LINK_INVALID);
  if (qr.enabled !== 1) throw new AppError(RESERVATION_QR_DISABLED);
  return qr;
}

/** Reads and checks the entry fields the configuration allows; values are cut before any pattern sees them. */
function readEntry(
  body: unknown,
  config: ReservationConfig,
): { values: EntryValues; errors: EntryErrors; entry: ReservationEntry } {
  const form = (body ?? {}) as Record<string, unknown>;
  const get = (name: string, max: number) => {
    const v = form[name];
    return typeof v === 'string' ? v.slice(0, max + 2).trim() : '';
  };
  const values: EntryValues = {};
  const errors: EntryErrors = {};
  const entry: ReservationEntry = { remarks: [] };
  const mode = effectiveEntryMode(config);
  if (mode === 'amount') {
    const amount = get('amount', 16);
    values.amount = amount;
    const d = MONEY_RE.test(amount) ? parseDecimal(amount) : null;
    if (!d || d.lte(0) || d.gt(MAX_ENTRY_AMOUNT)) errors.amount = '请填写消费金额，最多两位小数';
    else entry.amount = amount;
  }
  if (mode === 'quantity_price') {
    const quantity = get('quantity', 16);
    const unitPrice = get('unitPrice', 16);
    values.quantity = quantity;
    values.unitPrice = unitPrice;
    const q = QUANTITY_RE.test(quantity) ? parseDecimal(quantity) : null;
    const p = MONEY_RE.test(unitPrice) ? parseDecimal(unitPrice) : null;
    if (!q || q.lte(0)) errors.quantity = '请填写数量';
    if (!p || p.lte(0)) errors.unitPrice = '请填写单价，最多两位小数';
    if (q && p && q.gt(0) && p.gt(0)) {
      if (q.mul(p).gt(MAX_ENTRY_AMOUNT)) errors.unitPrice = '金额过大，请到柜台办理';
      else {
        entry.quantity = quantity;
        entry.unitPrice = unitPrice;
      }
    }
  }
  config.remarkFields.forEach((f, i) => {
    const value = get(`remark${i}`, 60);
    values[`remark${i}`] = value;
    if (Array.from(value).length > 60) errors[`remark${i}`] = '最多 60 个字';
    else if (!value && f.required) errors[`remark${i}`] = `请填写${f.label}`;
    else entry.remarks.push({ label: f.label, value });
  });
  return { values, errors, entry };
}

function registerReservationPages(app: FastifyInstance, deps: Deps): void {
  const csrf = createCsrfGuard(deps);

  const showForm = async (
    request: KeyRequest,
    reply: FastifyReply,
    qr: ReservationQr,
    form: { values: Record<string, string>; errors: FieldErrors; entry: EntryValues; entryErrors: EntryErrors },
    status: number,
  ) => {
    const seller = await getSellerOrThrow(deps.db.kysely, qr.tenant_id, qr.seller_tax_id);
    const action = `/r/${qr.key}`;
    const page = renderReservationForm({
      sellerName: seller.name,
      qrName: qr.name,
      config: qrConfig(qr),
      ...form,
      csrf: csrf.issue(request, reply, action),
      action,
    });
    return sendPage(reply, page, status);
  };

  app.get('/r/:key', async (request: KeyRequest, reply) => {
    const qr = await openQr(deps, request.params.key);
    return showForm(request, reply, qr, { values: {}, errors: {}, entry: {}, entryErrors: {} }, 200);
  });

  app.post('/r/:key', async (request: KeyRequest, reply) => {
    const qr = await openQr(deps, request.params.key);
    csrf.verify(request, `/r/${qr.key}`);
    const config = qrConfig(qr);
    const values = readForm(request.body);
    const { title, errors } = parseTitleForm(values, config.allowedKinds);
    const entry = readEntry(request.body, config);
    if (title && Object.keys(entry.errors).length === 0) {
      if (!title.email && !title.mobile) {
        errors.mobile = '请留下手机号或邮箱，用于接收发票';
      } else {
        try {
          const normalized = { ...title, ...(title.email ? { email: title.email.toLowerCase() } : {}) };
          const { token } = await submitReservation(
            deps,
            qr,
            reservationTitleJson.decode(JSON.stringify(normalized)),
            entry.entry,
            request.ip,
          );
          return reply.redirect(`/r/t/${token}`, 303);
        } catch (err) {
          if (!isAppError(err) || err.statusCode !== 422) throw err;
          Object.assign(errors, violationErrors(err));
        }
      }
    }
    return showForm(
      request,
      reply,
      qr,
      { values: values as Record<string, string>, errors, entry: entry.values, entryErrors: entry.errors },
      422,
    );
  });

  app.get<{ Params: { key: string; format: string } }>('/r/:key/qr.:format', async (request, reply) => {
    const qr = await openQr(deps, request.params.key);
    const format = request.params.format === 'svg' ? 'svg' : request.params.format === 'png' ? 'png' : null;
    if (!format) return reply.callNotFound();
    const image = await renderQr(`${deps.config.http.publicUrl}/r/${qr.key}`, format);
    return reply
      .header('content-type', image.type)
      .header('cache-control', 'public, max-age=86400')
      .header('content-disposition', `inline; filename="reservation-${qr.key}.${format}"`)
      .send(image.body);
  });

  const byToken = async (token: string) => {
    const r = STATUS_TOKEN_RE.test(token)
      ? await findReservationByTokenHash(deps.db.kysely, sha256Hex(token))
      : undefined;
    if (!r) throw new AppError(COUNTER_LINK_INVALID);
    return r;
  };

  app.get<{ Params: { token: string } }>('/r/t/:token', async (request, reply) => {
    const r = await byToken(request.params.token);
    const title = reservationTitleJson.decode(r.buyer_json);
    const seller = await getSellerOrThrow(deps.db.kysely, r.tenant_id, r.seller_tax_id);
    const invoice = r.invoice_id ? await findInvoiceById(deps.db.kysely, r.invoice_id) : undefined;
    const issued = r.status === 'invoiced' && invoice?.status === 'issued' ? invoice : null;
    const link = (format: 'pdf' | 'ofd') =>
      createDownloadLink(deps, { tenantId: r.tenant_id, invoiceId: issued!.id, format, ttlSeconds: 7 * 86_400 });
    const page = renderReservationStatus({
      status: r.status,
      seqNo: r.seq_no,
      seqDate: seqDate(r.seq_day),
      sellerName: seller.name,
      buyerName: title.name,
      buyerTaxId: title.taxId ?? null,
      kind: issued ? issued.kind : title.kind,
      total: r.total_fen === null ? null : fenToDecimalString(r.total_fen),
      rejectReason: r.status === 'rejected' ? r.reject_reason : null,
      invoice: issued
        ? { number: issued.number, issuedAt: issued.issued_at ? toIsoCst(issued.issued_at).slice(0, 10) : null }
        : null,
      downloads: issued ? { pdf: link('pdf'), ofd: link('ofd') } : null,
      pickup: issued ? { orderNo: issued.serial_no, code: codeOfToken(deps, request.params.token) } : null,
    });
    return sendPage(reply, page);
  });

  app.get<{ Params: { token: string } }>('/r/t/:token/status.json', async (request, reply) => {
    const r = await byToken(request.params.token);
    return reply.header('cache-control', 'no-store').send({ status: r.status, seqNo: r.seq_no });
  });
}

/**
 * The kiosk's camera decoder, from the installed zxing-wasm (never a CDN): its reader as a browser script (the IIFE
 * build, global `ZXingWASM`) and the reader wasm. Read once, on first use; the script's SRI hash goes on the page.
 */
function kioskReaderAssets() {
  let loaded: { script: Buffer; wasm: Buffer; integrity: string } | undefined;
  return () => {
    if (!loaded) {
      const require = createRequire(import.meta.url);
      const wasmPath = require.resolve('zxing-wasm/reader/zxing_reader.wasm');
      const script = fs.readFileSync(path.join(path.dirname(wasmPath), '..', 'iife', 'reader', 'index.js'));
      loaded = {
        script,
        wasm: fs.readFileSync(wasmPath),
        integrity: `sha384-${createHash('sha384').update(script).digest('base64')}`,
      };
    }
    return loaded;
  };
}

function registerKioskPages(app: FastifyInstance, deps: Deps): void {
  const csrf = createCsrfGuard(deps);
  const reader = kioskReaderAssets();
  // Unversioned URLs: cached for a day, revalidated by ETag (an upgrade of zxing-wasm changes the SRI hash).
  const asset = (reply: FastifyReply, type: string, body: Buffer) =>
    reply
      .header('content-type', type)
      .header('cache-control', 'public, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      .header('cross-origin-resource-policy', 'same-origin')
      .send(body);
  app.get(KIOSK_ASSETS.script, async (_request, reply) =>
    asset(reply, 'text/javascript; charset=utf-8', reader().script),
  );
  app.get(KIOSK_ASSETS.wasm, async (_request, reply) => asset(reply, 'application/wasm', reader().wasm));
  const send = (reply: FastifyReply, body: string, status = 200) =>
    sendPage(reply, body, status).header('content-security-policy', KIOSK_CSP);

  type KioskRequest = FastifyRequest<{ Params: { token: string } }>;
  const form = async (
    request: KioskRequest,
    reply: FastifyReply,
    error: string | null,
    status: number,
    orderNo?: string,
  ) => {
    const kiosk = await openKiosk(deps, request.params.token);
    const seller = await kioskSeller(deps, kiosk);
    const action = `/k/${request.params.token}`;
    return send(
      reply,
      renderKioskForm({
        sellerName: seller.name,
        kioskName: kiosk.name,
        readerIntegrity: reader().integrity,
        action,
        csrf: csrf.issue(request, reply, action),
        error,
        values: orderNo ? { orderNo } : {},
      }),
      status,
    );
  };

  app.get('/k/:token', async (request: KioskRequest, reply) => form(request, reply, null, 200));

  app.post('/k/:token', async (request: KioskRequest, reply) => {
    const kiosk = await openKiosk(deps, request.params.token);
    const action = `/k/${request.params.token}`;
    csrf.verify(request, action);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const pick = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
    const query: KioskQuery = {};
    for (const name of ['scanned', 'orderNo', 'code'] as const) {
      const v = pick(name);
      if (v !== undefined) query[name] = v.slice(0, 300);
    }
    try {
      const invoice = await kioskLookup(deps, kiosk, query, request.ip);
      const seller = await kioskSeller(deps, kiosk);
      return send(
        reply,
        renderKioskInvoice({
          invoice: decodeComputedInvoice(invoice.computed_json),
          sellerName: seller.name,
          number: invoice.number ?? '',
          issuedAt: invoice.issued_at ? toIsoCst(invoice.issued_at).slice(0, 10) : '',
          paper: kiosk.paper === 'a5' ? 'a5' : 'a4',
          home: action,
        }),
      );
    } catch (err) {
      if (isAppError(err) && err.code === 'EXTRACTION_CODE_INVALID') {
        return form(request, reply, '未找到发票：请核对订单号和提取码，或重新扫码。', 404, query.orderNo?.slice(0, 64));
      }
      throw err;
    }
  });
}

function registerSuggestions(app: FastifyInstance, deps: Deps): void {
  const answer = async (
    request: FastifyRequest<{ Querystring: { q?: string } }>,
    reply: FastifyReply,
    link: { tenantId: string; scope: string } | undefined,
  ) => {
    if (!link) throw new AppError(COUNTER_LINK_INVALID);
    const q = typeof request.query.q === 'string' ? request.query.q : '';
    const items = await suggestTitles(deps, link.tenantId, link.scope, request.ip, q);
    return reply.header('cache-control', 'no-store').send({ items });
  };
  app.get<{ Params: { key: string }; Querystring: { q?: string } }>('/r/:key/titles', async (request, reply) => {
    const qr = await openQr(deps, request.params.key);
    return answer(request, reply, { tenantId: qr.tenant_id, scope: `r:${qr.id}` });
  });
  app.get<{ Params: { token: string }; Querystring: { q?: string } }>('/s/:token/titles', async (request, reply) =>
    answer(request, reply, await consumerLinkTenant(deps, { token: request.params.token })),
  );
  app.get<{ Params: { key: string }; Querystring: { q?: string } }>('/q/:key/titles', async (request, reply) =>
    answer(request, reply, await consumerLinkTenant(deps, { key: request.params.key })),
  );
}
