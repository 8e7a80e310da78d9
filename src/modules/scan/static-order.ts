import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { randomToken } from '../../platform/ids.js';
import { parseDecimal } from '../../tax/index.js';
import { getSellerOrThrow } from '../invoicing/create-invoice.js';
import { buildOrder } from './create-order.js';
import { checkOrderContent } from './order-content.js';
import { checkTitle, type OrderTitle, toInvoiceRequest } from './order-title.js';
import { insertOrder } from './orders.repo.js';
import { DEFAULT_PRESET_MAX_AMOUNT, openPresetLine, type Preset, presetContent } from './preset.js';
import { SCAN_SETTING_DISABLED, SCAN_TITLE_INVALID } from './scan.errors.js';
import type { ScanOrder, ScanSetting } from './scan.tables.js';
import { settingKinds, settingPreset } from './settings.service.js';
import { recordSubmission } from './submit-title.js';

/** The amount a consumer typed at a static link, or an error message for the form. */
export function checkEnteredAmount(preset: Preset, raw: string | undefined): { amount: string } | { error: string } {
  const max = parseDecimal(preset.maxAmount ?? DEFAULT_PRESET_MAX_AMOUNT)!;
  const value = raw && /^\d{1,13}(\.\d{1,2})?$/.test(raw) ? parseDecimal(raw) : null;
  if (!value || value.lte(0)) return { error: '请填写消费金额，最多两位小数' };
  if (value.gt(max)) return { error: `金额不能超过 ${max.toFixed(2)} 元` };
  return { amount: value.toFixed(2) };
}

/**
 * A static link's submission (默认开票 / 码上开票): creates an order from the setting's preset (with the typed
 * amount) and records the title in the same transaction, so the consumer lands on its status page.
 */
export async function submitStaticOrder(
  deps: Deps,
  setting: ScanSetting,
  title: OrderTitle,
  amount: string | null,
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
  const seller = await getSellerOrThrow(deps, setting.tenant_id, setting.seller_tax_id);
  await checkTitle(deps, toInvoiceRequest(order, title, setting.business_system_code), seller.name);
  await deps.db.kysely.transaction().execute(async (trx) => {
    await insertOrder(trx, order);
    await recordSubmission(deps, trx, order, setting, title);
  });
  deps.jobs.notify();
  return { order, token };
}
