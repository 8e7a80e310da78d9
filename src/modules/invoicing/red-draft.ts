import type { Deps } from '../../platform/deps.js';
import { type ComputedInvoice, type RedLine, validateInvoiceDraft } from '../../tax/index.js';
import type { InvoiceRequestData } from './invoice-draft.js';
import type { Invoice } from './invoicing.tables.js';
import type { RedRequestBody } from './request-red.js';
import { decodeInvoiceRequest, decodeStoredSeller } from './stored-json.js';
import { loadTaxCodeTable } from './tax-code-table.js';
import { taxViolationsError } from './tax-violations-error.js';

/** A red request as stored: the red invoice's draft plus the blue line each red line reverses. */
export type RedRequestData = InvoiceRequestData & {
  redSerialNo: string;
  reason: string;
  redLines: RedLine[];
};

/** Builds the red invoice's draft: the blue invoice's parties and line facts with the planned negative amounts. */
export function redDraftData(
  blue: Invoice,
  blueComputed: ComputedInvoice,
  redLines: readonly RedLine[],
  body: RedRequestBody,
): RedRequestData {
  const blueData = decodeInvoiceRequest(blue.request_json);
  return {
    redSerialNo: body.redSerialNo,
    reason: body.reason,
    redLines: [...redLines],
    kind: blueData.kind,
    seller: blueData.seller,
    buyer: blueData.buyer,
    lines: redLines.map((red) => {
      const line = blueComputed.lines.find((l) => l.lineNo === red.blueLineNo)!;
      return {
        name: line.renderedName,
        taxCode: line.taxCode,
        ...(line.spec ? { spec: line.spec } : {}),
        ...(line.unit ? { unit: line.unit } : {}),
        ...(red.quantity ? { quantity: red.quantity } : {}),
        ...(red.quantity && red.unitPrice ? { unitPrice: red.unitPrice } : {}),
        amount: red.amount,
        taxRate: line.taxRate,
        taxAmount: red.tax,
        ...(line.taxPolicyFlag ? { taxPolicyFlag: line.taxPolicyFlag } : {}),
      };
    }),
    ...(body.drawer ? { drawer: body.drawer } : blueData.drawer ? { drawer: blueData.drawer } : {}),
    ...(blueData.businessSystemCode ? { businessSystemCode: blueData.businessSystemCode } : {}),
  };
}

/**
 * Validates the red draft with the tax rules. The required red remark names the confirmation form, which does not
 * exist yet; it is written when the form is applied (red-flow.ts), so it is not demanded here.
 */
export async function computeRedOrThrow(deps: Deps, data: RedRequestData, blue: Invoice): Promise<ComputedInvoice> {
  const { email: _e, mobile: _m, ...buyer } = data.buyer;
  const seller = decodeStoredSeller(blue.seller_json);
  const result = validateInvoiceDraft(
    { kind: data.kind, seller: { taxId: seller.taxId, name: seller.name }, buyer, lines: data.lines, isRed: true },
    { taxCodes: await loadTaxCodeTable(deps.db.kysely), requireRedRemark: false },
  );
  if (result.ok) return result.invoice;
  throw taxViolationsError(result.violations);
}
