/** Shapes and labels of the 收票 pages (lazy chunks only: nothing here is in the entry bundle). */
import { USAGE_STATUS_NAMES } from '@tax/usage-statuses';
import {
  RECEIVED_VERIFICATION_STATUSES,
  type ReceivedVerificationStatus,
  VERIFICATION_STATUS_NAMES,
} from '@tax/verification-statuses';

export interface ComplianceFinding {
  rule: string;
  level: 'block' | 'warn';
  outcome: 'pass' | 'fail' | 'skip';
  reason: string;
}

export interface VerificationHistoryEntry {
  at: string;
  status: string;
  message: string;
  mismatchField?: string;
  channel: string;
}

export interface ReceivedLine {
  name: string;
  spec?: string | null;
  unit?: string | null;
  quantity?: string | null;
  unitPrice?: string | null;
  amount?: string | null;
  taxRate?: string | null;
  taxAmount?: string | null;
}

/** 报销状态: the bills claiming an item and the voucher booking it (docs/assistant.md#bills). */
export interface ReceivedUsage {
  status: string;
  claimed: string;
  remaining: string | null;
  bills: Array<{ resource: string; billId: string; billNo: string | null; amount: string; status: string }>;
  voucher: { resource: string; vouchId: string; vouchNo: string | null } | null;
}

/** 报销状态 tags: the names are the domain's (src/tax/usage-statuses.ts), shared with 我的票夹. */
export const USAGE_LABELS: Record<string, { text: string; color: string }> = {
  unused: { text: USAGE_STATUS_NAMES.unused, color: 'default' },
  claimed: { text: USAGE_STATUS_NAMES.claimed, color: 'blue' },
  booked: { text: USAGE_STATUS_NAMES.booked, color: 'green' },
};

/** An item's 抵扣状态: 可勾选, 待查验, 已勾选 / 已抵扣 (period, tax), 不抵扣 (reason). */
export interface ReceivedDeduction {
  status: 'deductible' | 'unverified' | 'selected' | 'confirmed' | 'not_deductible';
  statusName: string;
  period: string | null;
  tax: string | null;
  reason: string | null;
  marked: boolean;
}

/** Tag colours of the 抵扣 column. */
export const DEDUCTION_TAG_COLORS: Record<ReceivedDeduction['status'], string> = {
  deductible: 'blue',
  unverified: 'default',
  selected: 'processing',
  confirmed: 'success',
  not_deductible: 'warning',
};

export interface ReceivedInvoice {
  id: string;
  sha256: string | null;
  fileName: string | null;
  source: string;
  broughtBy: string | null;
  /** The user's display name or the app's name; else `broughtBy` (a mail address). */
  broughtByName: string | null;
  buyerOrgId: string | null;
  kind: string;
  kindName: string;
  code: string | null;
  number: string | null;
  issueDate: string | null;
  checkCode: string | null;
  seller: { name: string | null; taxId: string | null };
  buyer: { name: string | null; taxId: string | null };
  totals: { amount: string | null; tax: string | null; total: string | null };
  lines: ReceivedLine[];
  remark: string | null;
  passenger: {
    name: string | null;
    idNumber: string | null;
    travelDate: string | null;
    from: string | null;
    to: string | null;
    trip: string | null;
    seatClass: string | null;
    fare: string | null;
    tax: string | null;
  } | null;
  extraction: {
    fieldSources: Record<string, string>;
    confidence: Record<string, number>;
    warnings: Array<{ code: string; message: string; field?: string } | string>;
  };
  verification: { status: string; checkedAt: string | null; history: VerificationHistoryEntry[] };
  compliance: { result: string; findings: ComplianceFinding[] };
  /** 抵扣状态 (docs/deduction.md#the-pool). */
  deduction?: ReceivedDeduction;
  duplicateOf: string | null;
  usageStatus: string;
  usage?: ReceivedUsage;
  createdAt: string;
  updatedAt: string;
}

export interface ReceivedFileItem {
  id: string;
  number: string | null;
  kind?: string;
  compliance?: { result: string };
}

export interface ReceivedFile {
  id: string;
  sha256: string;
  size: number;
  fileName: string;
  contentType: string;
  format?: string;
  source: string;
  broughtBy: string | null;
  /** The user's display name or the app's name; else `broughtBy` (a mail address). */
  broughtByName: string | null;
  /** ocr_pending: needed OCR while it was unavailable; read again later (`error` says why). */
  status: 'ok' | 'failed' | 'archive' | 'ocr_pending';
  note: string | null;
  error: { code: string; message: string } | null;
  /** ZIPs: each entry, stored as a file of its own or refused with its error. */
  entries: Array<{ name: string; fileId: string | null; error: { code: string; message: string } | null }> | null;
  items: ReceivedFileItem[];
  createdAt: string;
}

export const SOURCE_LABELS: Record<string, string> = {
  upload: '上传',
  mail: '邮件',
  manual: '手工录入',
  api: '接口',
  assistant: '发票助手',
};

const VERIFICATION_COLORS: Record<ReceivedVerificationStatus, string> = {
  pending: 'default',
  normal: 'success',
  red_reversed: 'magenta',
  partly_red: 'orange',
  void: 'error',
  not_found: 'error',
  mismatch: 'error',
  too_many_checks: 'warning',
  too_old: 'warning',
  failed: 'warning',
  unverifiable: 'default',
};

/** 查验 statuses: the names are the server's (`@tax/verification-statuses`), the colours the console's. */
export const VERIFICATION_LABELS: Record<string, { text: string; color: string }> = Object.fromEntries(
  RECEIVED_VERIFICATION_STATUSES.map((s) => [s, { text: VERIFICATION_STATUS_NAMES[s], color: VERIFICATION_COLORS[s] }]),
);

export const COMPLIANCE_LABELS: Record<string, { text: string; color: string }> = {
  pending: { text: '待检查', color: 'default' },
  pass: { text: '合规', color: 'success' },
  warn: { text: '提示', color: 'warning' },
  block: { text: '拦截', color: 'error' },
};

export const OUTCOME_LABELS: Record<string, { text: string; color: string }> = {
  pass: { text: '通过', color: 'success' },
  fail: { text: '未通过', color: 'error' },
  skip: { text: '跳过', color: 'default' },
};

export const FIELD_SOURCE_LABELS: Record<string, string> = {
  xml: 'XML',
  ofd: 'OFD',
  'pdf-text': 'PDF 文字层',
  qr: '二维码',
  ocr: 'OCR 识别',
  verification: '查验结果',
  manual: '手工录入',
};

/** The file endpoint of an item (the original bytes, as received). */
export const itemFileUrl = (id: string) => `/api/v1/received-invoices/${encodeURIComponent(id)}/file`;
