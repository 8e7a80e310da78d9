import { describe, expect, it } from 'vitest';
import { IMPORT_LIMITS, parseLedgerImport } from './import-ledger-format.js';

const header = 'kind,code,number,issueDate,checkCode,sellerName,sellerTaxId,buyerName,amount,tax,remark';
const seller = '91440101MA5XXXXX1X';

describe('parseLedgerImport (sandbox import-ledger format)', () => {
  it('reads CSV with a BOM, CRLF, quoted commas, doubled quotes and a quoted line break', () => {
    const text = `\uFEFF${header}\r\n82,,24440000000000012345,2024-03-15,,"某某, ""餐饮""",${seller},买方,94.34,5.66,"第一行\n第二行"\r\n`;
    const result = parseLedgerImport(text);
    expect(result).toMatchObject({
      ok: true,
      format: 'csv',
      rows: [
        {
          kind: '82',
          code: '',
          sellerName: '某某, "餐饮"',
          remark: '第一行\n第二行',
          amountFen: 9434,
          taxFen: 566,
          totalFen: 10000,
          status: 'normal',
          redAmountFen: 0,
        },
      ],
    });
  });

  it('reports problems by their line, a quoted line break counting as a line', () => {
    const text = [
      header,
      `82,,24440000000000012345,2024-03-15,,"两行\n名称",${seller},买方,1.00,0.06,`,
      `026,044031900111,12345678,2024-02-30,123456,卖方,${seller},买方,1.00,0.03,`,
      `026,044031900111,12345678,2024-02-28,,卖方,${seller},买方,1.00,0.03,`,
      `82,,24440000000000012346,2024-03-15,,卖方,${seller},买方,1.00`,
    ].join('\n');
    const result = parseLedgerImport(text);
    expect(result).toEqual({
      ok: false,
      format: 'csv',
      errors: [
        { line: 4, message: 'issueDate 须是 YYYY-MM-DD 格式的日期' },
        { line: 5, message: '该票种查验需校验码，checkCode 不能为空' },
        { line: 6, message: '列数 9 与表头的 11 列不一致' },
      ],
    });
  });

  it('checks statuses and red amounts', () => {
    const row = (extra: Record<string, unknown>) =>
      JSON.stringify({
        kind: '81',
        number: '24440000000000012345',
        issueDate: '2024-03-15',
        seller: { name: '卖方', taxId: seller },
        buyer: { name: '买方' },
        amount: '100.00',
        tax: '6.00',
        ...extra,
      });
    expect(parseLedgerImport(row({ status: 'red_reversed' }))).toMatchObject({
      ok: true,
      rows: [{ status: 'red_reversed', redAmountFen: -10000, redTaxFen: -600 }],
    });
    expect(parseLedgerImport(row({ status: 'partly_red' }))).toMatchObject({
      errors: [{ line: 1, message: 'partly_red（部分红冲）须给出 redAmount' }],
    });
    expect(parseLedgerImport(row({ status: 'partly_red', redAmount: '-200.00' }))).toMatchObject({
      errors: [{ line: 1, message: '部分红冲金额不能超过发票金额' }],
    });
    expect(parseLedgerImport(row({ status: 'lost' }))).toMatchObject({ ok: false });
    expect(parseLedgerImport(row({ amount: 100 }))).toMatchObject({ ok: true, rows: [{ amountFen: 10000 }] });
    expect(parseLedgerImport(row({ amount: '1.001' }))).toMatchObject({
      errors: [{ line: 1, message: 'amount 须是最多两位小数的金额' }],
    });
    expect(parseLedgerImport(row({ lines: [{ name: 'x', amount: 'abc', taxAmount: '0' }] }))).toMatchObject({
      errors: [{ line: 1, message: 'lines[0].amount 须是最多两位小数的金额' }],
    });
  });

  it('caps lengths before any pattern, and refuses empty files', () => {
    const long = JSON.stringify({ kind: '81', number: '9'.repeat(5000) });
    expect(parseLedgerImport(long)).toMatchObject({ errors: [{ line: 1, message: 'number 过长（最多 24 个字符）' }] });
    expect(parseLedgerImport(`{"a":"${'x'.repeat(IMPORT_LIMITS.maxLineChars)}"}`)).toMatchObject({
      errors: [{ line: 1, message: expect.stringContaining('行过长') }],
    });
    expect(parseLedgerImport('\n\n')).toMatchObject({ ok: false });
    expect(parseLedgerImport(`${header}\n`)).toEqual({
      ok: false,
      format: 'csv',
      errors: [{ line: 0, message: '文件中没有发票' }],
    });
  });
});
