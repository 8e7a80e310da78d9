import type { Deps } from '../../../platform/deps.js';
import { AppError, isAppError } from '../../../platform/errors/app-error.js';
import { randomToken } from '../../../platform/ids.js';
import type { InvoiceKind } from '../../../tax/index.js';
import { findOrg } from '../../orgs/index.js';
import { buildOrder } from '../create-order.js';
import { checkOrderContent, type OrderContent } from '../order-content.js';
import { findOrderByNo, insertOrder } from '../orders.repo.js';
import {
  MERCHANT_BAD_ANSWER,
  SCAN_LINK_EXPIRED,
  SCAN_LINK_INVALID,
  SCAN_SETTING_DISABLED,
  SCAN_TAX_ID_MISMATCH,
} from '../scan.errors.js';
import type { ScanOrder, ScanSetting } from '../scan.tables.js';
import { isValidScanLinkSignature } from '../scan-link-signature.js';
import { findSettingByKey, settingKinds, settingSecret } from '../settings.service.js';
import type { MerchantOrderAnswerData } from './merchant-answer.js';
import { queryMerchantOrder } from './query-merchant-order.js';

/** Tolerated clock skew of the merchant's till (a link "signed in the future"). */
const FUTURE_SKEW_S = 300;
const ORDER_NO_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface MerchantLinkQuery {
  o?: string;
  t?: string;
  s?: string;
}

/**
 * Opens a merchant-assembled link `/q/{key}?o&t&s`: verifies the signature, returns the order when it was scanned
 * before (its status page, even after the link's validity), else checks expiry, asks the merchant for the order
 * (first scan) and snapshots it.
 */
export async function openMerchantLink(deps: Deps, key: string, q: MerchantLinkQuery): Promise<ScanOrder> {
  const setting = await findSettingByKey(deps, key);
  const t = Number(q.t);
  if (!setting || !q.o || !ORDER_NO_RE.test(q.o) || !/^\d{1,12}$/.test(q.t ?? '') || !q.s || q.s.length > 64) {
    throw new AppError(SCAN_LINK_INVALID);
  }
  if (!isValidScanLinkSignature(settingSecret(deps, setting), key, q.o, t, q.s)) throw new AppError(SCAN_LINK_INVALID);
  const nowS = deps.clock.now() / 1000;
  if (t > nowS + FUTURE_SKEW_S) throw new AppError(SCAN_LINK_INVALID);
  const existing = await findOrderByNo(deps.db.kysely, setting.tenant_id, q.o);
  if (existing) {
    if (existing.setting_id !== setting.id) throw new AppError(SCAN_LINK_INVALID);
    return existing;
  }
  const expiresAt = (t + setting.validity_days * 86_400) * 1000;
  if (expiresAt <= deps.clock.now()) throw new AppError(SCAN_LINK_EXPIRED);
  if (setting.enabled !== 1) throw new AppError(SCAN_SETTING_DISABLED);
  const answer = await queryMerchantOrder(deps, setting, q.o);
  return snapshotOrder(deps, setting, answer, expiresAt);
}

async function snapshotOrder(
  deps: Deps,
  setting: ScanSetting,
  answer: MerchantOrderAnswerData,
  expiresAt: number,
): Promise<ScanOrder> {
  const sellerTaxId = await resolveSeller(deps, setting, answer.sellerTaxId.toUpperCase());
  const allowed = settingKinds(setting);
  const kinds = answer.invoiceKind ? [answer.invoiceKind] : (answer.allowedKinds ?? allowed);
  if (kinds.some((k) => !allowed.includes(k))) throw new AppError(MERCHANT_BAD_ANSWER, '商家返回的票种不在允许范围内');
  const content: OrderContent = {
    lines: answer.lines,
    ...(answer.totals ? { totals: answer.totals } : {}),
    ...(answer.remark === undefined ? {} : { remark: answer.remark }),
  };
  const checked = await checkOrderContent(deps, setting.tenant_id, sellerTaxId, kinds as InvoiceKind[], content).catch(
    (err: unknown) => {
      throw isAppError(err) && err.statusCode === 422
        ? new AppError(MERCHANT_BAD_ANSWER, `商家订单未通过校验：${err.message}`, { cause: err.code })
        : err;
    },
  );
  const order = buildOrder(deps, setting, {
    orderNo: answer.orderNo,
    source: 'merchant',
    hash: 'merchant',
    token: randomToken(96),
    kinds: kinds as InvoiceKind[],
    content,
    checked,
    notify: answer.notify ?? null,
    expiresAt,
    sellerTaxId,
  });
  if (answer.cancelled) order.status = 'withdrawn';
  await insertOrder(deps.db.kysely, order); // a concurrent first scan may have won: read back either way
  return (await findOrderByNo(deps.db.kysely, setting.tenant_id, answer.orderNo))!;
}

/**
 * The order's seller: the key's own tax id, or another org of the same tenant (the order's tax id wins, as in
 * Kingdee); anything else is the 「税号不一致」 error.
 */
async function resolveSeller(deps: Deps, setting: ScanSetting, taxId: string): Promise<string> {
  if (taxId === setting.seller_tax_id) return taxId;
  const org = await findOrg(deps.db.kysely, setting.tenant_id, taxId);
  if (!org) throw new AppError(SCAN_TAX_ID_MISMATCH);
  return org.tax_id;
}
