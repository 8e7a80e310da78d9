import { Type } from 'typebox';
import { type StoredJson, storedJson } from '../../../platform/stored-json.js';
import type { ChannelRedLine } from '../issuing-channel.js';
import type { VerifiedInvoiceLine } from '../verification-channel.js';
import type { LedgerLine } from './ledger-rows.js';

const nullableString = Type.Union([Type.String(), Type.Null()]);

/** `sandbox_ledger.lines_json`: an issued invoice's lines as the simulated platform keeps them. */
export const ledgerLinesJson: StoredJson<LedgerLine[]> = storedJson(
  'sandbox_ledger.lines_json',
  Type.Array(
    Type.Object({
      lineNo: Type.Number(),
      name: Type.String(),
      taxCode: Type.String(),
      taxRate: Type.String(),
      quantity: nullableString,
      amountFen: Type.Number(),
      taxFen: Type.Number(),
    }),
  ),
);

/** `sandbox_red_forms.lines_json`: the red lines of a red-letter form. */
export const redFormLinesJson: StoredJson<ChannelRedLine[]> = storedJson(
  'sandbox_red_forms.lines_json',
  Type.Array(
    Type.Object({
      blueLineNo: Type.Number(),
      quantity: nullableString,
      amount: Type.String(),
      taxAmount: Type.String(),
    }),
  ),
);

/** `sandbox_verify_imports.lines_json`: the lines of an imported invoice, as 查验 answers them. */
export const importLinesJson: StoredJson<VerifiedInvoiceLine[]> = storedJson(
  'sandbox_verify_imports.lines_json',
  Type.Array(
    Type.Object({
      name: Type.String(),
      spec: nullableString,
      unit: nullableString,
      quantity: nullableString,
      unitPrice: nullableString,
      amount: Type.String(),
      taxRate: nullableString,
      taxAmount: Type.String(),
    }),
  ),
);
