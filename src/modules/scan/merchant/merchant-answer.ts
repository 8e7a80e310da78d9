import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { Kind, LineInput, TotalsInput } from '../../invoicing/index.js';

/**
 * The merchant's answer to `GET.ORDER` (docs/scan.md "Order query"): `code` "0" with the order in `data`,
 * "404" when the order does not exist; anything else (or any other shape) is a bad answer.
 */
export const MerchantOrderAnswer = Type.Object({
  code: Type.String({ maxLength: 20 }),
  message: Type.Optional(Type.String({ maxLength: 500 })),
  data: Type.Optional(
    Type.Object({
      orderNo: Type.String({ minLength: 1, maxLength: 64 }),
      sellerTaxId: Type.String({ minLength: 15, maxLength: 20 }),
      invoiceKind: Type.Optional(Kind),
      allowedKinds: Type.Optional(Type.Array(Kind, { minItems: 1, maxItems: 9 })),
      lines: Type.Array(LineInput, { minItems: 1, maxItems: 2000 }),
      totals: Type.Optional(TotalsInput),
      remark: Type.Optional(Type.String({ maxLength: 450 })),
      /** Kingdee `cancalState`: the merchant cancelled the order. */
      cancelled: Type.Optional(Type.Boolean()),
      notify: Type.Optional(
        Type.Object({
          email: Type.Optional(Type.String({ maxLength: 200 })),
          mobile: Type.Optional(Type.String({ maxLength: 11, pattern: '^1\\d{10}$' })),
        }),
      ),
    }),
  ),
});

export type MerchantOrderAnswerData = NonNullable<Static<typeof MerchantOrderAnswer>['data']>;

const check = Compile(MerchantOrderAnswer);

/** Parses and validates the answer's JSON text; null when it is not a valid answer. */
export function parseMerchantAnswer(text: string): Static<typeof MerchantOrderAnswer> | null {
  try {
    const value: unknown = JSON.parse(text);
    return check.Check(value) ? (value as Static<typeof MerchantOrderAnswer>) : null;
  } catch {
    return null;
  }
}
