/**
 * Shared test fixtures (imported only by *.test.ts files). Tax ids are real, checksum-verified examples from
 * tax-rules §7.3; the 运输服务 code entry is a TEST-ONLY fixture, not a claim about the official table.
 */
import type { InvoiceDraft, InvoiceDraftLine } from './invoice-draft.js';
import { BUILTIN_TAX_CODES, createTaxCodeTable, type TaxCodeEntry } from './tax-codes.js';

/** Valid USCC (tax-rules §7.3 worked example). */
export const SELLER_TAX_ID = '91110000600037341L';
/** Valid USCC (tax-rules §7.3 second example). */
export const BUYER_TAX_ID = '91330100MA2H3LL62A';
/** 软件开发服务, 简称 信息技术服务, 6% (tax-rules §6). */
export const SOFTWARE_CODE = '3040201010000000000';
/** TEST-ONLY code entry used to reproduce the Didi 运输服务 example of tax-rules §5.6. */
export const TEST_TRANSPORT_ENTRY: TaxCodeEntry = {
  code: '3010000000000000000',
  name: '运输服务（测试）',
  shortName: '运输服务',
  defaultRate: '0.09',
};
/** TEST-ONLY summary (汇总项) entry. */
export const TEST_SUMMARY_ENTRY: TaxCodeEntry = {
  code: '3000000000000000000',
  name: '销售服务（测试汇总项）',
  shortName: '销售服务',
  defaultRate: '0.06',
  isSummary: true,
};
/** Built-in codes plus the test-only entries. */
export const TEST_TAX_CODES = createTaxCodeTable(BUILTIN_TAX_CODES, [TEST_TRANSPORT_ENTRY, TEST_SUMMARY_ENTRY]);

/** A plain software-development line of 100.00 at 6%. */
export function softwareLine(overrides: Partial<InvoiceDraftLine> = {}): InvoiceDraftLine {
  return { name: '软件开发服务', taxCode: SOFTWARE_CODE, amount: '100.00', taxRate: '0.06', ...overrides };
}

/** A valid 数电专票 draft with one line. */
export function validDraft(overrides: Partial<InvoiceDraft> = {}): InvoiceDraft {
  return {
    kind: '81',
    seller: { taxId: SELLER_TAX_ID, name: '示例销售方有限公司' },
    buyer: { name: '示例购买方有限公司', taxId: BUYER_TAX_ID },
    lines: [softwareLine()],
    ...overrides,
  };
}
