import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Descriptions, Space, Table, Tag } from 'antd';
import { Link } from 'react-router';
import { get } from '../../api';
import { PageState } from '../../components/PageState';
import { dateTime, money } from '../../format';
import { BILL_STATUS_LABELS, type BillView, voucherPath } from './bills-api';
import { invoiceRefColumns } from './list-parts';

type BillInvoice = BillView['invoices'][number];

/** A bill (单据): its fields, status, alerts, and the invoices it claims with the amounts. */
export default function BillPage({ resource, billId }: { resource: string; billId: string }) {
  const q = useQuery({
    queryKey: ['/api/v1/bills', resource, billId],
    queryFn: () => get<BillView>(`/api/v1/bills/${encodeURIComponent(resource)}/${encodeURIComponent(billId)}`),
  });
  const bill = q.data;
  return (
    <PageState loading={q.isLoading} error={q.error} onRetry={() => void q.refetch()}>
      {bill && (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Card title={`单据 ${bill.billNo ?? bill.billId}`} data-testid="bill-detail">
            <Descriptions column={3} size="small">
              <Descriptions.Item label="业务系统">{bill.resource}</Descriptions.Item>
              <Descriptions.Item label="单据 ID">{bill.billId}</Descriptions.Item>
              <Descriptions.Item label="单据编号">{bill.billNo ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="单据类型">{bill.billType ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="公司税号">{bill.billTaxNo ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="状态">
                <Tag color={BILL_STATUS_LABELS[bill.status]?.color}>{bill.statusName}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label="发票数">{bill.invoiceCount}</Descriptions.Item>
              <Descriptions.Item label="报销金额">{money(bill.claimed)}</Descriptions.Item>
              <Descriptions.Item label="更新时间">{dateTime(bill.updatedAt)}</Descriptions.Item>
            </Descriptions>
          </Card>
          {bill.alerts.map((a) => (
            <Alert
              key={`${a.invoiceId}:${a.status}`}
              type="warning"
              showIcon
              message={`${a.message}（${dateTime(a.at)}）`}
              description={
                <Link to={`/received/invoices/${encodeURIComponent(a.invoiceId)}`}>查看发票 {a.invoiceId}</Link>
              }
            />
          ))}
          <Card title="发票">
            <Table
              data-testid="bill-invoices"
              rowKey="invoiceId"
              dataSource={bill.invoices}
              pagination={false}
              scroll={{ x: 'max-content' }}
              columns={[
                ...invoiceRefColumns<BillInvoice>(),
                { key: 'amount', title: '本单报销', align: 'right', render: (_, r) => money(r.amount) },
                { key: 'remark', title: '备注', dataIndex: 'remark', render: (v) => v ?? '—' },
                {
                  key: 'voucher',
                  title: '凭证',
                  render: (_, r) =>
                    r.voucher ? (
                      <Link to={voucherPath(r.voucher.resource, r.voucher.vouchId)}>
                        {r.voucher.vouchNo ?? r.voucher.vouchId}
                      </Link>
                    ) : (
                      '—'
                    ),
                },
              ]}
            />
          </Card>
        </Space>
      )}
    </PageState>
  );
}
