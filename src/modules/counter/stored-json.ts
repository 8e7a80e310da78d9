/** The JSON columns of the counter tables, one codec per stored shape (platform/stored-json.ts). */
import { type TSchema, Type } from 'typebox';
import { type StoredJson, storedJson } from '../../platform/stored-json.js';
import { INVOICE_KINDS } from '../../tax/index.js';
import type { InvoiceRequestData } from '../invoicing/index.js';
import { ENTRY_MODES } from './counter.tables.js';
import type { CounterLimits } from './rate-limit.js';
import type { ReservationConfig, ReservationEntry } from './reservation-config.js';

const opt = <S extends TSchema>(schema: S) => Type.Optional(schema);
const S = Type.String();

export const reservationConfigJson: StoredJson<ReservationConfig> = storedJson(
  'counter_reservation_qrs.config_json',
  Type.Object({
    allowedKinds: Type.Array(Type.Enum(INVOICE_KINDS)),
    items: Type.Array(Type.Object({ name: S, taxCode: S, taxRate: S, unit: opt(S), spec: opt(S), unitPrice: opt(S) })),
    entryMode: Type.Enum(ENTRY_MODES),
    fixedAmount: Type.Union([S, Type.Null()]),
    remarkFields: Type.Array(Type.Object({ label: S, required: opt(Type.Boolean()) })),
    expiryHours: Type.Integer(),
  }),
);

export const reservationLimitsJson: StoredJson<Partial<CounterLimits>> = storedJson(
  'counter_reservation_qrs.limits_json',
  Type.Object({
    clientPerMinute: opt(Type.Integer()),
    clientPerDay: opt(Type.Integer()),
    qrPerMinute: opt(Type.Integer()),
    qrPerDay: opt(Type.Integer()),
  }),
);

export const reservationEntryJson: StoredJson<ReservationEntry> = storedJson(
  'counter_reservations.entry_json',
  Type.Object({
    amount: opt(S),
    quantity: opt(S),
    unitPrice: opt(S),
    remarks: Type.Array(Type.Object({ label: S, value: S })),
  }),
);

/** The submitted title: the scan pages' OrderTitle shape. */
export interface StoredTitle {
  kind: string;
  buyerType: string;
  name: string;
  taxId?: string;
  address?: string;
  phone?: string;
  bankName?: string;
  bankAccount?: string;
  email?: string;
  mobile?: string;
}

export const reservationTitleJson: StoredJson<StoredTitle> = storedJson(
  'counter_reservations.buyer_json',
  Type.Object({
    kind: S,
    buyerType: S,
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

/** The lines the clerk issued with (the invoice request's lines) and the remark. */
export interface IssuedContent {
  kind: string;
  lines: InvoiceRequestData['lines'];
  remark?: string;
}

export const reservationLinesJson: StoredJson<IssuedContent> = storedJson(
  'counter_reservations.lines_json',
  Type.Object({
    kind: S,
    lines: Type.Array(Type.Record(S, Type.Unknown())) as unknown as TSchema,
    remark: opt(S),
  }) as unknown as TSchema,
) as StoredJson<IssuedContent>;
