import { html } from './html.js';
import { renderPage } from './layout.js';

interface ErrorPageText {
  title: string;
  message: string;
  hint: string;
}

const PAGES: Record<string, ErrorPageText> = {
  SCAN_LINK_INVALID: {
    title: '二维码无效',
    message: '二维码无效或已被篡改。',
    hint: '请确认扫描的是商家小票上的完整二维码，或联系商家重新提供。',
  },
  SCAN_LINK_EXPIRED: { title: '二维码已过期', message: '二维码已过开票有效期。', hint: '请联系商家重新提供二维码。' },
  ORDER_EXPIRED: { title: '二维码已过期', message: '该订单已过开票有效期。', hint: '请联系商家重新提供二维码。' },
  ORDER_WITHDRAWN: { title: '订单已撤回', message: '商家已撤回该订单，无法开票。', hint: '如有疑问请联系商家。' },
  SCAN_SETTING_DISABLED: { title: '暂停开票', message: '商家已暂停扫码开票。', hint: '请联系商家。' },
  SCAN_TAX_ID_MISMATCH: {
    title: '无法开票',
    message: '二维码key值对应税号和订单税号不一致，请联系商家提供新的二维码',
    hint: '',
  },
  MERCHANT_UNAVAILABLE: {
    title: '商家系统繁忙',
    message: '暂时无法从商家系统获取订单。',
    hint: '请稍后重新扫码，或联系商家。',
  },
  MERCHANT_ORDER_NOT_FOUND: {
    title: '未找到订单',
    message: '商家系统中没有找到该订单。',
    hint: '订单可能尚未同步，请稍后再试或联系商家。',
  },
  MERCHANT_BAD_ANSWER: {
    title: '订单信息有误',
    message: '商家系统返回的订单信息不完整或有误，暂时无法开票。',
    hint: '请联系商家处理。',
  },
  SCAN_CSRF_FAILED: { title: '页面已失效', message: '页面已失效，请返回后刷新重新提交。', hint: '' },
  VALIDATION_FAILED: {
    title: '无法提交',
    message: '提交的内容包含无法识别的字符。',
    hint: '请删除特殊字符后返回重新填写。',
  },
  INVALID_ENCODING: {
    title: '无法提交',
    message: '提交的内容编码无效。',
    hint: '请返回后重新填写，或换用其他浏览器。',
  },
  SCAN_LINK_RATE_LIMITED: {
    title: '提交过于频繁',
    message: '该二维码的开票申请已达到商家设置的次数或金额上限，本次提交未开具发票。',
    hint: '请稍后再试；如急需发票，请联系商家。',
  },
  PAYLOAD_TOO_LARGE: {
    title: '提交的内容过长',
    message: '提交的内容过长，无法处理。',
    hint: '请返回检查填写的内容后重新提交。',
  },
  RATE_LIMITED: { title: '操作太频繁', message: '请求过于频繁，请稍后再试。', hint: '' },
};

const FALLBACK: ErrorPageText = { title: '系统繁忙', message: '系统暂时无法处理您的请求。', hint: '请稍后再试。' };

/**
 * The page of a static-link submission over a limit: when to try again — in about a minute for the per-minute limits,
 * tomorrow for the daily ones.
 */
export function renderLimitPage(limit: { daily: boolean; retryAfterSeconds: number }, requestId: string): string {
  const base = PAGES.SCAN_LINK_RATE_LIMITED!;
  const hint = limit.daily
    ? '今日该二维码的开票申请已达上限，请明天再试；如急需发票，请联系商家。'
    : `请约 ${Math.max(1, limit.retryAfterSeconds)} 秒后再试；如急需发票，请联系商家。`;
  return renderErrorPage('SCAN_LINK_RATE_LIMITED', requestId, { ...base, hint });
}

/** The Chinese page for an error code (never a stack trace); unknown codes get a generic "try later" page. */
export function renderErrorPage(code: string, requestId: string, override?: ErrorPageText): string {
  const text = override ?? PAGES[code] ?? FALLBACK;
  return renderPage({
    title: text.title,
    body: html`<div class="card status" role="alert">
<div class="icon bad" aria-hidden="true">!</div>
<h1>${text.title}</h1>
<p>${text.message}</p>
${text.hint ? html`<p class="hint">${text.hint}</p>` : ''}
<p class="hint">错误代码 ${code} · ${requestId}</p>
</div>`,
  });
}
