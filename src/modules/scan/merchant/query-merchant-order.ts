import { ctxOf, type Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { buildSignatureHeader, postWebhook } from '../../delivery/index.js';

import { getBusinessSystem, signingSecretsOf } from '../../orgs/index.js';
import { MERCHANT_BAD_ANSWER, MERCHANT_ORDER_NOT_FOUND, MERCHANT_UNAVAILABLE } from '../scan.errors.js';
import type { ScanSetting } from '../scan.tables.js';
import { type MerchantOrderAnswerData, parseMerchantAnswer } from './merchant-answer.js';

/** The consumer is waiting on the page: give the merchant at most this long per attempt. */
export const ORDER_QUERY_TIMEOUT_MS = 5000;
/** Attempts in all (one retry after a network error or a 5xx). */
const ATTEMPTS = 2;
const RETRY_DELAY_MS = 300;

/**
 * Asks the setting's business system for an order (`GET.ORDER`, POST JSON signed like webhooks: headers
 * `X-OpenFapiao-Timestamp` and `X-OpenFapiao-Signature: sha256=HMAC(secret, "timestamp.body")`), through the
 * delivery module's SSRF-guarded client. Throws MERCHANT_UNAVAILABLE, MERCHANT_ORDER_NOT_FOUND or
 * MERCHANT_BAD_ANSWER; returns the validated order otherwise.
 */
export async function queryMerchantOrder(
  deps: Deps,
  setting: ScanSetting,
  orderNo: string,
): Promise<MerchantOrderAnswerData> {
  if (!setting.business_system_code) throw new AppError(MERCHANT_UNAVAILABLE, '二维码设置未配置业务系统');
  const system = await getBusinessSystem(ctxOf(deps), setting.tenant_id, setting.business_system_code).catch(
    () => null,
  );
  if (!system?.order_query_url || system.enabled !== 1) {
    throw new AppError(MERCHANT_UNAVAILABLE, '业务系统未配置订单查询地址');
  }
  const body = JSON.stringify({
    interfaceCode: 'GET.ORDER',
    key: setting.key,
    orderNo,
    sellerTaxId: setting.seller_tax_id,
  });
  for (let attempt = 1; ; attempt++) {
    const timestamp = Math.floor(deps.clock.now() / 1000);
    const result = await postWebhook({
      url: system.order_query_url,
      body,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'OpenFapiao-OrderQuery/1',
        'x-openfapiao-event': 'order.query',
        'x-openfapiao-timestamp': String(timestamp),
        'x-openfapiao-signature': buildSignatureHeader(signingSecretsOf(deps, system), timestamp, body),
      },
      timeoutMs: Math.min(ORDER_QUERY_TIMEOUT_MS, deps.config.delivery.webhookTimeoutMs),
      allowedHosts: deps.config.delivery.outboundAllowedHosts,
      maxResponseBytes: MERCHANT_ANSWER_MAX_BYTES,
    });
    if (result.statusCode === 404) throw new AppError(MERCHANT_ORDER_NOT_FOUND);
    const transient = result.statusCode === null || result.statusCode >= 500;
    if (transient && attempt < ATTEMPTS) {
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
      continue;
    }
    if (transient) {
      deps.logger.warn({ orderNo, error: result.error }, 'merchant order query failed');
      throw new AppError(MERCHANT_UNAVAILABLE);
    }
    return readAnswer(result.excerpt ?? '', orderNo, result.statusCode);
  }
}

/** The largest merchant answer we read (an order with a few hundred lines fits easily). */
export const MERCHANT_ANSWER_MAX_BYTES = 256 * 1024;

function readAnswer(text: string, orderNo: string, statusCode: number | null): MerchantOrderAnswerData {
  // The client keeps the first MERCHANT_ANSWER_MAX_BYTES of an answer; a longer one is refused as malformed.
  const truncated = Buffer.byteLength(text, 'utf8') >= MERCHANT_ANSWER_MAX_BYTES;
  const answer = truncated ? null : parseMerchantAnswer(text);
  if (answer?.code === '404') throw new AppError(MERCHANT_ORDER_NOT_FOUND);
  if (answer?.code !== '0' || !answer.data || statusCode !== 200) {
    throw new AppError(MERCHANT_BAD_ANSWER, undefined, { orderNo, truncated });
  }
  if (answer.data.orderNo !== orderNo) throw new AppError(MERCHANT_BAD_ANSWER, '商家返回的订单号与二维码不一致');
  return answer.data;
}
