/**
 * The JSON columns of `scan_orders` and `scan_settings`, one codec per stored shape (platform/stored-json.ts). The
 * schemas check types only: rows were validated when written, and a limit tightened later must not break old rows.
 */
import { type TSchema, Type } from 'typebox';
import { type StoredJson, storedJson } from '../../platform/stored-json.js';
import { INVOICE_KINDS, type InvoiceKind, LINE_NATURES } from '../../tax/index.js';
import { BUYER_TYPES } from './buyer-types.js';
import type { OrderContent, OrderItem } from './order-content.js';
import type { OrderNotify, OrderTitle } from './order-title.js';
import type { Preset } from './preset.js';
import type { StaticLimits } from './static-limits.js';

const opt = <S extends TSchema>(schema: S) => Type.Optional(schema);
const S = Type.String();
const Kinds = Type.Array(Type.Enum(INVOICE_KINDS));

const lineFields = {
  name: S,
  taxCode: S,
  spec: opt(S),
  unit: opt(S),
  quantity: opt(S),
  unitPrice: opt(S),
  taxRate: S,
  taxAmount: opt(S),
  priceIncludesTax: opt(Type.Boolean()),
  lineNature: opt(Type.Enum(LINE_NATURES)),
  taxPolicyFlag: opt(S),
};

/** `scan_orders.allowed_kinds`: the kinds the consumer may choose. */
export const orderKindsJson: StoredJson<InvoiceKind[]> = storedJson('scan_orders.allowed_kinds', Kinds);

/** `scan_orders.items_json`: the rows the consumer pages show. */
export const orderItemsJson: StoredJson<OrderItem[]> = storedJson(
  'scan_orders.items_json',
  Type.Array(
    Type.Object({
      name: S,
      quantity: Type.Union([S, Type.Null()]),
      unit: Type.Union([S, Type.Null()]),
      total: S,
    }),
  ),
);

/** `scan_orders.content_json`: the order's lines, totals and remark. */
export const orderContentJson: StoredJson<OrderContent> = storedJson(
  'scan_orders.content_json',
  Type.Object({
    lines: Type.Array(Type.Object({ ...lineFields, amount: S })),
    totals: opt(Type.Object({ amount: S, tax: S, total: S })),
    remark: opt(S),
  }),
);

/** `scan_orders.notify_json`: contacts pushed with the order. */
export const orderNotifyJson: StoredJson<OrderNotify> = storedJson(
  'scan_orders.notify_json',
  Type.Object({ email: opt(S), mobile: opt(S) }),
);

/** `scan_orders.buyer_json`: the title (抬头) the consumer submitted. */
export const orderTitleJson: StoredJson<OrderTitle> = storedJson(
  'scan_orders.buyer_json',
  Type.Object({
    kind: Type.Enum(INVOICE_KINDS),
    buyerType: Type.Enum(BUYER_TYPES),
    name: S,
    taxId: opt(S),
    address: opt(S),
    phone: opt(S),
    bankName: opt(S),
    bankAccount: opt(S),
    email: opt(S),
    mobile: opt(S),
  }),
);

/** `scan_settings.allowed_kinds`. */
export const settingKindsJson: StoredJson<InvoiceKind[]> = storedJson('scan_settings.allowed_kinds', Kinds);

/** `scan_settings.preset_json`: the preset order (默认开票) of the static link. */
export const presetJson: StoredJson<Preset> = storedJson(
  'scan_settings.preset_json',
  Type.Object({
    lines: Type.Array(Type.Object({ ...lineFields, amount: opt(S) })),
    remark: opt(S),
    maxAmount: opt(S),
  }),
);

/** `scan_settings.limits_json`: the merchant's static-link limits (the defaults fill the rest). */
export const staticLimitsJson: StoredJson<Partial<StaticLimits>> = storedJson(
  'scan_settings.limits_json',
  Type.Object({
    settingPerMinute: opt(Type.Number()),
    settingPerDay: opt(Type.Number()),
    amountPerDay: opt(S),
    clientPerMinute: opt(Type.Number()),
    clientPerDay: opt(Type.Number()),
  }),
);
