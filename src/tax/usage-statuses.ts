/**
 * The usage statuses (报销状态) of a received invoice, their Chinese names, and how the status follows from what the
 * bills and vouchers say about it: the one definition the pool, its export, the employee's folder and the console
 * (through `@tax`) all use. Pure; docs/assistant.md#bills.
 */

/** `unused` 未报销; `claimed` 已报销 (bound to at least one bill); `booked` 已入账 (a voucher books it). */
export const USAGE_STATUSES = ['unused', 'claimed', 'booked'] as const;
export type UsageStatus = (typeof USAGE_STATUSES)[number];

/** Chinese names of the usage statuses (pool, folder, export, console). */
export const USAGE_STATUS_NAMES: Readonly<Record<UsageStatus, string>> = {
  unused: '未报销',
  claimed: '已报销',
  booked: '已入账',
};

/** Chinese name of a usage status (the raw status when unknown). */
export function usageStatusName(status: string): string {
  return (USAGE_STATUS_NAMES as Readonly<Record<string, string>>)[status] ?? status;
}

/**
 * The usage status an invoice has, from its bindings and booking: booked when a voucher books it (whether or not a
 * bill still binds it), claimed while any bill binds it, else unused.
 */
export function usageStatusOf(facts: { readonly booked: boolean; readonly billCount: number }): UsageStatus {
  if (facts.booked) return 'booked';
  return facts.billCount > 0 ? 'claimed' : 'unused';
}

/** Whether an invoice in this status may be deleted from the pool (only while nothing refers to it). */
export function usageAllowsDelete(status: string): boolean {
  return status === 'unused';
}
