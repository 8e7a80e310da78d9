import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../../platform/deps.js';
import { AppError, isAppError } from '../../../platform/errors/app-error.js';
import { getSellerOrThrow } from '../../orgs/index.js';
import { openMerchantLink } from '../merchant/open-merchant-link.js';
import type { OrderItem } from '../order-content.js';
import { orderLinks } from '../order-view.js';
import { openPresetLine, type Preset, presetContent } from '../preset.js';
import { renderQr } from '../qr-image.js';
import { SCAN_LINK_INVALID, SCAN_LINK_RATE_LIMITED, SCAN_SETTING_DISABLED } from '../scan.errors.js';
import type { ScanSetting } from '../scan.tables.js';
import { findSettingByKey, settingKinds, settingPreset } from '../settings.service.js';
import { checkEnteredAmount, submitStaticOrder } from '../static-order.js';
import { renderLimitPage } from './error-page.js';
import { sendPage } from './h5.routes.js';
import { createCsrfGuard } from './h5-csrf.js';
import { violationErrors } from './order-link.routes.js';
import { renderOrderPage } from './order-page.js';
import { type FieldErrors, parseTitleForm, readForm, type TitleFormValues } from './title-form.js';

type KeyRequest = FastifyRequest<{ Params: { key: string }; Querystring: { o?: string; t?: string; s?: string } }>;

/**
 * `/q/{key}`: with `o`, `t`, `s` a merchant-assembled link (verified, the order fetched on first scan, then the
 * consumer continues on the order's `/s/{token}` page); without them the setting's static link (默认开票).
 */
export function registerScanLinkRoutes(app: FastifyInstance, deps: Deps): void {
  const csrf = createCsrfGuard(deps);

  app.get('/q/:key', async (request: KeyRequest, reply) => {
    const { o, t, s } = request.query;
    if (o !== undefined || t !== undefined || s !== undefined) {
      const order = await openMerchantLink(deps, request.params.key, { o, t, s });
      const links = orderLinks(deps, order);
      if (!links) throw new AppError(SCAN_LINK_INVALID);
      return reply.header('cache-control', 'no-store').redirect(`/s/${links.token}`, 303);
    }
    const setting = await staticSetting(deps, request.params.key);
    return showStatic(request, reply, setting, {}, {}, 200);
  });

  app.post('/q/:key', async (request: KeyRequest, reply) => {
    const setting = await staticSetting(deps, request.params.key);
    csrf.verify(request, `/q/${setting.key}`);
    const preset = settingPreset(setting)!;
    const values = readForm(request.body);
    const { title, errors } = parseTitleForm(values, settingKinds(setting));
    const entered = openPresetLine(preset) >= 0 ? checkEnteredAmount(preset, values.amount) : null;
    if (entered && 'error' in entered) errors.amount = entered.error;
    if (title && !errors.amount) {
      try {
        const amount = entered && 'amount' in entered ? entered.amount : null;
        const { token } = await submitStaticOrder(deps, setting, title, amount, request.ip);
        return reply.redirect(`/s/${token}`, 303);
      } catch (err) {
        if (isAppError(err) && err.code === SCAN_LINK_RATE_LIMITED.code) return limitPage(request, reply, err);
        if (!isAppError(err) || err.statusCode !== 422) throw err;
        Object.assign(errors, violationErrors(err));
      }
    }
    return showStatic(request, reply, setting, values, errors, 422);
  });

  app.get<{ Params: { key: string; format: string } }>('/q/:key/qr.:format', async (request, reply) => {
    const setting = await staticSetting(deps, request.params.key);
    const format = request.params.format === 'svg' ? 'svg' : request.params.format === 'png' ? 'png' : null;
    if (!format) return reply.callNotFound();
    const qr = await renderQr(`${deps.config.http.publicUrl}/q/${setting.key}`, format);
    return reply.header('content-type', qr.type).header('cache-control', 'public, max-age=86400').send(qr.body);
  });

  /** 429 with Retry-After and a page saying when to try again (nothing was created). */
  const limitPage = (request: KeyRequest, reply: FastifyReply, err: AppError) => {
    const retryAfterSeconds = Number(err.details?.retryAfterSeconds ?? 60);
    const daily = String(err.details?.limit ?? '').endsWith('PerDay');
    void reply.header('retry-after', String(retryAfterSeconds));
    return sendPage(reply, renderLimitPage({ daily, retryAfterSeconds }, request.id), 429);
  };

  const showStatic = async (
    request: KeyRequest,
    reply: FastifyReply,
    setting: ScanSetting,
    values: TitleFormValues,
    errors: FieldErrors,
    status: number,
  ) => {
    const preset = settingPreset(setting) as Preset;
    const seller = await getSellerOrThrow(deps.db.kysely, setting.tenant_id, setting.seller_tax_id);
    const open = openPresetLine(preset) >= 0;
    const content = presetContent(preset, null);
    const items: OrderItem[] = content.lines.map((l) => ({
      name: l.name,
      quantity: l.quantity ?? null,
      unit: l.unit ?? null,
      total: l.amount,
    }));
    const page = renderOrderPage({
      sellerName: seller.name,
      total: null,
      items,
      kinds: settingKinds(setting),
      values,
      errors,
      csrf: csrf.issue(request, reply, `/q/${setting.key}`),
      action: `/q/${setting.key}`,
      suggestUrl: `/q/${setting.key}/titles`,
      ...(open ? { amountMax: preset.maxAmount ?? '10000.00' } : {}),
    });
    return sendPage(reply, page, status);
  };
}

async function staticSetting(deps: Deps, key: string): Promise<ScanSetting> {
  const setting = await findSettingByKey(deps, key);
  if (!setting || !settingPreset(setting)) throw new AppError(SCAN_LINK_INVALID);
  if (setting.enabled !== 1) throw new AppError(SCAN_SETTING_DISABLED);
  return setting;
}
