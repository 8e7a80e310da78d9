import type { Static } from 'typebox';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { VALIDATION_FAILED } from '../../platform/errors/platform.errors.js';
import type { InvoiceKind } from '../../tax/index.js';
import type { LineInput } from '../invoicing/index.js';
import { getIssuingSellerOrThrow } from '../orgs/index.js';
import { checkOrderContent, type OrderContent } from './order-content.js';

type Line = Static<typeof LineInput>;

/**
 * The preset order (默认开票) behind a setting's static link `/q/{key}` (码上开票): fixed lines, and at most one
 * line without `amount` whose tax-inclusive amount the consumer types (capped by `maxAmount`).
 */
export interface Preset {
  lines: Array<Omit<Line, 'amount'> & { amount?: string }>;
  remark?: string;
  /** Largest amount the consumer may type (default 10000.00). */
  maxAmount?: string;
}

export const DEFAULT_PRESET_MAX_AMOUNT = '10000.00';

/** The line whose amount the consumer types, if any. */
export function openPresetLine(preset: Preset): number {
  return preset.lines.findIndex((l) => l.amount === undefined);
}

/** The order content of a preset once the consumer's amount (when needed) is known. */
export function presetContent(preset: Preset, enteredAmount: string | null): OrderContent {
  const lines = preset.lines.map((l): Line => {
    if (l.amount !== undefined) return l as Line;
    const { quantity: _q, unitPrice: _p, ...rest } = l;
    return { ...rest, amount: enteredAmount ?? '0.00', priceIncludesTax: true };
  });
  return { lines, ...(preset.remark === undefined ? {} : { remark: preset.remark }) };
}

/** Checks the seller and, with a preset, its lines under the tax rules (a typed amount is tried as 1.00). */
export async function checkPreset(
  deps: Deps,
  tenantId: string,
  sellerTaxId: string,
  kinds: readonly InvoiceKind[],
  preset: Preset | null,
): Promise<void> {
  if (!preset) {
    await getIssuingSellerOrThrow(deps.db.kysely, tenantId, sellerTaxId);
    return;
  }
  if (preset.lines.filter((l) => l.amount === undefined).length > 1) {
    throw new AppError(VALIDATION_FAILED, '默认开票最多一行由消费者填写金额', {
      errors: [{ path: '/body/preset/lines', message: 'at most one line may omit amount' }],
    });
  }
  await checkOrderContent(deps, tenantId, sellerTaxId, kinds, presetContent(preset, '1.00'));
}
