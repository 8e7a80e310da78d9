import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Space, Table } from 'antd';
import { Link } from 'react-router';
import { get } from '../../api';
import { PageState } from '../../components/PageState';
import { dateTime } from '../../format';
import { billPath, type VoucherView } from './bills-api';
import { invoiceRefColumns } from './list-parts';

type VoucherInvoice = VoucherView['invoices'][number];

/** A voucher (凭证): its fields and the invoices it books, with the bill each came through. */
export default function VoucherPage({ resource, vouchId }: { resource: string; vouchId: string }) {
  const q = useQuery({
    queryKey: ['/api/v1/vouchers', resource, vouchId],
    queryFn: () => get<VoucherView>(`/api/v1/vouchers/${encodeURIComponent(resource)}/${encodeURIComponent(vouchId)}`),
  });
  const v = q.data;
  return (
    <PageState loading={q.isLoading} error={q.error} onRetry={() => void q.refetch()}>
      {v && (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Card title={`凭证 ${v.vouchNo ?? v.vouchId}`} data-testid="voucher-detail">
            <Descriptions column={3} size="small">
              <Descriptions.Item label="业务系统">{v.resource}</Descriptions.Item>
              <Descriptions.Item label="凭证 ID">{v.vouchId}</Descriptions.Item>
              <Descriptions.Item label="凭证号">{v.vouchNo ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="记账期间">{v.accountDate ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="记账时间">{v.accountTime ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="业务日期">{v.businessDate ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="发票数">{v.invoiceCount}</Descriptions.Item>
              <Descriptions.Item label="更新时间">{dateTime(v.updatedAt)}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card title="入账发票">
            <Table
              data-testid="voucher-invoices"
              rowKey="invoiceId"
              dataSource={v.invoices}
              pagination={false}
              scroll={{ x: 'max-content' }}
              columns={[
                ...invoiceRefColumns<VoucherInvoice>(),
                {
                  key: 'bill',
                  title: '单据',
                  render: (_, r) =>
                    r.billId ? <Link to={billPath(v.resource, r.billId)}>{r.billNo ?? r.billId}</Link> : '—',
                },
              ]}
            />
          </Card>
        </Space>
      )}
    </PageState>
  );
}
