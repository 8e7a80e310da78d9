import { describe, expect, it } from 'vitest';
import {
  getInvoiceKindInfo,
  INVOICE_KINDS,
  isInvoiceKind,
  isSpecialInvoiceKind,
  toQrType,
  toVerificationType,
} from './invoice-kinds.js';

describe('invoice kinds (tax-rules §1.1)', () => {
  it('maps each kind to its verification and QR type codes', () => {
    const table = INVOICE_KINDS.map((k) => [k, toVerificationType(k), toQrType(k)]);
    expect(table).toEqual([
      ['81', '81', '31'],
      ['82', '82', '32'],
      ['85', '85', '31'],
      ['86', '86', '32'],
      ['004', '01', '01'],
      ['007', '04', '04'],
      ['025', '11', '11'],
      ['026', '10', '10'],
      ['028', '08', '20'],
    ]);
  });

  it('knows which kinds are 专票 and which are 数电', () => {
    expect(INVOICE_KINDS.filter(isSpecialInvoiceKind)).toEqual(['81', '85', '004', '028']);
    expect(INVOICE_KINDS.filter((k) => getInvoiceKindInfo(k).isDigital)).toEqual(['81', '82', '85', '86']);
    expect(getInvoiceKindInfo('81')).toMatchObject({
      name: '电子发票（增值税专用发票）',
      leqiFppz: '01',
      medium: 'electronic',
    });
    expect(getInvoiceKindInfo('86').medium).toBe('paper');
  });

  it('rejects unknown kinds', () => {
    expect(isInvoiceKind('82')).toBe(true);
    expect(isInvoiceKind('01')).toBe(false);
    expect(isInvoiceKind(81)).toBe(false);
  });
});
