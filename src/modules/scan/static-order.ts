import { createHmac } from 'node:crypto';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId, randomToken } from '../../platform/ids.js';
import { parseDecimal } from '../../tax/index.js';
import { getSellerOrThrow } from '../orgs/index.js';
import { buildOrder } from './create-order.js';
import { checkOrderContent } from './order-content.js';
import { checkTitle, type OrderTitle, toInvoiceRequest } from './order-title.js';
import { insertOrder } from './orders.repo.js';
import { DEFAULT_PRESET_MAX_AMOUNT, openPresetLine, type Preset, presetContent } from './preset.js';
import { SCAN_LINK_RATE_LIMITED, SCAN_SETTING_DISABLED, SCAN_TITLE_INVALID } from './scan.errors.js';
import type { ScanOrder, ScanSetting } from './scan.tables.js';
import { settingKinds, settingLimits, settingPreset, settingSecret } from './settings.service.js';
import {
  checkStaticLimits,
  type LimitVerdict,
  MINUTE_MS,
  STATIC_LIMIT_LABELS,
  shanghaiDayStart,
} from './static-limits.js';
import {
  insertStaticSubmission,
  lockSettingForSubmission,
  pruneLimitExceptions,
  pruneStaticSubmissions,
  recordLimitException,
  staticUsage,
} from './static-limits.repo.js';
import { recordSubmission } from './submit-title.js';

/** The amount a consumer typed at a static link, or an error message for the form. */
export function checkEnteredAmount(preset: Preset, raw: string | undefined): { amount: string } | { error: string } {
  const max = parseDecimal(preset.maxAmount ?? DEFAULT_PRESET_MAX_AMOUNT)!;
  const value = raw && /^\d{1,13}(\.\d{1,2})?$/.test(raw) ? parseDecimal(raw) : null;
  if (!value || value.lte(0)) return { error: '请填写消费金额，最多两位小数' };
  if (value.gt(max)) return { error: `金额不能超过 ${max.toFixed(2)} 元` };
  return { amount: value.toFixed(2) };
}

/** Accepted submissions are kept this long for the limits (the longest window is the current Shanghai day). */
const SUBMISSION_RETENTION_MS = 2 * 86_400_000;
/** Limit exceptions are kept this long (the monitor shows the last seven days). */
const EXCEPTION_RETENTION_MS = 30 * 86_400_000;

/**
 * The client address as the limits count it: a keyed hash (HMAC-SHA256 with the setting's secret), so the database
 * never holds addresses and hashes cannot be matched across settings.
 */
function clientHash(deps: Pick<Deps, 'config'>, setting: ScanSetting, clientIp: string): string {
  return createHmac('sha256', settingSecret(deps, setting))
    .update(`scan-client:${clientIp}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * A static link's submission (默认开票 / 码上开票): creates an order from the setting's preset (with the typed
 * amount) and records the title in the same transaction, so the consumer lands on its status page. The setting's
 * limits ({@link checkStaticLimits}) are counted and the submission recorded in that transaction, serialized per
 * setting, so concurrent posts cannot overshoot; over a limit nothing is created, the limit's exception is raised
 * (once per window) and 429 `SCAN_LINK_RATE_LIMITED` is thrown. With `require_confirmation` the order waits for the
 * merchant instead of issuing.
 */
export async function submitStaticOrder(
  deps: Deps,
  setting: ScanSetting,
  title: OrderTitle,
  amount: string | null,
  clientIp: string,
): Promise<{ order: ScanOrder; token: string }> {
  const preset = settingPreset(setting);
  if (!preset || setting.enabled !== 1) throw new AppError(SCAN_SETTING_DISABLED);
  if (openPresetLine(preset) >= 0 && amount === null) throw new AppError(SCAN_TITLE_INVALID, '请填写消费金额');
  const content = presetContent(preset, amount);
  const kinds = settingKinds(setting);
  const checked = await checkOrderContent(deps, setting.tenant_id, setting.seller_tax_id, kinds, content);
  const token = randomToken(96);
  const now = deps.clock.now();
  const order = buildOrder(deps, setting, {
    orderNo: `P${now.toString(36)}${randomToken(48).slice(0, 8)}`.toUpperCase(),
    source: 'static',
    hash: 'static',
    token,
    kinds,
    content,
    checked,
    notify: null,
    expiresAt: now + setting.validity_days * 86_400_000,
  });
  order.needs_confirmation = setting.require_confirmation;
  const seller = await getSellerOrThrow(deps.db.kysely, setting.tenant_id, setting.seller_tax_id);
  await checkTitle(deps, toInvoiceRequest(order, title, setting.business_system_code), seller.name);
  const client = clientHash(deps, setting, clientIp);
  const limits = settingLimits(setting);
  const { dialect } = deps.db;
  type Refusal = LimitVerdict & { raised: boolean };
  const refused = await deps.db.kysely.transaction().execute(async (trx): Promise<Refusal | null> => {
    await lockSettingForSubmission(trx, dialect, setting.id);
    const at = deps.clock.now();
    await pruneStaticSubmissions(trx, dialect, at - SUBMISSION_RETENTION_MS);
    const usage = await staticUsage(trx, setting.id, client, at - MINUTE_MS, shanghaiDayStart(at));
    const verdict = checkStaticLimits(limits, usage, order.total_fen, at);
    if (verdict) {
      await pruneLimitExceptions(trx, dialect, at - EXCEPTION_RETENTION_MS);
      const raised = await recordLimitException(trx, {
        id: newId('sle', at),
        tenant_id: setting.tenant_id,
        setting_id: setting.id,
        limit_name: verdict.limit,
        window_start: verdict.windowStart,
        limit_value: verdict.limitValue,
        rejected: 1,
        first_at: at,
        last_at: at,
      });
      return { ...verdict, raised };
    }
    await insertOrder(trx, order);
    await insertStaticSubmission(trx, {
      id: newId('sss', at),
      tenant_id: setting.tenant_id,
      setting_id: setting.id,
      client_hash: client,
      amount_fen: order.total_fen,
      created_at: at,
    });
    await recordSubmission(deps, trx, order, setting, title);
    return null;
  });
  if (refused) {
    // Logged once per limit and window, like the exception (a flood of refused posts does not flood the log).
    if (refused.raised) {
      deps.logger.warn(
        { tenantId: setting.tenant_id, settingKey: setting.key, limit: refused.limit, limitValue: refused.limitValue },
        'static scan link over its limit: submissions refused',
      );
    }
    throw new AppError(
      SCAN_LINK_RATE_LIMITED,
      `已超过${STATIC_LIMIT_LABELS[refused.limit]}上限（${refused.limitValue}），本次未开票`,
      { limit: refused.limit, limitValue: refused.limitValue, retryAfterSeconds: refused.retryAfterSeconds },
      { headers: { 'retry-after': String(refused.retryAfterSeconds) } },
    );
  }
  deps.jobs.notify();
  return { order, token };
}
