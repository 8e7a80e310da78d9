import { createHash } from 'node:crypto';
import type { ComputedInvoice } from '../../../tax/index.js';
import { html, raw, renderPage } from '../../scan/index.js';

/** Where the kiosk page loads the camera decoder from: zxing-wasm's reader, served by us (never a CDN). */
export const KIOSK_ASSETS = {
  script: '/k/assets/zxing-reader.js',
  wasm: '/k/assets/zxing_reader.wasm',
} as const;

/**
 * The kiosk's script: keeps the focus in the scanner field (a USB/serial QR scanner types the receipt QR's text and
 * Enter), prints with the button, and after a minute without input returns an invoice page to the empty form so the
 * next customer never sees it.
 *
 * Camera scanning (扫码): where the browser has a camera API, the 扫码 button opens the camera (getUserMedia, the
 * rear camera preferred), loads zxing-wasm's reader from our own server (the script with its SRI hash, then the
 * wasm), decodes a frame every ~150 ms, and on a receipt's link (`…/r/t/{token}` or `…/s/{token}`) fills the scan
 * field and submits it; any other code is named as such and scanning goes on. The camera closes after two minutes,
 * on 关闭摄像头, or when the page is left. 拍照识别 (a file input with `capture`: a phone opens its camera app) decodes
 * a picture the same way — also the fallback where no camera opens.
 */
export const KIOSK_SCRIPT = `(function(){
var s=document.getElementById('f-scanned');if(s){s.focus();document.addEventListener('click',function(e){if(e.target.tagName!=='INPUT'&&e.target.tagName!=='BUTTON'&&e.target.tagName!=='LABEL')s.focus()})}
var p=document.getElementById('print');if(p){p.addEventListener('click',function(){window.print()})}
var home=document.body.getAttribute('data-home'),t=0;function arm(){clearTimeout(t);if(home&&document.getElementById('invoice'))t=setTimeout(function(){location.replace(home)},60000)}
['click','keydown','touchstart'].forEach(function(n){document.addEventListener(n,arm)});arm();
var cam=document.getElementById('camera'),pick=document.getElementById('camera-pick'),file=document.getElementById('camera-file'),view=document.getElementById('camera-view'),msg=document.getElementById('camera-msg');
if(!s||!cam||!file||!view||!msg)return;
var RECEIPT=/\\/(r\\/t|s)\\/[0-9A-Za-z]{17}(?:[/?#]|$)/,OPTS={formats:['QRCode'],maxNumberOfSymbols:1,tryHarder:true},zx=null,stream=null,timer=0,until=0,busy=false,done=false;
function say(m){msg.textContent=m}
function lib(){if(!zx)zx=new Promise(function(ok,no){var e=document.createElement('script');e.src=cam.getAttribute('data-src');e.integrity=cam.getAttribute('data-sri');e.crossOrigin='anonymous';e.onerror=function(){no(new Error('script'))};e.onload=function(){var w=cam.getAttribute('data-wasm');window.ZXingWASM.prepareZXingModule({overrides:{locateFile:function(f,pre){return /\\.wasm$/.test(f)?w:pre+f}},fireImmediately:true}).then(function(){ok(window.ZXingWASM)},no)};document.head.appendChild(e)});return zx}
function stop(){clearTimeout(timer);if(stream){stream.getTracks().forEach(function(k){k.stop()})}stream=null;view.srcObject=null;view.hidden=true;cam.textContent='扫码'}
function found(rs){var hit=null,other=false;(rs||[]).forEach(function(r){if(!r.text)return;if(RECEIPT.test(r.text)){hit=hit||r.text}else other=true});
if(hit){done=true;stop();s.value=hit.slice(0,300);say('已识别，正在查询…');if(s.form.requestSubmit)s.form.requestSubmit();else s.form.submit();return true}
if(other)say('这不是本店小票上的二维码，请扫描小票上的二维码');return false}
function tick(z){if(!stream||done)return;if(Date.now()>until){stop();say('已关闭摄像头；需要时请再点“扫码”');return}
var w=view.videoWidth,h=view.videoHeight;if(!w||!h||busy){timer=setTimeout(function(){tick(z)},150);return}
var c=tick.c||(tick.c=document.createElement('canvas'));c.width=w;c.height=h;var g=c.getContext('2d',{willReadFrequently:true});g.drawImage(view,0,0,w,h);busy=true;
z.readBarcodes(g.getImageData(0,0,w,h),OPTS).then(found,function(){return false}).then(function(hit){busy=false;if(!hit)timer=setTimeout(function(){tick(z)},150)})}
function fail(){stop();say('无法打开摄像头：请用扫码器、拍照识别，或输入订单号和提取码');pick.hidden=false}
var media=navigator.mediaDevices&&navigator.mediaDevices.getUserMedia&&typeof WebAssembly==='object';
if(media)cam.hidden=false;pick.hidden=false;
cam.addEventListener('click',function(){if(stream){stop();say('');s.focus();return}
say('正在打开摄像头…');navigator.mediaDevices.getUserMedia({video:{facingMode:{ideal:'environment'},width:{ideal:1280},height:{ideal:720}},audio:false}).then(function(st){
stream=st;view.srcObject=st;view.hidden=false;cam.textContent='关闭摄像头';until=Date.now()+120000;var p=view.play();if(p&&p.catch)p.catch(function(){});say('正在启动识别…');
return lib().then(function(z){if(!stream)return;say('请将小票上的二维码对准摄像头');tick(z)})}).catch(fail)});
file.addEventListener('change',function(){var f=file.files&&file.files[0];file.value='';if(!f)return;
if(f.size>20971520){say('图片过大，请重新拍照');return}say('正在识别图片…');
lib().then(function(z){return z.readBarcodes(f,OPTS)}).then(function(rs){if(!found(rs)&&!(rs&&rs.length))say('图片中未找到二维码，请重新拍照')},function(){say('无法识别图片，请重新拍照')})});
window.addEventListener('pagehide',stop)})();`;

