/**
 * The verification (查验) statuses of a received invoice and their Chinese names: the one list the pool's API, its
 * export, the compliance reasons and the console (through `@tax`) all use. Pure.
 */

/**
 * `pending` until verified; the platform's answers (正常 `normal`, 已红冲 … — the channel's `VERIFICATION_STATUSES`);
 * `failed` (channel errors after retries) and `unverifiable` (inputs missing).
 */
export const RECEIVED_VERIFICATION_STATUSES = [
  'pending',
  'normal',
  'red_reversed',
  'partly_red',
  'void',
  'not_found',
  'mismatch',
  'too_many_checks',
  'too_old',
  'failed',
  'unverifiable',
] as const;
export type ReceivedVerificationStatus = (typeof RECEIVED_VERIFICATION_STATUSES)[number];

/** Chinese names of the statuses (UI, export, event data, compliance reasons). */
export const VERIFICATION_STATUS_NAMES: Readonly<Record<ReceivedVerificationStatus, string>> = {
  pending: '待查验',
  normal: '正常',
  red_reversed: '已红冲',
  partly_red: '部分红冲',
  void: '作废',
  not_found: '查无此票',
  mismatch: '不一致',
  too_many_checks: '超过查验次数',
  too_old: '超过五年',
  failed: '查验失败',
  unverifiable: '无法查验',
};

/** Chinese name of a verification status (the raw status when unknown). */
export function verificationStatusName(status: string): string {
  return (VERIFICATION_STATUS_NAMES as Readonly<Record<string, string>>)[status] ?? status;
}

/**
 * The statuses a later verification can still change on the platform: 正常 may since be red-reversed or voided, 部分红冲
 * reversed further. Only these are re-verified when their verification grows old (the assistant's import); the other
 * verdicts (已红冲, 作废, 查无此票 …) are final, and the provisional ones are retried by their own jobs.
 */
export const REVERIFIED_STATUSES: readonly ReceivedVerificationStatus[] = ['normal', 'partly_red'];

/** Whether an item verified with `status` is re-verified once that verification is old ({@link REVERIFIED_STATUSES}). */
export function isReverified(status: string): boolean {
  return (REVERIFIED_STATUSES as readonly string[]).includes(status);
}
