import { createHash } from 'node:crypto';
import type { ComputedInvoice } from '../../../tax/index.js';
import { html, raw, renderPage } from '../../scan/index.js';

/**
 * The kiosk's script: keeps the focus in the scanner field (a USB/serial QR scanner types the receipt QR's text and
 * Enter), prints with the button, and after a minute without input returns an invoice page to the empty form so the
 * next customer never sees it.
 */
export const KIOSK_SCRIPT = `(function(){
var s=document.getElementById('f-scanned');if(s){s.focus();document.addEventListener('click',function(e){if(e.target.tagName!=='INPUT'&&e.target.tagName!=='BUTTON')s.focus()})}
var p=document.getElementById('print');if(p){p.addEventListener('click',function(){window.print()})}
var home=document.body.getAttribute('data-home'),t=0;function arm(){clearTimeout(t);if(home&&document.getElementById('invoice'))t=setTimeout(function(){location.replace(home)},60000)}
['click','keydown','touchstart'].forEach(function(n){document.addEventListener(n,arm)});arm()})();`;

const hash = (script: string) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;

/** The kiosk pages' CSP: nothing external, only the kiosk script; forms post to us only. */
export const KIOSK_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src ${hash(KIOSK_SCRIPT)}`,
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const KIOSK_CSS = `main{max-width:720px}.big{font-size:20px;padding:14px}
.inv{background:#fff;padding:16px;border-radius:8px;font-size:13px}
.inv h1{text-align:center;color:#9b1c1c;font-size:22px;letter-spacing:4px}
.inv table{width:100%;border-collapse:collapse;margin:8px 0}.inv td,.inv th{border:1px solid #9b1c1c;padding:4px 6px;text-align:left;vertical-align:top}
.inv th{color:#9b1c1c;font-weight:600;white-space:nowrap}.num{text-align:right!important;white-space:nowrap}
.meta{display:flex;justify-content:space-between;flex-wrap:wrap;gap:8px;color:#333}
@media print{body{background:#fff}main{max-width:none;padding:0}footer,.noprint{display:none!important}.inv{padding:0;border-radius:0}}`;

export interface KioskFormModel {
  sellerName: string;
  kioskName: string;
  action: string;
  csrf: string;
  error: string | null;
  values: { orderNo?: string };
}

/** The kiosk's start page: scan the receipt's QR code, or type the order number and the extraction code. */
export function renderKioskForm(m: KioskFormModel): string {
  const body = html`<style>${raw(KIOSK_CSS)}</style>
<h1>自助打印发票</h1>
<p class="seller">${m.sellerName} · ${m.kioskName}</p>
${m.error ? html`<div class="alert" role="alert">${m.error}</div>` : ''}
<form class="card" method="post" action="${m.action}" autocomplete="off">
<input type="hidden" name="_csrf" value="${m.csrf}">
<div class="field"><label for="f-scanned">请将小票上的二维码对准扫码器</label>
<input id="f-scanned" name="scanned" class="big" maxlength="300" inputmode="none" placeholder="扫码后自动查询"></div>
<button class="btn" type="submit">查询</button>
</form>
<form class="card" method="post" action="${m.action}" autocomplete="off">
<input type="hidden" name="_csrf" value="${m.csrf}">
<h2>或输入订单号和提取码</h2>
<div class="field"><label for="f-orderNo">订单号</label><input id="f-orderNo" name="orderNo" maxlength="64" value="${m.values.orderNo ?? ''}" autocapitalize="characters" spellcheck="false"></div>
<div class="field"><label for="f-code">提取码</label><input id="f-code" name="code" maxlength="16" autocapitalize="characters" spellcheck="false"></div>
<button class="btn alt" type="submit">查询发票</button>
</form>`;
  return renderPage({ title: '自助打印发票', body, script: KIOSK_SCRIPT });
}

export interface KioskInvoiceModel {
  invoice: ComputedInvoice;
  sellerName: string;
  number: string;
  issuedAt: string;
  paper: 'a4' | 'a5';
  home: string;
}

/**
 * The invoice, print-ready: an HTML rendition of the 数电票 (title, number and date, buyer and seller, lines, totals
 * in figures and words, remark) with `@page` of the kiosk's paper (A4 or A5, landscape for A5), and the print button.
 */
export function renderKioskInvoice(m: KioskInvoiceModel): string {
  const inv = m.invoice;
  const page = m.paper === 'a5' ? 'A5 landscape' : 'A4';
  const body = html`<style>${raw(KIOSK_CSS)}@page{size:${raw(page)};margin:10mm}</style>
<div class="noprint row" style="margin-bottom:12px"><button class="btn big" id="print" type="button">打印发票</button><a class="btn alt big" href="${m.home}">返回</a></div>
<article class="inv" id="invoice">
<h1>电子发票（${inv.kindName.replace(/^电子发票（|）$/g, '')}）</h1>
<div class="meta"><span>发票号码：<b id="inv-number">${m.number}</b></span><span>开票日期：${m.issuedAt}</span></div>
<table>
<tr><th>购买方</th><td>名称：${inv.buyer.displayName}${inv.buyer.taxId ? html`<br>统一社会信用代码/纳税人识别号：${inv.buyer.taxId}` : ''}</td>
<th>销售方</th><td>名称：${m.sellerName}<br>统一社会信用代码/纳税人识别号：${inv.seller.taxId}</td></tr>
</table>
<table>
<tr><th>项目名称</th><th>规格型号</th><th>单位</th><th class="num">数量</th><th class="num">单价</th><th class="num">金额</th><th class="num">税率</th><th class="num">税额</th></tr>
${inv.lines.map(
  (l) =>
    html`<tr><td>${l.renderedName}</td><td>${l.spec ?? ''}</td><td>${l.unit ?? ''}</td><td class="num">${l.quantity ?? ''}</td><td class="num">${l.unitPrice ?? ''}</td><td class="num">${l.amount}</td><td class="num">${l.taxRateLabel}</td><td class="num">${l.taxLabel}</td></tr>`,
)}
<tr><th>合计</th><td colspan="4"></td><td class="num">¥${inv.totals.amount}</td><td></td><td class="num">¥${inv.totals.tax}</td></tr>
<tr><th>价税合计（大写）</th><td colspan="4">${inv.totals.totalInWords}</td><th>（小写）</th><td colspan="2" class="num"><b>¥${inv.totals.total}</b></td></tr>
<tr><th>备注</th><td colspan="7">${inv.remark ?? ''}</td></tr>
</table>
</article>`;
  return renderPage({ title: `发票 ${m.number}`, body, script: KIOSK_SCRIPT }).replace(
    '<body>',
    `<body data-home="${m.home}">`,
  );
}
