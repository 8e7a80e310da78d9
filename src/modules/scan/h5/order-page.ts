import { getInvoiceKindInfo, type InvoiceKind } from '../../../tax/index.js';
import type { OrderItem } from '../order-content.js';
import { html, type SafeHtml } from './html.js';
import { renderPage } from './layout.js';
import { ORDER_PAGE_SCRIPT } from './page-script.js';
import { type FieldErrors, FORM_FIELD_MAX_LENGTHS, type FormField, type TitleFormValues } from './title-form.js';

export interface OrderPageModel {
  sellerName: string;
  /** Tax-inclusive total, e.g. "1060.00"; null when the consumer types it (static link). */
  total: string | null;
  items: OrderItem[];
  kinds: InvoiceKind[];
  values: TitleFormValues;
  errors: FieldErrors;
  csrf: string;
  action: string;
  /** Static link: the consumer types the amount, at most this much. */
  amountMax?: string;
  /** 抬头联想: where the script asks for company titles matching the typed name (`?q=`); none without it. */
  suggestUrl?: string;
  /** Another page's heading and summary card (the reservation page), in place of the order's. */
  heading?: string;
  summary?: SafeHtml;
  /** More fields of another page's form, after the title fields (amount, remark fields of a reservation). */
  extra?: SafeHtml;
}

const BUYER_TYPE_LABELS = [
  ['personal', '个人'],
  ['company', '企业'],
  ['institution', '非企业单位'],
] as const;

function field(
  m: OrderPageModel,
  name: FormField,
  label: string,
  opts: { type?: string; required?: boolean; hint?: string; attrs?: SafeHtml; mode?: string } = {},
): SafeHtml {
  const id = `f-${name}`;
  const error = m.errors[name];
  const described = [error ? `${id}-err` : '', opts.hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return html`<div class="field" id="${id}-wrap">
<label for="${id}">${label}${opts.required ? html` <span class="req" aria-hidden="true">*</span>` : ''}</label>
<input id="${id}" name="${name}" type="${opts.type ?? 'text'}" value="${m.values[name] ?? ''}"${
    opts.mode ? html` inputmode="${opts.mode}"` : ''
  }${opts.required ? html` aria-required="true"` : ''}${error ? html` aria-invalid="true"` : ''}${
    described ? html` aria-describedby="${described}"` : ''
  } maxlength="${String(FORM_FIELD_MAX_LENGTHS[name])}"${opts.attrs ?? ''}>
${opts.hint ? html`<p class="hint" id="${id}-hint">${opts.hint}</p>` : ''}
<p class="err" id="${id}-err" role="alert"${error ? '' : html` hidden`}>${error ?? ''}</p>
</div>`;
}

function radios(m: OrderPageModel, name: FormField, legend: string, options: [string, string][]): SafeHtml {
  const checked = m.values[name] ?? options[0]?.[0];
  return html`<fieldset>
<legend>${legend}</legend>
<div class="seg">${options.map(
    ([value, label]) =>
      html`<label><input type="radio" name="${name}" value="${value}"${value === checked ? html` checked` : ''}><span>${label}</span></label>`,
  )}</div>
${m.errors[name] ? html`<p class="err" role="alert">${m.errors[name]}</p>` : ''}
</fieldset>`;
}

function orderSummary(m: OrderPageModel): SafeHtml {
  return html`<section class="card" aria-labelledby="h-order">
<p class="seller" id="h-order">${m.sellerName}</p>
${m.total === null ? '' : html`<p class="amount">¥${m.total}</p>`}
<ul class="items">${m.items.map(
    (i) =>
      html`<li><span>${i.name}${i.quantity ? html` ×${i.quantity}${i.unit ?? ''}` : ''}</span><span>${i.total === '0.00' ? '' : `¥${i.total}`}</span></li>`,
  )}</ul>
</section>`;
}

/** The order page: what was bought, and the title form (plain POST; the script only adds checks and memory). */
export function renderOrderPage(m: OrderPageModel): string {
  const kindOptions = m.kinds.map((k): [string, string] => [k, getInvoiceKindInfo(k).shortName]);
  const heading = m.heading ?? '申请开具发票';
  const body = html`<h1>${heading}</h1>
${m.summary ?? orderSummary(m)}
<form class="card" method="post" action="${m.action}" novalidate id="title-form"${m.suggestUrl ? html` data-suggest="${m.suggestUrl}"` : ''}>
${m.errors.form ? html`<div class="alert" role="alert">${m.errors.form}</div>` : ''}
<input type="hidden" name="_csrf" value="${m.csrf}">
${m.amountMax ? field(m, 'amount', `消费金额（元，最多 ${m.amountMax}）`, { required: true, mode: 'decimal' }) : ''}
${kindOptions.length > 1 ? radios(m, 'kind', '发票类型', kindOptions) : html`<input type="hidden" name="kind" value="${m.kinds[0]}">`}
${radios(
  m,
  'buyerType',
  '抬头类型',
  BUYER_TYPE_LABELS.map(([v, l]) => [v, l]),
)}
<div class="chips" id="saved" hidden aria-label="最近使用的抬头"></div>
${field(m, 'name', '抬头名称', { required: true, attrs: html` autocomplete="organization"` })}
<div class="chips" id="suggest" hidden role="listbox" aria-label="匹配的企业抬头"></div>
${field(m, 'taxId', '纳税人识别号', {
  hint: '企业及开具专用发票时必填',
  attrs: html` autocapitalize="characters" spellcheck="false"`,
})}
<details${['address', 'phone', 'bankName', 'bankAccount'].some((f) => m.values[f as FormField]) ? html` open` : ''}>
<summary>更多信息（地址、电话、开户行，选填）</summary>
${field(m, 'address', '地址')}${field(m, 'phone', '电话', { type: 'tel' })}
${field(m, 'bankName', '开户银行')}${field(m, 'bankAccount', '银行账号', { mode: 'numeric' })}
</details>
${field(m, 'email', '接收邮箱', { type: 'email', attrs: html` autocomplete="email"` })}
${field(m, 'mobile', '接收手机号', { type: 'tel', attrs: html` autocomplete="tel"` })}
${m.extra ?? ''}
<button class="btn" type="submit">提交</button>
</form>`;
  return renderPage({ title: heading, body, script: ORDER_PAGE_SCRIPT });
}
