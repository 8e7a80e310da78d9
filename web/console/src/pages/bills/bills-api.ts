/** Shapes and labels of the 报销 pages (lazy chunks only). */

export interface InvoiceSummary {
  kind: string;
  kindName: string;
  code: string | null;
  number: string | null;
  issueDate: string | null;
  sellerName: string | null;
  sellerTaxId: string | null;
  buyerName: string | null;
  total: string | null;
  verificationStatus: string;
  complianceResult: string;
  usageStatus: string;
}

export interface BillSummary {
  resource: string;
  billId: string;
  billNo: string | null;
  billType: string | null;
  billTaxNo: string | null;
  status: string;
  statusName: string;
  alerts: Array<{ invoiceId: string; status: string; message: string; at: string }>;
  invoiceCount: number;
  claimed: string;
  createdAt: string;
  updatedAt: string;
}

export interface BillView extends BillSummary {
  invoices: Array<{
    invoiceId: string;
    amount: string;
    deductionFlag: string | null;
    deductionTaxAmount: string | null;
    outputAmount: string | null;
    remark: string | null;
    entryId: string | null;
    extInfo: Record<string, string> | null;
    invoice: InvoiceSummary | null;
    voucher: { resource: string; vouchId: string; vouchNo: string | null } | null;
  }>;
}

export interface VoucherSummary {
  resource: string;
  vouchId: string;
  vouchNo: string | null;
  accountDate: string | null;
  accountTime: string | null;
  businessDate: string | null;
  invoiceCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface VoucherView extends VoucherSummary {
  invoices: Array<{ invoiceId: string; billId: string | null; billNo: string | null; invoice: InvoiceSummary | null }>;
}

export const BILL_STATUS_LABELS: Record<string, { text: string; color: string }> = {
  unused: { text: '未用', color: 'default' },
  in_use: { text: '在用', color: 'blue' },
  used: { text: '已用', color: 'green' },
};

export const billPath = (resource: string, billId: string) =>
  `/bills/${encodeURIComponent(resource)}/${encodeURIComponent(billId)}`;
export const voucherPath = (resource: string, vouchId: string) =>
  `/vouchers/${encodeURIComponent(resource)}/${encodeURIComponent(vouchId)}`;
