/** The JSON columns of bills and their bindings (platform/stored-json.ts). */
import { type Static, Type } from 'typebox';
import { storedJson } from '../../../platform/stored-json.js';

/** An invoice of the bill found red-reversed or void after it was bound. */
export const BillAlertSchema = Type.Object({ invoiceId: Type.String(), status: Type.String(), at: Type.Number() });
export type BillAlert = Static<typeof BillAlertSchema>;

export const billAlertsJson = storedJson('bills.alerts_json', Type.Array(BillAlertSchema));

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
/** The bill's cover (封面) as the expense system sent it. */
export const CoverSchema = Type.Array(Type.Record(Type.String(), Scalar));
export const billCoverJson = storedJson('bills.cover_json', CoverSchema);

/** The expense system's own data of a binding (`extInfo`). */
export const billExtJson = storedJson('bill_invoices.ext_json', Type.Record(Type.String(), Type.String()));
