/**
 * Options of validateInvoiceDraft. Every rule the domain notes mark [L] or uncertain is a knob here
 * (tax-rules §11); defaults follow the notes' recommendations.
 */
import type { ComputeLineOptions } from './compute-line.js';
import type { LengthUnit } from './field-limits.js';
import type { InvoiceKind } from './invoice-kinds.js';
import { isDigitalInvoiceKind } from './invoice-kinds.js';
import { BUILTIN_TAX_CODE_TABLE, type TaxCodeTable } from './tax-codes.js';

/** Options of validateInvoiceDraft; all optional. */
export interface ValidateInvoiceOptions extends ComputeLineOptions {
  /** Code table (default: the small built-in table; pass the imported official table in production). */
  readonly taxCodes?: TaxCodeTable;
  /**
   * Allowed |supplied 税额 − computed 税额| per line. The 数电 tolerance is not confirmed (tax-rules §5.4 [L]):
   * default "0.01" for 数电 kinds (the notes' recommendation) and "0.06" (金税盘 rule) for legacy kinds.
   */
  readonly lineTaxTolerance?: string;
  /** Allowed |Σ supplied 税额 − Σ computed 税额| per invoice; default "1.27" (legacy rule, §5.4). */
  readonly invoiceTaxTolerance?: string;
  /** Allowed |金额 − round2(数量×单价)|; default "0.01" (§5.4 [H]). */
  readonly amountTolerance?: string;
  /** Maximum lines; the 数电 maximum is not confirmed (§5.7 [L]) — default 2000. */
  readonly maxLines?: number;
  /** Paper kinds: lines above this need a 销货清单; default 8 (§5.7). */
  readonly paperLinesWithoutList?: number;
  /** Integer digits allowed in amounts and totals; default 12 (S-KD UI cap, §5.5 [M]); at most 13 (safe fen). */
  readonly maxAmountIntegerDigits?: number;
  /** Field lengths in characters or GBK bytes — the 乐企 unit is not stated (§5.5); default "chars". */
  readonly lengthUnit?: LengthUnit;
  /** Allow the 0.5% used-car dealer rate (§5.1 [L]); default false. */
  readonly allowUsedCarDealerRate?: boolean;
  /** Replace the allowed rate list entirely (canonical strings). */
  readonly allowedRates?: readonly string[];
  /** Refuse 专票 to a natural person (§10 [L], from memory in the notes); default true. */
  readonly forbidSpecialInvoiceToNaturalPerson?: boolean;
  /** Legacy paper 专票 (004) needs buyer address, phone, bank and account (§10 [M]); default true. */
  readonly requireLegacySpecialBuyerDetails?: boolean;
  /**
   * 普票 to an enterprise needs the buyer tax id (§10 [H]); whether a buyer is an enterprise is guessed from its
   * name with this pattern (our heuristic). Default /公司|集团|企业|合作社/; null disables the rule.
   */
  readonly enterpriseBuyerPattern?: RegExp | null;
  /** Red drafts must carry the red remark (tax-rules §8.1 item 6, §8.2); default true. */
  readonly requireRedRemark?: boolean;
  /** Accept 18-digit 身份证 numbers as tax ids (§7.5); default true. */
  readonly allowResidentIdAsTaxId?: boolean;
}

/** Options with every default filled in. */
export interface ResolvedValidateOptions extends ComputeLineOptions {
  readonly taxCodes: TaxCodeTable;
  readonly lineTaxTolerance: string;
  readonly invoiceTaxTolerance: string;
  readonly amountTolerance: string;
  readonly maxLines: number;
  readonly paperLinesWithoutList: number;
  readonly maxAmountIntegerDigits: number;
  readonly lengthUnit: LengthUnit;
  readonly allowUsedCarDealerRate: boolean;
  readonly allowedRates?: readonly string[];
  readonly forbidSpecialInvoiceToNaturalPerson: boolean;
  readonly requireLegacySpecialBuyerDetails: boolean;
  readonly enterpriseBuyerPattern: RegExp | null;
  readonly requireRedRemark: boolean;
  readonly allowResidentIdAsTaxId: boolean;
}

/** Default maximum number of lines (tax-rules §5.7 suggestion). */
export const DEFAULT_MAX_LINES = 2000;

/** The default of `enterpriseBuyerPattern`: one instance (a literal in the function would compile it on every call). */
const ENTERPRISE_BUYER_PATTERN = /公司|集团|企业|合作社/;

/**
 * Fills in defaults; `kind` picks the per-kind line tax tolerance. Every field is written by name, in one order, with
 * no `...options`: an object literal that starts with a spread and then redefines a spread key (`taxCodes`) makes V8
 * build a dictionary-mode object on every call — ~40–70 µs and most of the garbage of one validation, and every later
 * `options.x` read a dictionary lookup.
 */
export function resolveValidateOptions(
  options: ValidateInvoiceOptions,
  kind: InvoiceKind | null,
): ResolvedValidateOptions {
  const digital = kind === null || isDigitalInvoiceKind(kind);
  return {
    reducedRateDivisor: options.reducedRateDivisor,
    unitPriceSignificantDigits: options.unitPriceSignificantDigits,
    taxCodes: options.taxCodes ?? BUILTIN_TAX_CODE_TABLE,
    lineTaxTolerance: options.lineTaxTolerance ?? (digital ? '0.01' : '0.06'),
    invoiceTaxTolerance: options.invoiceTaxTolerance ?? '1.27',
    amountTolerance: options.amountTolerance ?? '0.01',
    maxLines: options.maxLines ?? DEFAULT_MAX_LINES,
    paperLinesWithoutList: options.paperLinesWithoutList ?? 8,
    maxAmountIntegerDigits: Math.min(options.maxAmountIntegerDigits ?? 12, 13),
    lengthUnit: options.lengthUnit ?? 'chars',
    allowUsedCarDealerRate: options.allowUsedCarDealerRate ?? false,
    allowedRates: options.allowedRates,
    forbidSpecialInvoiceToNaturalPerson: options.forbidSpecialInvoiceToNaturalPerson ?? true,
    requireLegacySpecialBuyerDetails: options.requireLegacySpecialBuyerDetails ?? true,
    enterpriseBuyerPattern:
      options.enterpriseBuyerPattern === undefined ? ENTERPRISE_BUYER_PATTERN : options.enterpriseBuyerPattern,
    requireRedRemark: options.requireRedRemark ?? true,
    allowResidentIdAsTaxId: options.allowResidentIdAsTaxId ?? true,
  };
}
