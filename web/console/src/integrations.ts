/** Labels shared by the 集成 pages. */

export const EVENT_LABELS: Record<string, string> = {
  'invoice.issued': '发票已开具',
  'invoice.failed': '开票失败',
  'invoice.reversed': '发票已红冲',
  'order.submitted': '扫码订单已提交',
  'order.invoiced': '扫码订单已开票',
  'order.withdrawn': '扫码订单已撤回',
};

export const DELIVERY_STATUSES: Record<string, { text: string; color: string }> = {
  pending: { text: '待推送', color: 'default' },
  retrying: { text: '重试中', color: 'warning' },
  delivered: { text: '已送达', color: 'success' },
  dead: { text: '已放弃', color: 'error' },
};

/** How long the old secret keeps working after a rotation (the API's overlapSeconds). */
export const OVERLAP_OPTIONS = [
  { value: 0, label: '立即失效' },
  { value: 3600, label: '1 小时' },
  { value: 86_400, label: '24 小时' },
  { value: 7 * 86_400, label: '7 天' },
];
