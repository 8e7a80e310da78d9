/**
 * 税收分类编码 (商品和服务税收分类合并编码, tax-rules §6): 19 digits, first digit = top class
 * (1 货物, 2 劳务, 3 销售服务, 4 无形资产, 5 不动产, 6 不征税项目). The built-in table holds only the codes the
 * domain notes confirm — the doc says "do not guess codes"; import the official table with parseTaxCodeCsv.
 */
import type { TaxPolicyFlag } from './tax-policy-flags.js';

/** One entry of the code table. */
export interface TaxCodeEntry {
  /** 19-digit code. */
  readonly code: string;
  /** 货物和劳务名称 of the code. */
  readonly name: string;
  /** 商品和服务分类简称, printed as `*简称*`. */
  readonly shortName: string;
  /** General-taxpayer default rate, canonical ("0.06"); small-scale sellers use 3%/1%. */
  readonly defaultRate: string;
  /** Default 优惠政策标识, e.g. "03" for a code that is 免税 by default. */
  readonly defaultPolicyFlag?: TaxPolicyFlag;
  /** 汇总项: a summary (non-leaf) code that cannot be used on an invoice line. */
  readonly isSummary?: boolean;
}

/** A lookup table keyed by code. */
export type TaxCodeTable = ReadonlyMap<string, TaxCodeEntry>;

/** Built-in entries, each from tax-rules §6 "Starter table" (confidence noted there). */
export const BUILTIN_TAX_CODES: readonly TaxCodeEntry[] = [
  { code: '3070401000000000000', name: '餐饮服务', shortName: '餐饮服务', defaultRate: '0.06' },
  { code: '3070402000000000000', name: '住宿服务', shortName: '住宿服务', defaultRate: '0.06' },
  { code: '3040201000000000000', name: '软件服务', shortName: '信息技术服务', defaultRate: '0.06' },
  { code: '3040201010000000000', name: '软件开发服务', shortName: '信息技术服务', defaultRate: '0.06' },
  { code: '3040203000000000000', name: '信息系统服务', shortName: '信息技术服务', defaultRate: '0.06' },
  { code: '3049900000000000000', name: '其他现代服务', shortName: '现代服务', defaultRate: '0.06' },
  { code: '3070201020000000000', name: '非学历教育服务', shortName: '非学历教育服务', defaultRate: '0.06' },
  {
    code: '3040802010200000000',
    name: '国际货物运输代理服务',
    shortName: '经纪代理服务',
    defaultRate: '0',
    defaultPolicyFlag: '03',
  },
  // 简称 as printed on a real toll XML (tax-rules §6 [M]).
  { code: '3040502020301000000', name: '通行费', shortName: '生产生活服务', defaultRate: '0.03' },
  { code: '1080310990000000000', name: '其他有色金属冶炼压延品', shortName: '有色金属冶炼压延品', defaultRate: '0.13' },
  { code: '1020101000000000000', name: '煤炭', shortName: '煤炭', defaultRate: '0.13' },
  { code: '1020102000000000000', name: '煤炭', shortName: '煤炭', defaultRate: '0.13' },
  { code: '1020199000000000000', name: '煤炭', shortName: '煤炭', defaultRate: '0.13' },
].map((entry) => Object.freeze(entry as TaxCodeEntry));

/** Builds a lookup table; later entries override earlier ones with the same code. */
export function createTaxCodeTable(...sources: ReadonlyArray<readonly TaxCodeEntry[]>): TaxCodeTable {
  const table = new Map<string, TaxCodeEntry>();
  for (const entries of sources) for (const entry of entries) table.set(entry.code, entry);
  return table;
}

/** The built-in table. */
export const BUILTIN_TAX_CODE_TABLE: TaxCodeTable = createTaxCodeTable(BUILTIN_TAX_CODES);

/** True when `code` has the 19-digit shape with a valid top class 1–6 (tax-rules §6, S-LEG 9346). */
export function isTaxCodeFormatValid(code: string): boolean {
  return /^[1-6]\d{18}$/.test(code);
}

/** Looks up a code in `table` (default: the built-in table). */
export function lookupTaxCode(code: string, table: TaxCodeTable = BUILTIN_TAX_CODE_TABLE): TaxCodeEntry | undefined {
  return table.get(code);
}

/** Top class of a code: goods (1), labour (2), services (3), intangibles (4), real estate (5), non-taxable (6). */
export type TaxCodeClass = 'goods' | 'labour' | 'services' | 'intangibles' | 'real_estate' | 'non_taxable';

/** The top class of a 19-digit code, or null for a malformed code. */
export function taxCodeClass(code: string): TaxCodeClass | null {
  if (!isTaxCodeFormatValid(code)) return null;
  const classes: readonly TaxCodeClass[] = ['goods', 'labour', 'services', 'intangibles', 'real_estate', 'non_taxable'];
  return classes[Number(code[0]) - 1] ?? null;
}
