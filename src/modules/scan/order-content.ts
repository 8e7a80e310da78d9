import type { Static } from 'typebox';
import type { Deps } from '../../platform/deps.js';
import type { ComputedInvoice, InvoiceKind } from '../../tax/index.js';
import { validateInvoiceDraft } from '../../tax/index.js';
import { type LineInput, loadTaxCodeTable, type TotalsInput, taxViolationsError } from '../invoicing/index.js';
import { getIssuingSellerOrThrow } from '../orgs/index.js';

/** What an order says it sells: the future invoice request's lines, totals and remark. */
export interface OrderContent {
  lines: Static<typeof LineInput>[];
  totals?: Static<typeof TotalsInput>;
  remark?: string;
}

/** One row of the consumer pages: printed name, quantity and the tax-inclusive amount. */
export interface OrderItem {
  name: string;
  quantity: string | null;
  unit: string | null;
  total: string;
}

export interface CheckedContent {
  items: OrderItem[];
  totalFen: number;
  sellerName: string;
}

/** A buyer the rules accept for any kind; only used to validate content before the real title is known. */
const PLACEHOLDER_BUYER = { name: '校验用购买方有限公司', taxId: '91110000600037341L' };

/**
 * Validates an order's content with the same tax rules as direct invoicing, for every kind the consumer may choose
 * (the buyer is not known yet, so buyer rules are checked on submit). The seller must be one that may issue
 * (SELLER_NOT_BOUND otherwise). Throws the tax rule's 422 on the first violation; returns the page summary.
 */
export async function checkOrderContent(
  deps: Deps,
  tenantId: string,
  sellerTaxId: string,
  kinds: readonly InvoiceKind[],
  content: OrderContent,
): Promise<CheckedContent> {
  const seller = await getIssuingSellerOrThrow(deps.db.kysely, tenantId, sellerTaxId);
  const taxCodes = await loadTaxCodeTable(deps.db.kysely);
  let computed: ComputedInvoice | null = null;
  for (const kind of kinds) {
    const result = validateInvoiceDraft(
      {
        kind,
        seller: { taxId: seller.tax_id, name: seller.name },
        buyer: PLACEHOLDER_BUYER,
        lines: content.lines,
        ...(content.totals ? { totals: content.totals } : {}),
        ...(content.remark === undefined ? {} : { remark: content.remark }),
      },
      { taxCodes },
    );
    if (!result.ok) throw taxViolationsError(result.violations);
    computed ??= result.invoice;
  }
  if (!computed) throw new Error('checkOrderContent needs at least one kind');
  return {
    items: computed.lines.map((l) => ({
      name: l.renderedName,
      quantity: l.quantity ?? null,
      unit: l.unit ?? null,
      total: l.total,
    })),
    totalFen: computed.totals.totalFen,
    sellerName: seller.name,
  };
}
