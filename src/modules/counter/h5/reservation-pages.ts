import { getInvoiceKindInfo, type InvoiceKind } from '../../../tax/index.js';
import {
  type FieldErrors,
  html,
  renderOrderPage,
  renderPage,
  type SafeHtml,
  STATUS_PAGE_SCRIPT,
  type TitleFormValues,
} from '../../scan/index.js';
import type { ReservationStatus } from '../counter.tables.js';
import { effectiveEntryMode, type ReservationConfig } from '../reservation-config.js';

/** The reservation form's own fields (besides the title): what the configuration lets the consumer enter. */
export type EntryValues = Partial<Record<'amount' | 'quantity' | 'unitPrice' | `remark${number}`, string>>;
export type EntryErrors = Partial<Record<string, string>>;

export interface ReservationFormModel {
  sellerName: string;
  qrName: string;
  config: ReservationConfig;
  values: TitleFormValues;
  errors: FieldErrors;
  entry: EntryValues;
  entryErrors: EntryErrors;
  csrf: string;
  action: string;
}

function entryField(
  name: string,
  label: string,
  value: string | undefined,
  error: string | undefined,
  opts: { mode?: string; required?: boolean; max: number },
): SafeHtml {
  const id = `f-${name}`;
  return html`<div class="field" id="${id}-wrap">
<label for="${id}">${label}${opts.required ? html` <span class="req" aria-hidden="true">*</span>` : ''}</label>
<input id="${id}" name="${name}" type="text" value="${value ?? ''}" maxlength="${String(opts.max)}"${
    opts.mode ? html` inputmode="${opts.mode}"` : ''
  }${opts.required ? html` aria-required="true"` : ''}${error ? html` aria-invalid="true" aria-describedby="${id}-err"` : ''}>
<p class="err" id="${id}-err" role="alert"${error ? '' : html` hidden`}>${error ?? ''}</p>
</div>`;
}

/** The reservation page: the QR's items, then the title form with the fields the configuration allows. */
export function renderReservationForm(m: ReservationFormModel): string {
  const mode = effectiveEntryMode(m.config);
  const summary = html`<section class="card" aria-labelledby="h-order">
<p class="seller" id="h-order">${m.sellerName} · ${m.qrName}</p>
${m.config.fixedAmount !== null ? html`<p class="amount">¥${m.config.fixedAmount}</p>` : ''}
${
  m.config.items.length > 0
    ? html`<ul class="items">${m.config.items.map(
        (i) =>
          html`<li><span>${i.name}${i.unit ? html`（${i.unit}）` : ''}</span><span>${i.unitPrice ? `¥${i.unitPrice}` : ''}</span></li>`,
      )}</ul>`
    : ''
}
<p class="hint">提交后会得到一个序号，到柜台报序号即可开票；开具后发票发送到您的手机或邮箱。</p>
</section>`;
  const extra = html`${
    mode === 'amount'
      ? entryField('amount', '消费金额（元）', m.entry.amount, m.entryErrors.amount, {
          mode: 'decimal',
          required: true,
          max: 16,
        })
      : ''
  }${
    mode === 'quantity_price'
      ? html`<div class="row">${entryField('quantity', '数量', m.entry.quantity, m.entryErrors.quantity, {
          mode: 'decimal',
          required: true,
          max: 16,
        })}${entryField('unitPrice', '单价（元）', m.entry.unitPrice, m.entryErrors.unitPrice, {
          mode: 'decimal',
          required: true,
          max: 16,
        })}</div>`
      : ''
  }${m.config.remarkFields.map((f, i) =>
    entryField(`remark${i}`, f.label, m.entry[`remark${i}`], m.entryErrors[`remark${i}`], {
      required: f.required === true,
      max: 60,
    }),
  )}`;
  return renderOrderPage({
    sellerName: m.sellerName,
    total: null,
    items: [],
    kinds: m.config.allowedKinds as InvoiceKind[],
    values: m.values,
    errors: m.errors,
    csrf: m.csrf,
    action: m.action,
    suggestUrl: `${m.action}/titles`,
    heading: '预约开票',
    summary,
    extra,
  });
}

