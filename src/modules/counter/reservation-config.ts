import { type Static, Type } from 'typebox';
import { INVOICE_KINDS, type InvoiceKind, parseDecimal, roundHalfUp, trimDecimal } from '../../tax/index.js';
import type { InvoiceRequestData } from '../invoicing/index.js';
import { ENTRY_MODES, type EntryMode } from './counter.tables.js';

const text = (maxLength: number, description: string) => Type.String({ minLength: 1, maxLength, description });
const money = (description: string) =>
  Type.String({ pattern: '^\\d{1,13}(\\.\\d{1,2})?$', maxLength: 16, description });

/** A fixed item (固定项目) of a reservation QR: from the catalogue or typed by hand. */
export const ReservationItem = Type.Object(
  {
    name: text(200, '项目名称'),
    taxCode: Type.String({ pattern: '^\\d{19}$', maxLength: 19, description: '19位税收分类编码' }),
    taxRate: Type.String({ pattern: '^0(\\.\\d{1,4})?$|^1$', maxLength: 6, description: '税率，如 "0.06"' }),
    unit: Type.Optional(text(30, '单位')),
    spec: Type.Optional(text(150, '规格型号')),
    unitPrice: Type.Optional(money('默认含税单价')),
  },
  { additionalProperties: false },
);

/** A custom remark field (自定义备注字段) the consumer fills in (房号、桌号、入住日期…). */
export const RemarkField = Type.Object(
  {
    label: text(20, '字段名称'),
    required: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ReservationConfigInput = Type.Object(
  {
    allowedKinds: Type.Optional(Type.Array(Type.Enum(INVOICE_KINDS), { minItems: 1, maxItems: 4, uniqueItems: true })),
    items: Type.Optional(Type.Array(ReservationItem, { maxItems: 20 })),
    entryMode: Type.Optional(Type.Enum(ENTRY_MODES)),
    fixedAmount: Type.Optional(Type.Union([money('固定金额（含税）'), Type.Null()])),
    remarkFields: Type.Optional(Type.Array(RemarkField, { maxItems: 5 })),
    expiryHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720, description: '预约单有效期（小时）' })),
  },
  { additionalProperties: false },
);

export type ReservationItemData = Static<typeof ReservationItem>;

/** The stored configuration of a reservation QR, every field present. */
export interface ReservationConfig {
  allowedKinds: InvoiceKind[];
  items: ReservationItemData[];
  entryMode: EntryMode;
  /** Tax-inclusive; the consumer enters no amount then. */
  fixedAmount: string | null;
  remarkFields: { label: string; required?: boolean }[];
  expiryHours: number;
}

export const DEFAULT_EXPIRY_HOURS = 72;

export function withConfigDefaults(
  input: Partial<ReservationConfig> & Record<string, unknown>,
  base?: ReservationConfig,
): ReservationConfig {
  return {
    allowedKinds: input.allowedKinds ?? base?.allowedKinds ?? ['82', '81'],
    items: input.items ?? base?.items ?? [],
    entryMode: input.entryMode ?? base?.entryMode ?? 'amount',
    fixedAmount: input.fixedAmount === undefined ? (base?.fixedAmount ?? null) : input.fixedAmount,
    remarkFields: input.remarkFields ?? base?.remarkFields ?? [],
    expiryHours: input.expiryHours ?? base?.expiryHours ?? DEFAULT_EXPIRY_HOURS,
  };
}

/** What the consumer entered (decimal strings as typed, checked). */
export interface ReservationEntry {
  amount?: string;
  quantity?: string;
  unitPrice?: string;
  remarks: { label: string; value: string }[];
}

/** The entry mode in force: a fixed amount means the consumer enters nothing. */
export const effectiveEntryMode = (config: ReservationConfig): EntryMode =>
  config.fixedAmount !== null ? 'none' : config.entryMode;

/** The remark line of the invoice: the remark fields as `label：value`, joined. */
export function entryRemark(entry: ReservationEntry): string | undefined {
  const parts = entry.remarks.filter((r) => r.value).map((r) => `${r.label}：${r.value}`);
  return parts.length > 0 ? parts.join('；') : undefined;
}

/** The tax-inclusive total of the entry (amount, or quantity × unit price), or the fixed amount; null when open. */
export function entryTotal(config: ReservationConfig, entry: ReservationEntry): string | null {
  if (config.fixedAmount !== null) return config.fixedAmount;
  if (entry.amount) return entry.amount;
  if (entry.quantity && entry.unitPrice) {
    return trimDecimal(roundHalfUp(parseDecimal(entry.quantity)!.mul(parseDecimal(entry.unitPrice)!), 2));
  }
  return null;
}

/**
 * The invoice lines a reservation becomes without the clerk typing any: one fixed item and a known total (the
 * fixed amount, the entered amount, or quantity × unit price). Otherwise undefined: the clerk completes them.
 */
export function defaultLines(
  config: ReservationConfig,
  entry: ReservationEntry,
): InvoiceRequestData['lines'] | undefined {
  if (config.items.length !== 1) return undefined;
  const item = config.items[0]!;
  const total = entryTotal(config, entry);
  if (total === null || parseDecimal(total)!.lte(0)) return undefined;
  const quantityPrice = config.fixedAmount === null && entry.quantity && entry.unitPrice && !entry.amount;
  return [
    {
      name: item.name,
      taxCode: item.taxCode,
      taxRate: item.taxRate,
      amount: total,
      priceIncludesTax: true,
      ...(item.unit ? { unit: item.unit } : {}),
      ...(item.spec ? { spec: item.spec } : {}),
      ...(quantityPrice ? { quantity: entry.quantity, unitPrice: entry.unitPrice } : {}),
    },
  ];
}
