/**
 * 查看发票 (viewUrl / mobileViewUrl): the invoices bound to the event's bill (as the expense system saved it), each with
 * its amount claimed, preview (PDFs framed, pictures inline, OFD/XML downloaded) and download.
 */
import { Alert, Card, Empty, Spin, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { yuan } from '../format';
import type { ReceivedInvoice } from '../pages/received/received-api';
import { type BillView, errorMessage, isEventEnded, type PageInfo, pageApi } from './assistant-api';
import { BillHeader, FileButtons, itemFields, VerificationTag } from './item-parts';

const BILL_STATUS: Record<string, string> = { unused: '未用', in_use: '在用', used: '已用' };

type Row = { invoiceId: string; amount: string; inv: ReceivedInvoice | null };

/** A bill invoice's pool view, whether the bill view nests it (`invoice`) or spreads it. */
function rowsOf(bill: BillView): Row[] {
  return bill.invoices.map((b) => {
    const nested = b.invoice ?? null;
    const flat = 'kindName' in b && b.kindName ? (b as unknown as ReceivedInvoice) : null;
    const inv = nested ?? flat;
    const invoiceId = b.invoiceId ?? inv?.id ?? '';
    return { invoiceId, amount: b.amount, inv: inv ? { ...inv, id: inv.id ?? invoiceId } : null };
  });
}

export default function ViewPage({ info, mobile }: { info: PageInfo; mobile: boolean }) {
  const [bill, setBill] = useState<BillView | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    pageApi.bill().then(
      (res) => setBill(res.bill),
      (err: unknown) => {
        if (!isEventEnded(err)) setError(errorMessage(err));
      },
    );
  }, []);

  const rows = bill ? rowsOf(bill) : [];
  return (
    <div className="asst-page">
      <BillHeader info={info} mobile={mobile} title="发票助手 · 单据发票" />
      {error && <Alert type="error" showIcon message={error} />}
      {bill === undefined && !error ? (
        <Spin size="large" style={{ display: 'block', padding: 64 }} />
      ) : !bill || rows.length === 0 ? (
        <Empty description="该单据还没有关联发票" data-testid="bill-empty" />
      ) : (
        <>
          <p className="asst-bill-summary" data-testid="bill-summary">
            单据状态 <Tag>{BILL_STATUS[bill.status] ?? bill.status}</Tag> 共 {rows.length} 张发票
          </p>
          {mobile ? (
            <div className="asst-cards" data-testid="bill-invoices">
              {rows.map((r) => (
                <Card
                  key={r.invoiceId}
                  size="small"
                  className="asst-card"
                  title={r.inv?.kindName ?? '发票'}
                  data-testid="bill-invoice"
                >
                  {r.inv && (
                    <dl className="asst-fields">
                      {itemFields(r.inv)
                        .slice(1)
                        .map((f) => (
                          <div key={f.label}>
                            <dt>{f.label}</dt>
                            <dd>{f.value}</dd>
                          </div>
                        ))}
                      <div>
                        <dt>报销金额</dt>
                        <dd>
                          <b>{yuan(r.amount)}</b>
                        </dd>
                      </div>
                    </dl>
                  )}
                  {r.inv && <VerificationTag status={r.inv.verification.status} />}
                  {r.inv && (
                    <div style={{ marginTop: 8 }}>
                      <FileButtons inv={r.inv} block />
                    </div>
                  )}
                </Card>
              ))}
            </div>
          ) : (
            <Table<Row>
              rowKey="invoiceId"
              data-testid="bill-invoices"
              pagination={false}
              dataSource={rows}
              scroll={{ x: 1000 }}
              onRow={() => ({ 'data-testid': 'bill-invoice' }) as React.HTMLAttributes<HTMLElement>}
              columns={[
                { title: '票种', key: 'kind', render: (_, r) => r.inv?.kindName ?? '—' },
                { title: '发票号码', key: 'number', render: (_, r) => r.inv?.number ?? r.invoiceId },
                { title: '开票日期', key: 'date', render: (_, r) => r.inv?.issueDate ?? '—' },
                { title: '销售方', key: 'seller', ellipsis: true, render: (_, r) => r.inv?.seller.name ?? '—' },
                {
                  title: '价税合计',
                  key: 'total',
                  align: 'right',
                  render: (_, r) => (r.inv?.totals.total ? yuan(r.inv.totals.total) : '—'),
                },
                { title: '报销金额', key: 'amount', align: 'right', render: (_, r) => <b>{yuan(r.amount)}</b> },
                {
                  title: '查验',
                  key: 'verification',
                  render: (_, r) => (r.inv ? <VerificationTag status={r.inv.verification.status} /> : '—'),
                },
                { title: '文件', key: 'file', render: (_, r) => (r.inv ? <FileButtons inv={r.inv} /> : '—') },
              ]}
            />
          )}
        </>
      )}
    </div>
  );
}
