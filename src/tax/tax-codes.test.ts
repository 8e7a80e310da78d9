import { describe, expect, it } from 'vitest';
import { parseItemName, renderItemName } from './item-name.js';
import { parseCsvRecords, parseTaxCodeCsv } from './tax-code-csv.js';
import {
  BUILTIN_TAX_CODES,
  createTaxCodeTable,
  isTaxCodeFormatValid,
  lookupTaxCode,
  taxCodeClass,
} from './tax-codes.js';

describe('built-in 税收分类编码 table (tax-rules §6)', () => {
  it('looks up the doc-confirmed codes with 简称 and default rate', () => {
    expect(lookupTaxCode('3070401000000000000')).toMatchObject({ shortName: '餐饮服务', defaultRate: '0.06' });
    expect(lookupTaxCode('3040201010000000000')).toMatchObject({ name: '软件开发服务', shortName: '信息技术服务' });
    expect(lookupTaxCode('3040802010200000000')).toMatchObject({ defaultRate: '0', defaultPolicyFlag: '03' });
    expect(lookupTaxCode('1080310990000000000')?.defaultRate).toBe('0.13');
    expect(lookupTaxCode('9999999999999999999')).toBeUndefined();
  });

  it('every built-in code is well formed and unique', () => {
    expect(BUILTIN_TAX_CODES.every((e) => isTaxCodeFormatValid(e.code))).toBe(true);
    expect(new Set(BUILTIN_TAX_CODES.map((e) => e.code)).size).toBe(BUILTIN_TAX_CODES.length);
  });

  it('checks the 19-digit shape and top class', () => {
    expect(isTaxCodeFormatValid('304020101000000000')).toBe(false);
    expect(isTaxCodeFormatValid('0040201010000000000')).toBe(false);
    expect(taxCodeClass('1020101000000000000')).toBe('goods');
    expect(taxCodeClass('3070401000000000000')).toBe('services');
    expect(taxCodeClass('x')).toBeNull();
  });
});

describe('parseTaxCodeCsv', () => {
  it('imports rows with Chinese headers, quoted fields, rate spellings and 汇总项', () => {
    const csv = [
      '\uFEFF编码,货物和劳务名称,简称,增值税税率,汇总项',
      '3070401000000000000,餐饮服务,餐饮服务,6%,N',
      '1020101000000000000,"煤炭, 原煤",煤炭,"13%、9%",N',
      '3000000000000000000,销售服务,销售服务,6%,是',
      '3040802010200000000,国际货物运输代理服务,经纪代理服务,免税,N',
    ].join('\r\n');
    const { entries, errors } = parseTaxCodeCsv(csv);
    expect(errors).toEqual([]);
    expect(entries).toEqual([
      { code: '3070401000000000000', name: '餐饮服务', shortName: '餐饮服务', defaultRate: '0.06' },
      { code: '1020101000000000000', name: '煤炭, 原煤', shortName: '煤炭', defaultRate: '0.13' },
      { code: '3000000000000000000', name: '销售服务', shortName: '销售服务', defaultRate: '0.06', isSummary: true },
      {
        code: '3040802010200000000',
        name: '国际货物运输代理服务',
        shortName: '经纪代理服务',
        defaultRate: '0',
        defaultPolicyFlag: '03',
      },
    ]);
    expect(createTaxCodeTable(entries).get('3000000000000000000')?.isSummary).toBe(true);
  });

  it('reports bad rows with their line numbers and keeps the good ones', () => {
    const csv =
      'code,name,shortName,rate\n123,坏编码,坏,6%\n3070401000000000000,餐饮服务,,6%\n3070402000000000000,住宿服务,住宿服务,abc\n3070401000000000000,餐饮服务,餐饮服务,0.06\n3070401000000000000,餐饮服务,餐饮服务,0.06';
    const { entries, errors } = parseTaxCodeCsv(csv);
    expect(entries.map((e) => e.code)).toEqual(['3070401000000000000']);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, 6]);
  });

  it('requires the code, name and 简称 columns', () => {
    expect(parseTaxCodeCsv('code,name\n1,2').errors[0]?.message).toContain('shortName');
    expect(parseTaxCodeCsv('').errors).toHaveLength(1);
  });

  it('handles escaped quotes and newlines inside quotes', () => {
    expect(parseCsvRecords('a,"b ""x""\ny",c\nd')).toEqual([
      { line: 1, fields: ['a', 'b "x"\ny', 'c'] },
      { line: 3, fields: ['d'] },
    ]);
  });
});

describe('*简称*名称', () => {
  it('renders and parses back', () => {
    expect(renderItemName('信息技术服务', '软件开发服务')).toBe('*信息技术服务*软件开发服务');
    expect(parseItemName('*餐饮服务*餐费')).toEqual({ shortName: '餐饮服务', name: '餐费' });
    expect(parseItemName('*运输服务*客运服务费*加急')).toEqual({ shortName: '运输服务', name: '客运服务费*加急' });
    expect(parseItemName('餐费')).toBeNull();
    expect(parseItemName('**餐费')).toBeNull();
  });
});
