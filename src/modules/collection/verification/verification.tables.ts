/**
 * The verification history of received invoices (migration 0020): one row per 查验 answer — or per refusal to ask
 * (`unverifiable`) or channel failure (`failed`) — of an item. The item's current status is
 * `received_invoices.verification_status`; this is how it got there.
 */
export interface ReceivedVerificationTable {
  id: string;
  tenant_id: string;
  received_id: string;
  /** Epoch ms. */
  at: number;
  /** A VerificationStatus of the channel, or `unverifiable` / `failed`. */
  status: string;
  /** Chinese, from the platform or ours. */
  message: string;
  /** issueDate | total | amount | checkCode, for `mismatch`. */
  mismatch_field: string | null;
  /** Provider name (`sandbox`). */
  channel: string;
}

export interface ReceivedVerificationTables {
  received_verifications: ReceivedVerificationTable;
}
