import { Form, Input, Select, Tag, Tooltip } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useNavigate } from 'react-router';
import { FilteredList } from '../../components/FilteredList';
import { money } from '../../format';
import { BILL_STATUS_LABELS, type BillSummary, billPath } from './bills-api';
import { InvoiceIdField, listColumns, ResourceField } from './list-parts';

const FILTER_KEYS = ['resource', 'billNo', 'status', 'alerted', 'invoiceId'] as const;

/** Fixed, so the list cuts them once (FilteredList memoizes on them). */
const COLUMNS: ColumnsType<BillSummary> = [
  { key: 'billNo', title: '单据编号', render: (_, r) => r.billNo ?? r.billId, width: 180 },
  listColumns.resource,
  { key: 'billType', title: '单据类型', dataIndex: 'billType', render: (v) => v ?? '—' },
  {
    key: 'status',
    title: '状态',
    render: (_, r) => <Tag color={BILL_STATUS_LABELS[r.status]?.color}>{r.statusName}</Tag>,
  },
  listColumns.invoiceCount,
  { key: 'claimed', title: '报销金额', align: 'right', render: (_, r) => money(r.claimed) },
  {
    key: 'alerts',
    title: '提醒',
    render: (_, r) =>
      r.alerts.length ? (
        <Tooltip title={r.alerts.map((a) => a.message).join('；')}>
          <Tag color="red" data-testid="bill-alert">
            {r.alerts.length} 张发票异常
          </Tag>
        </Tooltip>
      ) : (
        '—'
      ),
  },
  listColumns.updatedAt,
];

/** 单据: the expense systems' bills (billSave), with their status, claimed amount and alerts. */
export default function BillsPage() {
  const navigate = useNavigate();
  return (
    <FilteredList<BillSummary>
      title="单据"
      path="/api/v1/bills"
      rowKey="billId"
      testId="bills"
      columns={COLUMNS}
      filterKeys={FILTER_KEYS}
      emptyText="没有符合条件的单据"
      onRowClick={(r) => void navigate(billPath(r.resource, r.billId))}
      fields={
        <>
          <ResourceField />
          <Form.Item name="billNo" label="单据编号">
            <Input allowClear style={{ width: 180 }} maxLength={100} />
          </Form.Item>
          <Form.Item name="status" label="状态">
            <Select
              allowClear
              style={{ width: 100 }}
              options={Object.entries(BILL_STATUS_LABELS).map(([value, l]) => ({ value, label: l.text }))}
            />
          </Form.Item>
          <Form.Item name="alerted" label="提醒">
            <Select allowClear style={{ width: 140 }} options={[{ value: 'true', label: '有发票红冲/作废' }]} />
          </Form.Item>
          <InvoiceIdField />
        </>
      }
    />
  );
}
