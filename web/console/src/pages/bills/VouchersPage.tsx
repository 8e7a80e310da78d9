import { Form, Input } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useNavigate } from 'react-router';
import { FilteredList } from '../../components/FilteredList';
import { type VoucherSummary, voucherPath } from './bills-api';
import { InvoiceIdField, listColumns, ResourceField } from './list-parts';

const FILTER_KEYS = ['resource', 'vouchNo', 'accountDate', 'invoiceId'] as const;

/** Fixed, so the list cuts them once (FilteredList memoizes on them). */
const COLUMNS: ColumnsType<VoucherSummary> = [
  { key: 'vouchNo', title: '凭证号', render: (_, r) => r.vouchNo ?? r.vouchId, width: 160 },
  listColumns.resource,
  { key: 'accountDate', title: '记账期间', dataIndex: 'accountDate', render: (v) => v ?? '—' },
  { key: 'businessDate', title: '业务日期', dataIndex: 'businessDate', render: (v) => v ?? '—' },
  listColumns.invoiceCount,
  listColumns.updatedAt,
];

/** 凭证: vouchers booking invoices (voucherSave). */
export default function VouchersPage() {
  const navigate = useNavigate();
  return (
    <FilteredList<VoucherSummary>
      title="凭证"
      path="/api/v1/vouchers"
      rowKey="vouchId"
      testId="vouchers"
      columns={COLUMNS}
      filterKeys={FILTER_KEYS}
      emptyText="没有符合条件的凭证"
      onRowClick={(r) => void navigate(voucherPath(r.resource, r.vouchId))}
      fields={
        <>
          <ResourceField />
          <Form.Item name="vouchNo" label="凭证号">
            <Input allowClear style={{ width: 160 }} maxLength={100} />
          </Form.Item>
          <Form.Item name="accountDate" label="记账期间">
            <Input allowClear style={{ width: 120 }} maxLength={10} placeholder="YYYY-MM" />
          </Form.Item>
          <InvoiceIdField />
        </>
      }
    />
  );
}
