import type { Static } from 'typebox';
import { type ComputedInvoice, type InvoiceDraft, type TaxCodeTable, validateInvoiceDraft } from '../../tax/index.js';
import type { CreateInvoiceBody } from './routes/invoice.schemas.js';
import { taxViolationsError } from './tax-violations-error.js';

/** What we keep of a request to (re)issue it: the body without its idempotency key. */
export type InvoiceRequestData = Omit<Static<typeof CreateInvoiceBody>, 'serialNo'>;

/** Maps request data onto the tax library's draft (delivery contacts are not part of the invoice). */
export function toTaxDraft(
  data: InvoiceRequestData,
  sellerName: string,
  extra: { isRed?: boolean } = {},
): InvoiceDraft {
  const { email: _email, mobile: _mobile, ...buyer } = data.buyer;
  return {
    kind: data.kind,
    seller: { taxId: data.seller.taxId, name: sellerName },
    buyer,
    lines: data.lines,
    ...(data.totals ? { totals: data.totals } : {}),
    ...(data.remark === undefined ? {} : { remark: data.remark }),
    ...(extra.isRed ? { isRed: true } : {}),
  };
}

/**
 * Validates a draft with the tax rules. On violations throws a 422 whose code is the first violation's code and
 * whose `details.violations` lists every one with its JSON pointer (`/lines/1/taxAmount`) and Chinese message.
 */
export function computeOrThrow(draft: InvoiceDraft, taxCodes: TaxCodeTable): ComputedInvoice {
  const result = validateInvoiceDraft(draft, { taxCodes });
  if (result.ok) return result.invoice;
  throw taxViolationsError(result.violations, { withDetails: true });
}
