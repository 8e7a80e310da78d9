import { createHmac } from 'node:crypto';
import type { RawBuilder } from 'kysely';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId, randomToken } from '../../platform/ids.js';
import { parseDecimal, toFen } from '../../tax/index.js';
import { getSellerOrThrow } from '../orgs/index.js';
import { buildOrder } from './create-order.js';
import { checkOrderContent } from './order-content.js';
import { checkTitle, type OrderTitle, toInvoiceRequest } from './order-title.js';
import { insertOrder, insertOrderWith } from './orders.repo.js';
import { DEFAULT_PRESET_MAX_AMOUNT, openPresetLine, type Preset, presetContent } from './preset.js';
import { SCAN_LINK_RATE_LIMITED, SCAN_SETTING_DISABLED, SCAN_TITLE_INVALID } from './scan.errors.js';
import type { ScanOrder, ScanSetting } from './scan.tables.js';
import { settingKinds, settingLimits, settingPreset, settingSecret } from './settings.service.js';
import {
  checkStaticLimits,
  type LimitVerdict,
  minuteStart,
  PRUNE_COUNTERS_TASK,
  STATIC_LIMIT_LABELS,
  shanghaiDayStart,
  usageOfCounters,
} from './static-limits.js';
import {
  type CountedSubmission,
  type CounterCaps,
  countStaticSubmission,
  readStaticCounters,
  recordLimitException,
  releaseStaticCount,
} from './static-limits.repo.js';
import { afterSubmission, issuesOnSubmit, publishSubmittedAfter } from './submit-title.js';

/** The amount a consumer typed at a static link, or an error message for the form. */
export function checkEnteredAmount(preset: Preset, raw: string | undefined): { amount: string } | { error: string } {
  const max = parseDecimal(preset.maxAmount ?? DEFAULT_PRESET_MAX_AMOUNT)!;
  const value = raw && /^\d{1,13}(\.\d{1,2})?$/.test(raw) ? parseDecimal(raw) : null;
  if (!value || value.lte(0)) return { error: '请填写消费金额，最多两位小数' };
  if (value.gt(max)) return { error: `金额不能超过 ${max.toFixed(2)} 元` };
  return { amount: value.toFixed(2) };
}

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
 * amount), submitted with the consumer's title, so the consumer lands on its status page. The setting's limits
 * ({@link checkStaticLimits}) are counted by conditional upserts of per-window counters ({@link countAndCreate}), so
 * concurrent posts — on any number of processes — cannot overshoot; over a limit nothing is created, the limit's
 * exception is raised (once per window) and 429 `SCAN_LINK_RATE_LIMITED` is thrown. With `require_confirmation` the order waits for the
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
  const limits = settingLimits(setting);
  const at = deps.clock.now();
  const counted: CountedSubmission = {
    settingId: setting.id,
    tenantId: setting.tenant_id,
    clientHash: clientHash(deps, setting, clientIp),
    amountFen: order.total_fen,
    dayStart: shanghaiDayStart(at),
    minuteStart: minuteStart(at),
  };
  const caps: CounterCaps = {
    client: { day: limits.clientPerDay, minute: limits.clientPerMinute },
    setting: { day: limits.settingPerDay, minute: limits.settingPerMinute, amountFen: toFen(limits.amountPerDay) },
  };
  // A new order is born submitted with the consumer's title (no race to lose).
  Object.assign(order, { status: 'submitted' as const, buyer_json: JSON.stringify(title), submitted_at: at });
  let verdict: LimitVerdict | null = null;
  for (let attempt = 1; ; attempt++) {
    if (await countAndCreate(deps, setting, order, counted, caps)) break;
    // Refused: say by which limit. The counters may have moved since (a refused submission giving its count back):
    // when they show no limit reached, the submission is tried again.
    const usage = usageOfCounters(await readStaticCounters(deps.db.kysely, counted), at);
    verdict = checkStaticLimits(limits, usage, order.total_fen, at);
    if (verdict) break;
    if (attempt === 3) {
      verdict = checkStaticLimits(limits, { ...usage, settingMinute: limits.settingPerMinute }, order.total_fen, at);
      break;
    }
  }
  const refused = verdict && { ...verdict, raised: await raiseLimitException(deps, setting, verdict, at) };
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

/**
 * Counts the submission against the static link's limits and, when they take it, writes the order (submitted, with
 * `order.submitted`, its issue job, and on the first submission of the setting's day the counters' prune job).
 * PostgreSQL: the count is ONE autocommitted statement and the order ONE more, so no counter row stays locked while
 * the order is written; an order that fails to be written gives its count back. SQLite (one writer): both in one
 * transaction. False when a limit refused the submission (nothing written).
 */
async function countAndCreate(
  deps: Deps,
  setting: ScanSetting,
  order: ScanOrder,
  counted: CountedSubmission,
  caps: CounterCaps,
): Promise<boolean> {
  // A new counter row starts at the submission's amount: one alone over the daily amount is refused before counting.
  if (counted.amountFen > caps.setting.amountFen) return false;
  const { kysely: db, dialect } = deps.db;
  const pruneJob = { day: counted.dayStart };
  if (dialect === 'postgres') {
    const outcome = await countStaticSubmission(db, dialect, counted, caps);
    if (!outcome.setting) return false;
    try {
      const withs: RawBuilder<unknown>[] = await publishSubmittedAfter(deps, 'ins', order, setting);
      if (issuesOnSubmit(order, setting)) {
        withs.push(
          deps.jobs.enqueueAfter(
            'ins',
            'scan/issue-order',
            { orderId: order.id, orderNo: order.order_no },
            { tenantId: order.tenant_id },
          ),
        );
      }
      if (outcome.settingDayCount === 1) withs.push(deps.jobs.enqueueAfter('ins', PRUNE_COUNTERS_TASK, pruneJob));
      if (!(await insertOrderWith(db, order, withs))) throw new Error(`static order number ${order.order_no} taken`);
    } catch (err) {
      await releaseStaticCount(db, counted, ['client', 'setting']);
      throw err;
    }
    return true;
  }
  return db.transaction().execute(async (trx) => {
    const outcome = await countStaticSubmission(trx, dialect, counted, caps);
    if (!outcome.setting) return false;
    if (!(await insertOrder(trx, order))) throw new Error(`static order number ${order.order_no} taken`);
    await afterSubmission(deps, trx, order, setting);
    if (outcome.settingDayCount === 1) await deps.jobs.enqueue(trx, PRUNE_COUNTERS_TASK, pruneJob);
    return true;
  });
}

/** Records a refusal against its limit's window (one upsert); true when it raised the window's exception. */
async function raiseLimitException(deps: Deps, setting: ScanSetting, verdict: LimitVerdict, at: number) {
  return recordLimitException(deps.db.kysely, {
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
}
