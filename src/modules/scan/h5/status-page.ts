import { html, type SafeHtml } from './html.js';
import { renderPage } from './layout.js';
import { STATUS_PAGE_SCRIPT } from './page-script.js';

export interface StatusPageModel {
  status: 'submitted' | 'invoicing' | 'invoiced' | 'failed';
  titleOnly: boolean;
  /** A static-link order waiting for the merchant's confirmation (待商家确认). */
  awaitingConfirmation: boolean;
  sellerName: string;
  total: string;
  buyerName: string;
  buyerTaxId: string | null;
  invoice: { number: string | null; issuedAt: string | null; kindName: string } | null;
  downloads: { pdf: string; ofd: string } | null;
  email: { action: string; csrf: string; value: string; notice: string | null } | null;
}

const HEADS = {
  waiting: {
    icon: '✓',
    tone: 'ok',
    title: '已提交，等待商家开票',
    text: '商家开具后，发票将发送到您留下的邮箱或手机。',
  },
  confirming: {
    icon: '✓',
    tone: 'ok',
    title: '待商家确认',
    text: '已提交开票申请，商家确认后开具发票，并发送到您留下的邮箱或手机。',
  },
  issuing: { icon: '…', tone: '', title: '开票中', text: '正在开具发票，通常只需几秒钟，本页会自动更新。' },
  invoiced: { icon: '✓', tone: 'ok', title: '已开具', text: '发票已开具，可下载或发送到邮箱。' },
  failed: { icon: '!', tone: 'warn', title: '开票遇到问题', text: '商家正在处理，处理完成后本页会显示发票。' },
} as const;

function head(m: StatusPageModel) {
  if (m.status === 'invoiced') return HEADS.invoiced;
  if (m.status === 'failed') return HEADS.failed;
  if (m.status === 'submitted' && m.awaitingConfirmation) return HEADS.confirming;
  return m.status === 'submitted' && m.titleOnly ? HEADS.waiting : HEADS.issuing;
}

function invoiceCard(m: StatusPageModel): SafeHtml {
  return html`<section class="card" aria-labelledby="h-inv">
<h2 id="h-inv">发票信息</h2>
<dl>
<dt>销售方</dt><dd>${m.sellerName}</dd>
<dt>购买方</dt><dd>${m.buyerName}</dd>
${m.buyerTaxId ? html`<dt>税号</dt><dd>${m.buyerTaxId}</dd>` : ''}
<dt>金额</dt><dd>¥${m.total}</dd>
${m.invoice ? html`<dt>票种</dt><dd>${m.invoice.kindName}</dd>` : ''}
${m.invoice?.number ? html`<dt>发票号码</dt><dd>${m.invoice.number}</dd>` : ''}
${m.invoice?.issuedAt ? html`<dt>开票日期</dt><dd>${m.invoice.issuedAt}</dd>` : ''}
</dl>
</section>`;
}

function actions(m: StatusPageModel): SafeHtml {
  if (m.status !== 'invoiced') return html``;
  return html`<section class="card" aria-label="下载和发送">
${m.downloads ? html`<div class="row"><a class="btn" href="${m.downloads.pdf}" download>下载 PDF</a><a class="btn alt" href="${m.downloads.ofd}" download>下载 OFD</a></div>` : html`<p class="hint">版式文件生成中，请稍后刷新。</p>`}
${
  m.email
    ? html`<form method="post" action="${m.email.action}" style="margin-top:16px">
${m.email.notice ? html`<div class="alert ok" role="status">${m.email.notice}</div>` : ''}
<input type="hidden" name="_csrf" value="${m.email.csrf}">
<div class="field"><label for="f-email">发送到邮箱</label><input id="f-email" name="email" type="email" autocomplete="email" required value="${m.email.value}"></div>
<button class="btn alt" type="submit">发送</button>
</form>`
    : ''
}
</section>`;
}

/** The status page of a submitted order; while in progress it follows the order (script, or refresh without it). */
export function renderStatusPage(m: StatusPageModel): string {
  const h = head(m);
  const final = m.status === 'invoiced' || (m.status === 'submitted' && (m.titleOnly || m.awaitingConfirmation));
  const body = html`<div class="card status" data-status="${m.status}" data-final="${final ? '1' : '0'}" role="status" aria-live="polite">
<div class="icon ${h.tone}" aria-hidden="true">${h.icon}</div>
<h1>${h.title}</h1>
<p class="hint">${h.text}</p>
</div>
${invoiceCard(m)}
${actions(m)}`;
  return renderPage({
    title: h.title,
    body,
    ...(final ? {} : { script: STATUS_PAGE_SCRIPT, noscriptRefreshSeconds: 3 }),
  });
}
