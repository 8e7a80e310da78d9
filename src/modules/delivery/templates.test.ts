import { describe, expect, it } from 'vitest';
import { fillTemplate } from './sms-provider.js';
import { type InvoiceMessageFacts, renderInvoiceMail, renderInvoiceSms } from './templates.js';

const FACTS: InvoiceMessageFacts = {
  sellerName: '上海<测试>有限公司',
  buyerName: '北京测试科技有限公司',
  kindName: '电子发票（普通发票）',
  number: '25312000000000000001',
  issuedDate: '2025-06-01',
  total: '2190.00',
  totalInWords: '贰仟壹佰玖拾圆整',
  isRed: false,
  pdfLink: 'https://fapiao.example.com/d/abc',
  attachmentNames: ['25312000000000000001.pdf'],
};

describe('invoice messages', () => {
  it('says who issued what for how much, in Chinese', () => {
    const mail = renderInvoiceMail(FACTS);
    expect(mail.subject).toBe(
      '【电子发票】上海<测试>有限公司 为您开具的发票（号码 25312000000000000001，价税合计 ¥2190.00）',
    );
    expect(mail.text).toContain('上海<测试>有限公司 于 2025-06-01 为您开具了一张电子发票（普通发票）。');
    expect(mail.text).toContain('价税合计：¥2190.00（贰仟壹佰玖拾圆整）');
    expect(mail.text).toContain('下载链接：https://fapiao.example.com/d/abc');
    expect(mail.html).toContain('上海&lt;测试&gt;有限公司');
    expect(mail.html).not.toContain('<测试>');
    expect(renderInvoiceMail({ ...FACTS, isRed: true }).text).toContain('红字电子发票（普通发票）');
  });

  it('keeps the SMS short, with the download link last', () => {
    const sms = renderInvoiceSms(FACTS);
    expect(sms).toBe(
      '【上海<测试>有限公司】您的发票已开具，号码25312000000000000001，价税合计¥2190.00，下载：https://fapiao.example.com/d/abc',
    );
  });

  it('fills gateway templates with values escaped for the content type', () => {
    const json = fillTemplate('{"to":"{{to}}","text":"{{ text }}"}', { to: '138', text: '含"引号"\n' }, (v) =>
      JSON.stringify(v).slice(1, -1),
    );
    expect(JSON.parse(json)).toEqual({ to: '138', text: '含"引号"\n' });
    expect(fillTemplate('to={{to}}&msg={{text}}', { to: '138', text: 'a&b' }, encodeURIComponent)).toBe(
      'to=138&msg=a%26b',
    );
  });
});
