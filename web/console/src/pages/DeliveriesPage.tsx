import { useQueryClient } from '@tanstack/react-query';
import { Button, Tag } from 'antd';
import { Link } from 'react-router';
import { errorMessage, post } from '../api';
import { CursorList } from '../components/CursorList';
import { dateTime } from '../format';
import { useToast } from '../toast';

interface Delivery {
  id: string;
  eventType: string;
  businessSystemCode: string;
  invoiceSerialNo: string | null;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
}

const STATUSES: Record<string, string> = { pending: '待推送', retrying: '重试中', delivered: '已送达', dead: '已放弃' };

/** 推送记录 (GET /api/v1/webhook-deliveries) with redelivery of dead ones. */
export default function DeliveriesPage() {
  const message = useToast();
  const queryClient = useQueryClient();
  const redeliver = async (id: string) => {
    try {
      await post(`/api/v1/webhook-deliveries/${encodeURIComponent(id)}/redeliver`);
      void message.success('已重新推送');
      void queryClient.invalidateQueries({ queryKey: ['/api/v1/webhook-deliveries'] });
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  return (
    <CursorList<Delivery>
      title="Webhook 推送记录"
      path="/api/v1/webhook-deliveries"
      rowKey="id"
      statuses={STATUSES}
      columns={[
        { title: '事件', dataIndex: 'eventType' },
        { title: '业务系统', dataIndex: 'businessSystemCode' },
        {
          title: '发票',
          dataIndex: 'invoiceSerialNo',
          render: (sn: string | null) =>
            sn ? (
              <Link to={`/invoices?serialNo=${encodeURIComponent(sn)}&open=${encodeURIComponent(sn)}`}>{sn}</Link>
            ) : (
              '—'
            ),
        },
        {
          title: '状态',
          dataIndex: 'status',
          render: (s: string) => <Tag color={s === 'dead' ? 'red' : undefined}>{STATUSES[s] ?? s}</Tag>,
        },
        { title: '尝试次数', dataIndex: 'attempts', align: 'right' },
        { title: '最后结果', render: (_, d) => d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '—') },
        { title: '创建时间', dataIndex: 'createdAt', render: dateTime },
        {
          title: '操作',
          render: (_, d) =>
            d.status === 'dead' || d.status === 'delivered' ? (
              <Button size="small" onClick={() => void redeliver(d.id)}>
                重新推送
              </Button>
            ) : null,
        },
      ]}
    />
  );
}
