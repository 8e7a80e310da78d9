/**
 * What the parser answers: the fields read off an invoice file, where each came from, how sure we are, and the
 * cross-check warnings. Money is decimal strings (2 dp), dates YYYY-MM-DD.
 */
import type { ReceivedInvoiceKind } from '../tax/index.js';

/** The file formats the parser reads. */
export type ParsedFormat = 'xml' | 'ofd' | 'pdf' | 'image';

/** Where a field value came from (`verification` is filled by 查验, after parsing). */
export type FieldSource = 'xml' | 'ofd' | 'pdf-text' | 'qr' | 'ocr' | 'verification';

/** The fields that carry a source and a confidence. */
export type ParsedField =
  | 'kind'
  | 'code'
  | 'number'
  | 'issueDate'
  | 'checkCode'
  | 'seller.name'
  | 'seller.taxId'
  | 'buyer.name'
  | 'buyer.taxId'
  | 'totals.amount'
  | 'totals.tax'
  | 'totals.total'
  | 'lines'
  | 'remark'
  | 'passenger';

export interface ParsedParty {
  readonly name: string | null;
  readonly taxId: string | null;
}

export interface ParsedLine {
  readonly name: string;
  readonly spec: string | null;
  readonly unit: string | null;
  readonly quantity: string | null;
  readonly unitPrice: string | null;
  /** 金额 (tax-exclusive), 2 dp. */
  readonly amount: string | null;
  /** Canonical rate "0.13", or the printed marker (免税, 不征税, ***) when it is not a rate. */
  readonly taxRate: string | null;
  /** 税额, 2 dp, or null when printed as *** / 免税. */
  readonly taxAmount: string | null;
}

/** Passenger-ticket fields (铁路电子客票 51, 航空运输电子客票行程单 61). */
export interface ParsedPassenger {
  readonly name: string | null;
  readonly idNumber: string | null;
  /** Travel date YYYY-MM-DD. */
  readonly travelDate: string | null;
  readonly from: string | null;
  readonly to: string | null;
  /** Train number or flight number(s). */
  readonly trip: string | null;
  readonly seatClass: string | null;
  /** 票价 (air: fare + fuel surcharge). */
  readonly fare: string | null;
  /** Deductible VAT the ticket carries (tax printed on it). */
  readonly tax: string | null;
}

export interface ParsedTotals {
  /** 合计金额 (tax-exclusive). */
  readonly amount: string | null;
  /** 合计税额. */
  readonly tax: string | null;
  /** 价税合计. */
  readonly total: string | null;
}

/** A warning found while reading or cross-checking (conflicts, failed checks, fields we could not read). */
export interface ParseWarning {
  readonly code: ParseWarningCode;
  /** Chinese message for people. */
  readonly message: string;
  readonly field?: ParsedField;
}

export type ParseWarningCode =
  | 'TOTALS_MISMATCH'
  | 'AMOUNT_IN_WORDS_MISMATCH'
  | 'QR_MISMATCH'
  | 'TAX_ID_CHECK_FAILED'
  | 'NUMBER_STRUCTURE'
  | 'SOURCES_DISAGREE'
  | 'FIELD_MISSING'
  | 'LINES_TOTAL_MISMATCH'
  | 'NO_TEXT_LAYER'
  | 'LOW_CONFIDENCE'
  | 'SPECIMEN'
  /** The file needed OCR and the engine was temporarily unavailable: only its QR (and text layer) was read. */
  | 'OCR_UNAVAILABLE';

/** The result of parsing one invoice file. */
export interface ParsedInvoice {
  readonly format: ParsedFormat;
  readonly kind: ReceivedInvoiceKind;
  readonly kindName: string;
  /** 发票代码 (legacy kinds, 数电 paper), else null. */
  readonly code: string | null;
  readonly number: string | null;
  readonly issueDate: string | null;
  /** 校验码 (legacy 普票 family), 20 digits. */
  readonly checkCode: string | null;
  readonly seller: ParsedParty;
  readonly buyer: ParsedParty;
  readonly totals: ParsedTotals;
  readonly amountInWords: string | null;
  readonly lines: readonly ParsedLine[];
  readonly remark: string | null;
  readonly isRed: boolean;
  readonly passenger: ParsedPassenger | null;
  /** The raw QR text, when one was read from the file. */
  readonly qrPayload: string | null;
  readonly fieldSources: Readonly<Partial<Record<ParsedField, FieldSource>>>;
  /** Per-field confidence 0..1 (1 = structured data, lower for positional text). */
  readonly confidence: Readonly<Partial<Record<ParsedField, number>>>;
  /** Overall confidence: the lowest of the key fields (number, date, totals). */
  readonly overallConfidence: number;
  readonly warnings: readonly ParseWarning[];
}
