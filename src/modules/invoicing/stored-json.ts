/**
 * The JSON columns of `invoices`, one codec per stored shape (platform/stored-json.ts): decoding checks the shape, so
 * a corrupt row fails with an error naming `invoices.<column>` instead of being cast. The schemas check types only
 * (no lengths or patterns): rows were validated when written, and a limit tightened later must not break old rows.
 */
import { type Static, type TSchema, Type } from 'typebox';
import { type StoredJson, storedJson } from '../../platform/stored-json.js';
import {
  type ComputedInvoice,
  INVOICE_KINDS,
  LINE_NATURES,
  TAX_POLICY_FLAGS,
  TAX_TREATMENTS,
} from '../../tax/index.js';
import type { InvoiceRequestData } from './invoice-draft.js';
import type { RedRequestData } from './red-draft.js';

const opt = <S extends TSchema>(schema: S) => Type.Optional(schema);
const S = Type.String();
const N = Type.Number();
const B = Type.Boolean();
const Kind = Type.Enum(INVOICE_KINDS);
const LineNature = Type.Enum(LINE_NATURES);

/** A party's optional fields besides its name (tax id, address, phone, bank), each of the given schema. */
const partyFields = <T extends TSchema>(value: T) => ({
  taxId: opt(value),
  address: opt(value),
  phone: opt(value),
  bankName: opt(value),
  bankAccount: opt(value),
});

/** `invoices.buyer_json`: the request's buyer with its delivery contacts (and the parties' common fields). */
const StoredPartySchema = Type.Object({
  name: S,
  ...partyFields(Type.Union([S, Type.Null()])),
  naturalPerson: opt(B),
  email: opt(S),
  mobile: opt(S),
});

/** A party as stored: name, ids and contacts (absent or null when not given). */
export type StoredParty = Static<typeof StoredPartySchema>;

const nullable = Type.Union([S, Type.Null()]);

/** `invoices.seller_json`: the seller org as it was when the request was accepted. */
const StoredSellerSchema = Type.Object({
  taxId: S,
  name: S,
  address: nullable,
  phone: nullable,
  bankName: nullable,
  bankAccount: nullable,
  regionCode: nullable,
});

/** The seller snapshot of an invoice. */
export type StoredSeller = Static<typeof StoredSellerSchema>;

const Totals = Type.Object({ amount: S, tax: S, total: S });

const RequestBuyer = Type.Object({
  name: S,
  ...partyFields(S),
  naturalPerson: opt(B),
  email: opt(S),
  mobile: opt(S),
});

const RequestLine = Type.Object({
  name: S,
  taxCode: S,
  spec: opt(S),
  unit: opt(S),
  quantity: opt(S),
  unitPrice: opt(S),
  amount: S,
  taxRate: S,
  taxAmount: opt(S),
  priceIncludesTax: opt(B),
  lineNature: opt(LineNature),
  taxPolicyFlag: opt(S),
});

const requestFields = {
  kind: Kind,
  seller: Type.Object({ taxId: S }),
  buyer: RequestBuyer,
  lines: Type.Array(RequestLine),
  totals: opt(Totals),
  remark: opt(S),
  drawer: opt(S),
  businessSystemCode: opt(S),
};

/** `invoices.request_json` of a blue request: the request body without its serial number. */
const InvoiceRequestSchema = Type.Object(requestFields);

const RedLineSchema = Type.Object({
  blueLineNo: N,
  amount: S,
  tax: S,
  amountFen: N,
  taxFen: N,
  quantity: opt(S),
  unitPrice: opt(S),
});

/** `invoices.request_json` of a red request: the red draft, its reason and the planned red lines. */
const RedRequestSchema = Type.Object({
  ...requestFields,
  redSerialNo: S,
  reason: S,
  redLines: Type.Array(RedLineSchema),
});

const ComputedLine = Type.Object({
  lineNo: N,
  name: S,
  renderedName: S,
  shortName: S,
  taxCode: S,
  spec: opt(S),
  unit: opt(S),
  taxRate: S,
  taxRateLabel: S,
  taxLabel: S,
  taxTreatment: Type.Enum(TAX_TREATMENTS),
  taxPolicyFlag: opt(Type.Enum(TAX_POLICY_FLAGS)),
  lineNature: LineNature,
  lineNatureCode: Type.Enum(['00', '01', '02']),
  priceIncludesTax: B,
  amount: S,
  tax: S,
  total: S,
  amountFen: N,
  taxFen: N,
  totalFen: N,
  computedTax: S,
  quantity: opt(S),
  unitPrice: opt(S),
  unitPriceIncludingTax: opt(S),
});

/** `invoices.computed_json`: the tax library's ComputedInvoice. */
const ComputedInvoiceSchema = Type.Object({
  kind: Kind,
  kindName: S,
  isSpecial: B,
  isDigital: B,
  isRed: B,
  seller: Type.Object({ taxId: S, name: opt(S) }),
  buyer: Type.Object({
    name: S,
    ...partyFields(S),
    naturalPerson: B,
    displayName: S,
  }),
  lines: Type.Array(ComputedLine),
  totals: Type.Object({ amount: S, tax: S, total: S, amountFen: N, taxFen: N, totalFen: N, totalInWords: S }),
  remark: opt(S),
  listRequired: B,
});

// The declared types are checked against the schemas: a decoded value must be a value of the declared type.
export const computedInvoiceJson: StoredJson<ComputedInvoice> = storedJson(
  'invoices.computed_json',
  ComputedInvoiceSchema,
);
// InvoiceRequestData comes from the request body's schema, whose `kind` (a union built from an array) types as never:
// the request codecs are checked without `kind`, which the schemas below do check at run time.
const requestCodec = <S extends TSchema, T>(
  schema: S,
  _check: (decoded: Omit<Static<S>, 'kind'>) => Omit<T, 'kind'>,
): StoredJson<T> => storedJson('invoices.request_json', schema) as unknown as StoredJson<T>;
export const invoiceRequestJson = requestCodec<typeof InvoiceRequestSchema, InvoiceRequestData>(
  InvoiceRequestSchema,
  (d) => d,
);
export const redRequestJson = requestCodec<typeof RedRequestSchema, RedRequestData>(RedRequestSchema, (d) => d);
export const sellerJson = storedJson('invoices.seller_json', StoredSellerSchema);
export const buyerJson = storedJson('invoices.buyer_json', StoredPartySchema);

/** The computed invoice of a row. */
export const decodeComputedInvoice = (text: string): ComputedInvoice => computedInvoiceJson.decode(text);
/** The request data of a blue request's row. */
export const decodeInvoiceRequest = (text: string): InvoiceRequestData => invoiceRequestJson.decode(text);
/** The request data of a red request's row. */
export const decodeRedRequest = (text: string): RedRequestData => redRequestJson.decode(text);
/** The seller snapshot of a row. */
export const decodeStoredSeller = (text: string): StoredSeller => sellerJson.decode(text);
/** The buyer of a row, with the delivery contacts of the request. */
export const decodeStoredBuyer = (text: string): StoredParty => buyerJson.decode(text);
