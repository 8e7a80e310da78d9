/** Shapes, labels and the upload call of the 收票 pages (lazy chunks only: nothing here is in the entry bundle). */
import { api } from '../../api';

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

export interface ReceivedInvoice {
  id: string;
  sha256: string | null;
  fileName: string | null;
  source: string;
  broughtBy: string | null;
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
  duplicateOf: string | null;
  usageStatus: string;
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
  status: 'ok' | 'failed' | 'archive';
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

export const VERIFICATION_LABELS: Record<string, { text: string; color: string }> = {
  pending: { text: '待查验', color: 'default' },
  normal: { text: '正常', color: 'success' },
  red_reversed: { text: '已红冲', color: 'magenta' },
  partly_red: { text: '部分红冲', color: 'orange' },
  void: { text: '作废', color: 'error' },
  not_found: { text: '查无此票', color: 'error' },
  mismatch: { text: '不一致', color: 'error' },
  too_many_checks: { text: '超过查验次数', color: 'warning' },
  too_old: { text: '超过五年', color: 'warning' },
  failed: { text: '查验失败', color: 'warning' },
  unverifiable: { text: '无法查验', color: 'default' },
};

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

/** Uploads files as multipart (`file` parts) through the console's API client (CSRF, refusals, an ended session). */
export function uploadReceivedFiles(
  files: File[],
  extra: Record<string, string> = {},
): Promise<{ items: ReceivedInvoice[] }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(extra)) if (v) form.append(k, v);
  for (const f of files) form.append('file', f, f.name);
  return api<{ items: ReceivedInvoice[] }>('POST', '/api/v1/received-invoices', form);
}

/** The file endpoint of an item (the original bytes, as received). */
export const itemFileUrl = (id: string) => `/api/v1/received-invoices/${encodeURIComponent(id)}/file`;
