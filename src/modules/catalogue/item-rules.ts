import {
  isRateAllowedForCode,
  isTaxCodeFormatValid,
  parseTaxRate,
  type TaxCodeTable,
  TaxDecimal,
  taxRatesForCode,
} from '../../tax/index.js';

/** An item's fields as the API and the CSV import hand them over (strings trimmed, blanks as undefined). */
export interface ItemFields {
  name: string;
  spec?: string | undefined;
  unit?: string | undefined;
  taxCode: string;
  taxRate: string;
  unitPrice?: string | undefined;
  taxInclusive: boolean;
  enabled: boolean;
}

/** One refused field: its name (as in the API) and the reason in Chinese. */
export interface FieldError {
  field: keyof ItemFields;
  message: string;
}

export const ITEM_LIMITS = { name: 100, spec: 150, unit: 30, unitPrice: 25 } as const;
/** A positive unit price with at most 8 decimals (as invoices carry it). */
const UNIT_PRICE = /^\d{1,16}(\.\d{1,8})?$/;

/**
 * The tax rules of a catalogue item: name, 规格型号 and unit within the invoice's limits; a 税收分类编码 of the
 * tax-code table that is not a summary; a rate allowed for that code (src/tax taxRatesForCode); a positive unit
 * price. Every check is linear in the (length-capped) input. Answers every violation, [] when the item is fine.
 */
export function checkItemFields(fields: ItemFields, taxCodes: TaxCodeTable): FieldError[] {
  const errors: FieldError[] = [];
  const name = fields.name;
  if (name.length === 0) errors.push({ field: 'name', message: '名称不能为空' });
  else if (name.length > ITEM_LIMITS.name) errors.push({ field: 'name', message: `名称最多 ${ITEM_LIMITS.name} 个字` });
  else if (name.startsWith('*'))
    errors.push({ field: 'name', message: '名称不要带 *简称*：简称由税收分类编码决定，开票时自动加上' });
  if ((fields.spec ?? '').length > ITEM_LIMITS.spec)
    errors.push({ field: 'spec', message: `规格型号最多 ${ITEM_LIMITS.spec} 个字` });
  if ((fields.unit ?? '').length > ITEM_LIMITS.unit)
    errors.push({ field: 'unit', message: `单位最多 ${ITEM_LIMITS.unit} 个字` });

  const code = fields.taxCode;
  const entry = isTaxCodeFormatValid(code) ? taxCodes.get(code) : undefined;
  if (!isTaxCodeFormatValid(code)) {
    errors.push({ field: 'taxCode', message: `税收分类编码 ${code.slice(0, 30)} 须为 19 位数字且首位为 1–6` });
  } else if (!entry) {
    errors.push({ field: 'taxCode', message: `税收分类编码 ${code} 不在编码表中` });
  } else if (entry.isSummary) {
    errors.push({ field: 'taxCode', message: `税收分类编码 ${code}（${entry.name}）为汇总项，不能开票` });
  }
  const rate = parseTaxRate(fields.taxRate);
  if (!rate.ok) {
    errors.push({ field: 'taxRate', message: `税率 ${fields.taxRate.slice(0, 20)} 无效，请写成小数（如 0.06）` });
  } else if (entry && !entry.isSummary && !isRateAllowedForCode(entry, rate.canonical)) {
    const allowed = taxRatesForCode(entry).map((r) => `${new TaxDecimal(r).times(100).toFixed()}%`);
    errors.push({
      field: 'taxRate',
      message: `税率 ${rate.value.times(100).toFixed()}% 不适用于编码 ${code}（${entry.name}），可选 ${allowed.join('、')}`,
    });
  }
  const price = fields.unitPrice;
  if (price !== undefined) {
    if (price.length > ITEM_LIMITS.unitPrice || !UNIT_PRICE.test(price)) {
      errors.push({ field: 'unitPrice', message: `单价 ${price.slice(0, 30)} 须为正数，最多 8 位小数` });
    } else if (new TaxDecimal(price).isZero()) {
      errors.push({ field: 'unitPrice', message: '单价须大于 0（不固定单价请留空）' });
    }
  }
  return errors;
}

/** The canonical spelling stored for a valid rate ("0.060" → "0.06"). */
export const canonicalRate = (rate: string) => new TaxDecimal(rate).toFixed();
/** The canonical spelling stored for a valid unit price ("12.50" stays "12.50": trailing zeros are kept as typed). */
export const canonicalPrice = (price: string) => price.replace(/^0+(?=\d)/, '');
