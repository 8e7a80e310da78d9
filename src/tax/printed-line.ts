import type { ComputedInvoiceLine } from './invoice-draft.js';

/** A line's columns as the invoice prints them (tax-rules §3 layout). */
export interface PrintedLine {
  /** `*简称*名称`: the item name behind its tax classification's short name. */
  name: string;
  taxCode: string;
  /** 规格型号 */
  spec: string | null;
  /** 单位 */
  unit: string | null;
  /** 数量 */
  quantity: string | null;
  /** 单价 */
  unitPrice: string | null;
  /** 金额 */
  amount: string;
  /** 税率 as a decimal string, and as printed (`13%`, `免税`, `不征税`). */
  taxRate: string;
  taxRateLabel: string;
}

/**
 * The columns of a computed line as the invoice prints them (`*简称*名称`, 规格型号, 单位, 数量, 单价, 金额, 税率):
 * one rule shared by the API's invoice view and the rendered documents, which add their own fields around them.
 */
export function printedLine(l: ComputedInvoiceLine): PrintedLine {
  return {
    name: l.renderedName,
    taxCode: l.taxCode,
    spec: l.spec ?? null,
    unit: l.unit ?? null,
    quantity: l.quantity ?? null,
    unitPrice: l.unitPrice ?? null,
    amount: l.amount,
    taxRate: l.taxRate,
    taxRateLabel: l.taxRateLabel,
  };
}
