import { Form, Input } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useNavigate } from 'react-router';
import { FilteredList } from '../../components/FilteredList';
import { dateTime } from '../../format';
import { type VoucherSummary, voucherPath } from './bills-api';

const FILTER_KEYS = ['resource', 'vouchNo', 'accountDate', 'invoiceId'] as const;

/** 凭证: vouchers booking invoices (voucherSave). */
export default function VouchersPage() {
  const navigate = useNavigate();
  const columns: ColumnsType<VoucherSummary> = [
    { key: 'vouchNo', title: '凭证号', render: (_, r) => r.vouchNo ?? r.vouchId, width: 160 },
    { key: 'resource', title: '业务系统', dataIndex: 'resource' },
    { key: 'accountDate', title: '记账期间', dataIndex: 'accountDate', render: (v) => v ?? '—' },
    { key: 'businessDate', title: '业务日期', dataIndex: 'businessDate', render: (v) => v ?? '—' },
    { key: 'invoiceCount', title: '发票数', dataIndex: 'invoiceCount', align: 'right' },
    { key: 'updatedAt', title: '更新时间', dataIndex: 'updatedAt', render: dateTime, width: 170 },
  ];
  return (
    <FilteredList<VoucherSummary>
      title="凭证"
      path="/api/v1/vouchers"
      rowKey="vouchId"
      testId="vouchers"
      columns={columns}
      filterKeys={FILTER_KEYS}
      emptyText="没有符合条件的凭证"
      onRowClick={(r) => void navigate(voucherPath(r.resource, r.vouchId))}
      fields={
        <>
          <Form.Item name="resource" label="业务系统">
            <Input allowClear style={{ width: 140 }} maxLength={50} />
          </Form.Item>
          <Form.Item name="vouchNo" label="凭证号">
            <Input allowClear style={{ width: 160 }} maxLength={100} />
          </Form.Item>
          <Form.Item name="accountDate" label="记账期间">
            <Input allowClear style={{ width: 120 }} maxLength={10} placeholder="YYYY-MM" />
          </Form.Item>
          <Form.Item name="invoiceId" label="发票 ID">
            <Input allowClear style={{ width: 220 }} maxLength={64} />
          </Form.Item>
        </>
      }
    />
  );
}