export interface ReservationStatusModel {
  status: ReservationStatus;
  seqNo: number;
  seqDate: string;
  sellerName: string;
  buyerName: string;
  buyerTaxId: string | null;
  kind: string;
  total: string | null;
  rejectReason: string | null;
  invoice: { number: string | null; issuedAt: string | null } | null;
  downloads: { pdf: string; ofd: string } | null;
  /** For the store's self-service printer: the order number and the extraction code. */
  pickup: { orderNo: string; code: string } | null;
}

const HEADS: Record<ReservationStatus, { icon: string; tone: string; title: string; text: string }> = {
  submitted: { icon: '✓', tone: 'ok', title: '已预约，等待开票', text: '请到柜台报您的序号，开具后本页会显示发票。' },
  invoicing: { icon: '…', tone: '', title: '开票中', text: '正在开具发票，本页会自动更新。' },
  invoiced: { icon: '✓', tone: 'ok', title: '已开具', text: '发票已开具，并已发送到您留下的手机或邮箱。' },
  failed: { icon: '!', tone: 'warn', title: '开票遇到问题', text: '商家正在处理，处理完成后本页会显示发票。' },
  rejected: { icon: '!', tone: 'bad', title: '商家未受理', text: '商家拒绝了本次开票申请。' },
  expired: { icon: '!', tone: 'warn', title: '预约已过期', text: '预约超过有效期未开具，请重新扫码预约。' },
};

/** The consumer's status page (by its bearer token): their 序号, the status, later the invoice and its downloads. */
export function renderReservationStatus(m: ReservationStatusModel): string {
  const h = HEADS[m.status];
  const final = m.status === 'invoiced' || m.status === 'rejected' || m.status === 'expired';
  const body = html`<div class="card status" data-status="${m.status}" data-final="${final ? '1' : '0'}" role="status" aria-live="polite">
<p class="hint">您的序号（${m.seqDate}）</p>
<p class="amount" id="seq-no" style="font-size:44px;margin:0 0 8px">${String(m.seqNo)}</p>
<div class="icon ${h.tone}" aria-hidden="true">${h.icon}</div>
<h1>${h.title}</h1>
<p class="hint">${h.text}</p>
${m.rejectReason ? html`<div class="alert" role="alert">原因：${m.rejectReason}</div>` : ''}
</div>
<section class="card" aria-labelledby="h-inv">
<h2 id="h-inv">发票信息</h2>
<dl>
<dt>销售方</dt><dd>${m.sellerName}</dd>
<dt>购买方</dt><dd>${m.buyerName}</dd>
${m.buyerTaxId ? html`<dt>税号</dt><dd>${m.buyerTaxId}</dd>` : ''}
<dt>票种</dt><dd>${getInvoiceKindInfo(m.kind as InvoiceKind).name}</dd>
${m.total ? html`<dt>金额</dt><dd>¥${m.total}</dd>` : ''}
${m.invoice?.number ? html`<dt>发票号码</dt><dd id="invoice-number">${m.invoice.number}</dd>` : ''}
${m.invoice?.issuedAt ? html`<dt>开票日期</dt><dd>${m.invoice.issuedAt}</dd>` : ''}
</dl>
</section>
${
  m.status === 'invoiced'
    ? html`<section class="card" aria-label="下载">
${m.downloads ? html`<div class="row"><a class="btn" href="${m.downloads.pdf}" download>下载 PDF</a><a class="btn alt" href="${m.downloads.ofd}" download>下载 OFD</a></div>` : html`<p class="hint">版式文件生成中，请稍后刷新。</p>`}
${m.pickup ? html`<p class="hint" style="margin-top:12px">门店自助打印：订单号 <b>${m.pickup.orderNo}</b>，提取码 <b id="pickup-code">${m.pickup.code}</b></p>` : ''}
</section>`
    : ''
}`;
  return renderPage({
    title: h.title,
    body,
    ...(final ? {} : { script: STATUS_PAGE_SCRIPT, noscriptRefreshSeconds: 5 }),
  });
}
