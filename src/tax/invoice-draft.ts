/**
 * Shapes of an invoice draft (as the API request carries it) and of the computed invoice returned by
 * validateInvoiceDraft. Money, quantities and rates are decimal strings; rates in the canonical form "0.13".
 */
import type { InvoiceTotals } from './compute-invoice-totals.js';
import type { ComputedLineAmounts } from './compute-line.js';
import type { InvoiceKind } from './invoice-kinds.js';
import type { LineNature } from './line-natures.js';
import type { TaxPolicyFlag, TaxTreatment } from './tax-policy-flags.js';

/** One draft line. `amount`/`unitPrice` are tax-inclusive when `priceIncludesTax`. */
export interface InvoiceDraftLine {
  /** Seller's wording (货物或应税劳务、服务名称); `*简称*名称` is accepted when the 简称 matches the code. */
  readonly name: string;
  /** 19-digit 税收分类编码. */
  readonly taxCode: string;
  readonly spec?: string;
  readonly unit?: string;
  readonly quantity?: string;
  readonly unitPrice?: string;
  readonly amount: string;
  /** Canonical decimal fraction: "0.13", "0.015", "0". "13%" is refused (TAX_RATE_FORMAT_INVALID). */
  readonly taxRate: string;
  readonly taxAmount?: string;
  readonly priceIncludesTax?: boolean;
  /** Default "normal". 乐企 codes 00/01/02 map via parseLineNatureCode. */
  readonly lineNature?: LineNature;
  /** 优惠政策标识 `yhzcbs` "01".."18" (03 免税, 04 不征税). */
  readonly taxPolicyFlag?: string;
}

/** Buyer (购买方). */
export interface InvoiceDraftBuyer {
  readonly name: string;
  readonly taxId?: string;
  readonly address?: string;
  readonly phone?: string;
  readonly bankName?: string;
  readonly bankAccount?: string;
  /** 购买方自然人标志 (`gmfzrrbz`). Inferred from a 个人 title when absent. */
  readonly naturalPerson?: boolean;
}

/** Invoice draft. */
export interface InvoiceDraft {
  /** 票种 code, one of INVOICE_KINDS. */
  readonly kind: string;
  readonly seller: { readonly taxId: string; readonly name?: string };
  readonly buyer: InvoiceDraftBuyer;
  readonly lines: readonly InvoiceDraftLine[];
  /** When given, must equal the totals computed from the lines (TOTAL_MISMATCH). */
  readonly totals?: { readonly amount: string; readonly tax: string; readonly total: string };
  readonly remark?: string;
  /** Red (negative) invoice: negative lines, historical rates allowed, red remark required. */
  readonly isRed?: boolean;
}

/** A normalised line. */
export interface ComputedInvoiceLine extends ComputedLineAmounts {
  /** 明细序号, from 1. */
  readonly lineNo: number;
  /** Seller's wording without the `*简称*` prefix. */
  readonly name: string;
  /** `*简称*名称`. */
  readonly renderedName: string;
  readonly shortName: string;
  readonly taxCode: string;
  readonly spec?: string;
  readonly unit?: string;
  /** Canonical rate, e.g. "0.13". */
  readonly taxRate: string;
  /** Printed 税率: "13%", "免税", "不征税". */
  readonly taxRateLabel: string;
  /** Printed 税额: the amount, or "***" for 免税/不征税. */
  readonly taxLabel: string;
  readonly taxTreatment: TaxTreatment;
  readonly taxPolicyFlag?: TaxPolicyFlag;
  readonly lineNature: LineNature;
  /** 乐企 `fphxz`. */
  readonly lineNatureCode: '00' | '01' | '02';
  readonly priceIncludesTax: boolean;
}

/** The validated, normalised invoice. */
export interface ComputedInvoice {
  readonly kind: InvoiceKind;
  readonly kindName: string;
  readonly isSpecial: boolean;
  readonly isDigital: boolean;
  readonly isRed: boolean;
  readonly seller: { readonly taxId: string; readonly name?: string };
  readonly buyer: InvoiceDraftBuyer & {
    readonly naturalPerson: boolean;
    /** Printed name: `name（个人）` for a natural person whose name is not already 个人 (tax-rules §9.3 [M]). */
    readonly displayName: string;
  };
  readonly lines: readonly ComputedInvoiceLine[];
  readonly totals: InvoiceTotals;
  readonly remark?: string;
  /** Paper kinds with more than 8 lines need a 销货清单 (`qdbz`=1, tax-rules §5.7). */
  readonly listRequired: boolean;
}
