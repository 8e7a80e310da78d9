import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../../platform/deps.js';
import { type AppError, isAppError } from '../../../platform/errors/app-error.js';
import { sendJsonError } from '../../../platform/errors/http-error-handler.js';
import { isEmailAddress } from '../../../platform/text/email-address.js';
import { resendToBuyer } from '../../delivery/index.js';
import { effectiveStatus } from '../order-view.js';
import { renderQr } from '../qr-image.js';
import type { ScanOrder, ScanSetting } from '../scan.tables.js';
import { submitTitle } from '../submit-title.js';
import { orderPageHtml, statusPageHtml } from './consumer-views.js';
import { sendPage } from './h5.routes.js';
import { createCsrfGuard } from './h5-csrf.js';
import { pageKind, resolveToken } from './h5-links.js';
import { type FieldErrors, fieldOfViolation, parseTitleForm, readForm, type TitleFormValues } from './title-form.js';

type TokenRequest = FastifyRequest<{ Params: { token: string }; Querystring: { sent?: string } }>;

const EMAIL_NOTICES: Record<string, string> = {
  '1': '已发送，请查收邮件。',
  limit: '发送次数过多，请稍后再试。',
  bad: '邮箱格式不正确，请检查后重新发送。',
};

/** `/s/{token}`: the order form, the status page, the status poll, "send to e-mail" and the QR images. */
export function registerOrderLinkRoutes(app: FastifyInstance, deps: Deps): void {
  const csrf = createCsrfGuard(deps);
  const show = async (request: TokenRequest, reply: FastifyReply, order: ScanOrder, setting: ScanSetting) => {
    const base = `/s/${request.params.token}`;
    if (pageKind(deps, order) === 'form') {
      const form = { values: {}, errors: {}, csrf: csrf.issue(request, reply, base), action: base };
      return sendPage(reply, await orderPageHtml(deps, order, form));
    }
    const notice = EMAIL_NOTICES[request.query.sent ?? ''] ?? null;
    const action = `${base}/email`;
    const email = { action, csrf: csrf.issue(request, reply, action), notice };
    return sendPage(reply, await statusPageHtml(deps, order, setting, email));
  };

  app.get<{ Params: { token: string }; Querystring: { sent?: string } }>('/s/:token', async (request, reply) => {
    const { order, setting } = await resolveToken(deps, request.params.token);
    return show(request, reply, order, setting);
  });

  app.post<{ Params: { token: string }; Querystring: { sent?: string } }>('/s/:token', async (request, reply) => {
    const { order, setting } = await resolveToken(deps, request.params.token);
    csrf.verify(request, `/s/${request.params.token}`);
    if (pageKind(deps, order) !== 'form') return reply.redirect(`/s/${request.params.token}`, 303);
    const values = readForm(request.body);
    const kinds = JSON.parse(order.allowed_kinds);
    const { title, errors } = parseTitleForm(values, kinds);
    if (title) {
      try {
        await submitTitle(deps, order, setting, title);
        return reply.redirect(`/s/${request.params.token}`, 303);
      } catch (err) {
        if (!isAppError(err) || err.statusCode !== 422) throw err;
        Object.assign(errors, violationErrors(err));
      }
    }
    return redisplay(request, reply, order, values, errors);
  });

  const redisplay = async (
    request: TokenRequest,
    reply: FastifyReply,
    order: ScanOrder,
    values: TitleFormValues,
    errors: FieldErrors,
  ) => {
    const action = `/s/${request.params.token}`;
    const form = { values, errors, csrf: csrf.issue(request, reply, action), action };
    return sendPage(reply, await orderPageHtml(deps, order, form), 422);
  };

  // The status poll is read by the page's script: its errors are the JSON error body, not an HTML page.
  app.get<{ Params: { token: string } }>(
    '/s/:token/status.json',
    { errorHandler: sendJsonError },
    async (request, reply) => {
      const { order } = await resolveToken(deps, request.params.token);
      return reply.header('cache-control', 'no-store').send({ status: effectiveStatus(order, deps.clock.now()) });
    },
  );

  app.post<{ Params: { token: string } }>('/s/:token/email', async (request, reply) => {
    const { order } = await resolveToken(deps, request.params.token);
    const back = `/s/${request.params.token}`;
    csrf.verify(request, `${back}/email`);
    const email = readForm(request.body).email;
    if (order.status !== 'invoiced' || !order.invoice_serial_no || !email) return reply.redirect(back, 303);
    if (!isEmailAddress(email)) return reply.redirect(`${back}?sent=bad`, 303);
    try {
      await resendToBuyer(deps, { tenantId: order.tenant_id, serialNo: order.invoice_serial_no, email });
    } catch (err) {
      if (isAppError(err) && err.code === 'RATE_LIMITED') return reply.redirect(`${back}?sent=limit`, 303);
      throw err;
    }
    return reply.redirect(`${back}?sent=1`, 303);
  });

  app.get<{ Params: { token: string; format: string } }>('/s/:token/qr.:format', async (request, reply) => {
    await resolveToken(deps, request.params.token);
    const format = request.params.format === 'svg' ? 'svg' : request.params.format === 'png' ? 'png' : null;
    if (!format) return reply.callNotFound();
    const qr = await renderQr(`${deps.config.http.publicUrl}/s/${request.params.token}`, format);
    return reply.header('content-type', qr.type).header('cache-control', 'private, max-age=86400').send(qr.body);
  });
}

/** A tax-rule 422 from the server-side check, as messages next to the fields they concern. */
export function violationErrors(err: AppError): FieldErrors {
  const violations = (err.details?.violations ?? []) as Array<{ path?: string; message: string }>;
  const errors: FieldErrors = {};
  for (const v of violations.length > 0 ? violations : [{ message: err.message }]) {
    const field = fieldOfViolation(v.path);
    errors[field] ??= v.message;
  }
  return errors;
}