const hash = (script: string) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;

/**
 * The kiosk pages' CSP: nothing external. Scripts: the kiosk script (by hash) and our own zxing reader script
 * (`'self'`, loaded with its SRI hash); `'wasm-unsafe-eval'` — the kiosk pages only — lets it compile the reader's
 * wasm, which it fetches from us (`connect-src 'self'`); the camera's stream plays in a `<video>` (`media-src
 * 'self' blob:` is not needed for `srcObject`). Forms post to us only.
 */
export const KIOSK_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src ${hash(KIOSK_SCRIPT)} 'self' 'wasm-unsafe-eval'`,
  "connect-src 'self'",
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
.cam-row{display:flex;gap:8px;flex-wrap:wrap}.cam-row .btn{flex:1;min-width:120px;width:auto;margin:0}.cam-row [hidden]{display:none!important}.cam-file{position:absolute;width:1px;height:1px;opacity:0}
.cam-view{display:block;width:100%;max-height:60vh;background:#000;border-radius:8px;margin-top:8px;object-fit:contain}.cam-view[hidden]{display:none}.cam-msg{margin:8px 0 0;color:#444}.cam-msg:empty{display:none}
.meta{display:flex;justify-content:space-between;flex-wrap:wrap;gap:8px;color:#333}
@media print{body{background:#fff}main{max-width:none;padding:0}footer,.noprint{display:none!important}.inv{padding:0;border-radius:0}}`;

export interface KioskFormModel {
  sellerName: string;
  /** The SRI hash (`sha384-…`) of the served zxing reader script. */
  readerIntegrity: string;
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
<div class="row cam-row"><button class="btn" type="submit">查询</button>
<button class="btn alt" type="button" id="camera" hidden data-src="${KIOSK_ASSETS.script}" data-wasm="${KIOSK_ASSETS.wasm}" data-sri="${m.readerIntegrity}">扫码</button>
<label class="btn alt" id="camera-pick" hidden>拍照识别<input type="file" id="camera-file" accept="image/*" capture="environment" class="cam-file"></label></div>
<p id="camera-msg" class="cam-msg" role="status" aria-live="polite"></p>
<video id="camera-view" class="cam-view" hidden muted playsinline autoplay></video>
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
