import { getInvoiceKindInfo, isInvoiceKind } from '@tax/invoice-kinds';

/** "12345.6" → "12,345.60" without floats: decimal strings stay strings. */
export function money(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const negative = value.startsWith('-');
  const [int = '0', frac = ''] = (negative ? value.slice(1) : value).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}.${(`${frac}00`).slice(0, 2)}`;
}

export const yuan = (value: string | null | undefined) => `¥${money(value)}`;

export function kindName(kind: string): string {
  return isInvoiceKind(kind) ? getInvoiceKindInfo(kind).shortName : kind;
}

export const STATUS_LABELS: Record<string, { text: string; color: string }> = {
  pending: { text: '待开具', color: 'default' },
  issuing: { text: '开具中', color: 'processing' },
  issued: { text: '已开具', color: 'success' },
  failed: { text: '开具失败', color: 'error' },
  cancelled: { text: '已取消', color: 'default' },
  red_pending: { text: '红冲中', color: 'warning' },
  reversed: { text: '已红冲', color: 'magenta' },
  partially_reversed: { text: '部分红冲', color: 'orange' },
};

export const ORIGIN_LABELS: Record<string, string> = {
  direct: '开票接口/控制台',
  scan_order: '扫码开票',
  counter_reservation: '预约开票',
};

export const ORDER_STATUS_LABELS: Record<string, string> = {
  open: '待提交',
  submitted: '已提交',
  invoicing: '开票中',
  invoiced: '已开票',
  failed: '失败',
  withdrawn: '已撤回',
  expired: '已过期',
};

/** ISO time with offset → "2025-06-01 10:00:00" (China time, as the API sends it). */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').slice(0, 19);
}
