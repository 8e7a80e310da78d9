/**
 * What the 报销 pages share: the invoice columns of a bill's and a voucher's invoice table, and the columns and
 * filters of the bill and voucher lists that are the same on both.
 */
import { Form, Input } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';
import { dateTime, money } from '../../format';
import type { InvoiceSummary } from './bills-api';

/** A row that refers to an invoice of the pool (a bill's or a voucher's). */
interface InvoiceRef {
  invoiceId: string;
  invoice: InvoiceSummary | null;
}

/** 发票号码 (a link to the item in 进项发票), 票种, 开票日期, 销售方, 价税合计. */
export function invoiceRefColumns<T extends InvoiceRef>(): ColumnsType<T> {
  return [
    {
      key: 'number',
      title: '发票号码',
      render: (_, r) => (
        <Link to={`/received/invoices/${encodeURIComponent(r.invoiceId)}`}>{r.invoice?.number ?? r.invoiceId}</Link>
      ),
    },
    { key: 'kind', title: '票种', render: (_, r) => r.invoice?.kindName ?? '—' },
    { key: 'issueDate', title: '开票日期', render: (_, r) => r.invoice?.issueDate ?? '—' },
    { key: 'seller', title: '销售方', render: (_, r) => r.invoice?.sellerName ?? '—' },
    { key: 'total', title: '价税合计', align: 'right', render: (_, r) => money(r.invoice?.total) },
  ];
}

/** The list columns a bill and a voucher both have: 业务系统, 发票数, 更新时间. */
export const listColumns = {
  resource: { key: 'resource', title: '业务系统', dataIndex: 'resource' },
  invoiceCount: { key: 'invoiceCount', title: '发票数', dataIndex: 'invoiceCount', align: 'right' },
  updatedAt: { key: 'updatedAt', title: '更新时间', dataIndex: 'updatedAt', render: dateTime, width: 170 },
} as const;

/** The 业务系统 filter (first on both lists). */
export function ResourceField() {
  return (
    <Form.Item name="resource" label="业务系统">
      <Input allowClear style={{ width: 140 }} maxLength={50} />
    </Form.Item>
  );
}

/** The 发票 ID filter (last on both lists): the bills or vouchers of one invoice. */
export function InvoiceIdField() {
  return (
    <Form.Item name="invoiceId" label="发票 ID">
      <Input allowClear style={{ width: 220 }} maxLength={64} />
    </Form.Item>
  );
}
