/**
 * Every text a buyer receives, in one place: the invoice e-mail (subject, plain text, HTML) and the SMS.
 * Pure functions of the invoice view, so they are easy to review and to test.
 */

/** The invoice facts the messages need (a subset of the invoice view). */
export interface InvoiceMessageFacts {
  sellerName: string;
  buyerName: string;
  kindName: string;
  number: string;
  /** YYYY-MM-DD, China time. */
  issuedDate: string;
  /** 价税合计, decimal string. */
  total: string;
  totalInWords: string;
  isRed: boolean;
  /** Public download link of the PDF. */
  pdfLink: string;
  /** File names of the attachments. */
  attachmentNames: string[];
}

/** A rendered e-mail. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const kindWord = (f: InvoiceMessageFacts) => (f.isRed ? `红字${f.kindName}` : f.kindName);

/** The invoice e-mail: who issued what for how much, with the PDF attached and a download link. */
export function renderInvoiceMail(f: InvoiceMessageFacts): RenderedMail {
  const subject = `【电子发票】${f.sellerName} 为您开具的发票（号码 ${f.number}，价税合计 ¥${f.total}）`;
  const lines = [
    `尊敬的 ${f.buyerName}：`,
    '',
    `${f.sellerName} 于 ${f.issuedDate} 为您开具了一张${kindWord(f)}。`,
    `发票号码：${f.number}`,
    `开票日期：${f.issuedDate}`,
    `价税合计：¥${f.total}（${f.totalInWords}）`,
    '',
    `附件：${f.attachmentNames.join('、') || '无'}`,
    `下载链接：${f.pdfLink}`,
    '',
    '本邮件由 OpenFapiao 自动发送，请勿直接回复。',
  ];
  const rows = [
    ['销售方', f.sellerName],
    ['发票类型', kindWord(f)],
    ['发票号码', f.number],
    ['开票日期', f.issuedDate],
    ['价税合计', `¥${f.total}（${f.totalInWords}）`],
  ]
    .map(([k, v]) => `<tr><th align="left">${escapeHtml(k ?? '')}</th><td>${escapeHtml(v ?? '')}</td></tr>`)
    .join('');
  const html = [
    `<p>尊敬的 ${escapeHtml(f.buyerName)}：</p>`,
    `<p>${escapeHtml(f.sellerName)} 于 ${escapeHtml(f.issuedDate)} 为您开具了一张${escapeHtml(kindWord(f))}。</p>`,
    `<table cellpadding="4">${rows}</table>`,
    `<p>附件：${escapeHtml(f.attachmentNames.join('、') || '无')}<br>`,
    `下载链接：<a href="${escapeHtml(f.pdfLink)}">${escapeHtml(f.pdfLink)}</a></p>`,
    '<p style="color:#888">本邮件由 OpenFapiao 自动发送，请勿直接回复。</p>',
  ].join('\n');
  return { subject, text: lines.join('\n'), html };
}

/** The SMS: seller, number, total and the short download link (kept short: one or two SMS segments). */
export function renderInvoiceSms(f: InvoiceMessageFacts): string {
  return `【${f.sellerName}】您的发票已开具，号码${f.number}，价税合计¥${f.total}，下载：${f.pdfLink}`;
}
