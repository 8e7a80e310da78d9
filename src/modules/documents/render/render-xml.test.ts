import { describe, expect, it } from 'vitest';
import { amountInWords } from '../../../tax/index.js';
import { sampleInvoice } from './sample-invoices.js';
import { renderInvoiceXml } from './xml/render-xml.js';

interface Node {
  name: string;
  children: Node[];
  text: string;
}

/** A tiny XML reader for the structural test (our output only: no attributes, comments or CDATA in the body). */
function parse(xml: string): Node {
  const root: Node = { name: '#root', children: [], text: '' };
  const stack = [root];
  for (const m of xml.replace(/^<\?xml[^>]*>\s*/, '').matchAll(/<(\/?)([A-Za-z][\w-]*)(\/?)>|([^<]+)/g)) {
    const top = stack[stack.length - 1] as Node;
    if (m[4] !== undefined) top.text += m[4];
    else if (m[1]) stack.pop();
    else {
      const node: Node = { name: m[2] ?? '', children: [], text: '' };
      top.children.push(node);
      if (!m[3]) stack.push(node);
    }
  }
  return root.children[0] as Node;
}

const names = (n: Node | undefined) => n?.children.map((c) => c.name) ?? [];
const child = (n: Node | undefined, name: string) => n?.children.find((c) => c.name === name);

describe('EInvoice XML (tax-rules §9.1)', () => {
  it('follows the EInvoice structure with the documented element names', () => {
    const doc = sampleInvoice({ kind: '81' });
    const xml = renderInvoiceXml(doc).toString('utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const root = parse(xml);
    expect(root.name).toBe('EInvoice');
    expect(names(root)).toEqual(['Header', 'EInvoiceData', 'TaxSupervisionInfo']);
    expect(names(child(root, 'Header'))).toEqual(['EIid', 'EInvoiceTag', 'Version', 'InherentLabel']);
    const data = child(root, 'EInvoiceData');
    expect(names(data)).toEqual([
      'SellerInformation',
      'BuyerInformation',
      'BasicInformation',
      ...doc.lines.map(() => 'IssuItemInformation'),
      'AdditionalInformation',
    ]);
    expect(names(child(data, 'BasicInformation'))).toEqual([
      'TotalAmWithoutTax',
      'TotalTaxAm',
      'TotalTax-includedAmount',
      'TotalTax-includedAmountInChinese',
      'Drawer',
      'RequestTime',
    ]);
    expect(names(child(data, 'IssuItemInformation'))).toEqual([
      'ItemName',
      'SpecMod',
      'MeaUnits',
      'Quantity',
      'UnPrice',
      'Amount',
      'TaxRate',
      'ComTaxAm',
      'TotaltaxIncludedAmount',
      'TaxClassificationCode',
    ]);
    expect(names(child(root, 'TaxSupervisionInfo'))).toEqual([
      'InvoiceNumber',
      'IssueTime',
      'TaxBureauCode',
      'TaxBureauName',
    ]);
    expect(child(child(data, 'BasicInformation'), 'TotalTax-includedAmount')?.text).toBe(doc.totals.total);
    expect(child(child(data, 'BasicInformation'), 'RequestTime')?.text).toBe('2025-06-01 10:30:00');
    expect(child(child(data, 'IssuItemInformation'), 'TotaltaxIncludedAmount')?.text).toBe('8480.00');
  });

  it('marks red invoices and names the reversed invoice', () => {
    const root = parse(renderInvoiceXml(sampleInvoice({ red: true })).toString('utf8'));
    const label = child(child(child(root, 'Header'), 'InherentLabel'), 'InIssuType');
    expect(child(label, 'LabelCode')?.text).toBe('N');
    const red = child(child(child(root, 'EInvoiceData'), 'SpecificInformation'), 'RedEInvoice');
    expect(child(red, 'OriginalInvoiceNumber')?.text).toBe('25312000000000000017');
  });

  it('escapes markup in free text', () => {
    const doc = { ...sampleInvoice(), remark: '<b>&"\'' };
    expect(renderInvoiceXml(doc).toString('utf8')).toContain('<Remark>&lt;b&gt;&amp;&quot;&apos;</Remark>');
  });

  it.each([
    ['0.01', '壹分'],
    ['0.50', '伍角'],
    ['100.00', '壹佰圆整'],
    ['1005.20', '壹仟零伍圆贰角'],
    ['100000000.01', '壹亿圆零壹分'],
    ['10010000.00', '壹仟零壹万圆整'],
    ['-500.00', '（负数）伍佰圆整'],
  ])('writes %s in words as %s (tax-rules §5.8)', (amount, words) => {
    expect(amountInWords(amount)).toBe(words);
  });
});
