import { describe, expect, it } from 'vitest';
import { crc16CcittFalse } from './crc16.js';
import { buildInvoiceQrPayload, parseInvoiceQrPayload, qrTail } from './qr-payload.js';

describe('parseInvoiceQrPayload (tax-rules §3)', () => {
  it('parses the real 数电 payloads (8 fields, 价税合计, empty check code)', () => {
    expect(parseInvoiceQrPayload('01,32,,24312000000136634917,0.01,20240514,,1DD6')).toEqual({
      ok: true,
      data: {
        format: 'digital',
        version: '01',
        qrType: '32',
        qrTypeName: '电子发票（普通发票）',
        kind: '82',
        invoiceCode: '',
        invoiceNumber: '24312000000136634917',
        amount: '0.01',
        amountBasis: 'tax_inclusive',
        issueDate: '2024-05-14',
        checkCode: '',
        tail: '1DD6',
        numberHint: 'platform',
      },
    });
    expect(parseInvoiceQrPayload('01,31,,26442000005310626521,31605.00,20260514,,7B05')).toMatchObject({
      ok: true,
      data: { kind: '81', amount: '31605.00' },
    });
    expect(parseInvoiceQrPayload('01,51,,26339132621000219582,56.00,20260423,,219a')).toMatchObject({
      ok: true,
      data: { qrType: '51', numberHint: 'railway', tail: '219a' },
    });
    expect(parseInvoiceQrPayload('01,32,,23442000000014209621,112,20230215,,74AE')).toMatchObject({
      ok: true,
      data: { amount: '112.00' },
    });
  });

  it('parses the legacy payload (9 fields with trailing comma, 不含税 amount, 校验码)', () => {
    const result = parseInvoiceQrPayload('01,10,050003523456,29342181,104.72,20180613,02418567008427471889,1774,');
    expect(result).toMatchObject({
      ok: true,
      data: {
        format: 'legacy',
        kind: '026',
        invoiceCode: '050003523456',
        invoiceNumber: '29342181',
        amountBasis: 'tax_exclusive',
        checkCode: '02418567008427471889',
        issueDate: '2018-06-13',
        tail: '1774',
      },
    });
  });

  it('reports URLs and unknown shapes instead of guessing', () => {
    expect(parseInvoiceQrPayload('https://bcfp.shenzhen.chinatax.gov.cn/x?bill_num=1')).toMatchObject({
      ok: false,
      reason: 'url',
    });
    const blockchain = `01,10,153002209100,11335527,91530102MA7KNHQC36,459.00,20221102,${'a'.repeat(64)}`;
    expect(parseInvoiceQrPayload(blockchain)).toMatchObject({ ok: false, reason: 'unknown' });
    expect(parseInvoiceQrPayload('02,32,,24312000000136634917,0.01,20240514,,1DD6')).toMatchObject({ ok: false });
    expect(parseInvoiceQrPayload('01,32,,24312000000136634917,0.01,20240231,,1DD6')).toMatchObject({ ok: false });
    expect(parseInvoiceQrPayload('01,32,,24312000000136634917,0.01,20240514,,1DD6,')).toMatchObject({ ok: false });
  });

  it('accepts negative (red) amounts', () => {
    expect(parseInvoiceQrPayload('01,32,,24312000000136634917,-585.00,20240514,,1DD6')).toMatchObject({
      ok: true,
      data: { amount: '-585.00' },
    });
  });
});

describe('buildInvoiceQrPayload', () => {
  it('reproduces the real 数电 payload when given its tail', () => {
    const text = buildInvoiceQrPayload({
      kind: '82',
      invoiceNumber: '24312000000136634917',
      amount: '0.01',
      issueDate: '2024-05-14',
      tail: '1DD6',
    });
    expect(text).toBe('01,32,,24312000000136634917,0.01,20240514,,1DD6');
  });

  it('builds a legacy payload with a trailing comma and no check code for 专票', () => {
    const ordinary = buildInvoiceQrPayload({
      kind: '026',
      invoiceCode: '050003523456',
      invoiceNumber: '29342181',
      amount: '104.72',
      issueDate: '20180613',
      checkCode: '02418567008427471889',
      tail: '1774',
    });
    expect(ordinary).toBe('01,10,050003523456,29342181,104.72,20180613,02418567008427471889,1774,');
    const special = buildInvoiceQrPayload({
      kind: '004',
      invoiceCode: '3100153130',
      invoiceNumber: '12345678',
      amount: '100',
      issueDate: '2019-01-02',
      checkCode: '1',
      tail: 'ABCD',
    });
    expect(special).toBe('01,01,3100153130,12345678,100.00,20190102,,ABCD,');
  });

  it('defaults the tail to our documented CRC-16 of fields 0–6 and round-trips', () => {
    expect(crc16CcittFalse('123456789')).toBe(0x29b1); // CRC-16/CCITT-FALSE check value
    const text = buildInvoiceQrPayload({
      kind: '81',
      invoiceNumber: '26442000005310626521',
      amount: '31605',
      issueDate: '2026-05-14',
    });
    const fields = text.split(',');
    expect(fields).toHaveLength(8);
    expect(fields[7]).toBe(qrTail(fields));
    expect(fields[7]).toMatch(/^[0-9A-F]{4}$/);
    expect(parseInvoiceQrPayload(text)).toMatchObject({
      ok: true,
      data: { kind: '81', amount: '31605.00', issueDate: '2026-05-14' },
    });
  });

  it('refuses malformed input', () => {
    expect(() =>
      buildInvoiceQrPayload({ kind: '82', invoiceNumber: '123', amount: '1', issueDate: '2024-05-14' }),
    ).toThrow(RangeError);
    expect(() =>
      buildInvoiceQrPayload({
        kind: '82',
        invoiceNumber: '24312000000136634917',
        invoiceCode: '033002000211',
        amount: '1',
        issueDate: '2024-05-14',
      }),
    ).toThrow(RangeError);
    expect(() =>
      buildInvoiceQrPayload({
        kind: '86',
        invoiceNumber: '24312000000136634917',
        invoiceCode: '033002000211',
        amount: '1',
        issueDate: '2024-05-14',
      }),
    ).not.toThrow();
    expect(() =>
      buildInvoiceQrPayload({
        kind: '026',
        invoiceCode: '050003523456',
        invoiceNumber: '29342181',
        amount: '1',
        issueDate: '2018-06-13',
      }),
    ).toThrow(RangeError);
    expect(() =>
      buildInvoiceQrPayload({
        kind: '82',
        invoiceNumber: '24312000000136634917',
        amount: '1',
        issueDate: '2024-13-01',
      }),
    ).toThrow(RangeError);
  });
});
