import { Tag } from 'antd';
import { Link } from 'react-router';
import { CursorList } from '../components/CursorList';
import { dateTime, money, ORDER_STATUS_LABELS } from '../format';

interface Order {
  orderNo: string;
  settingKey: string;
  status: string;
  total: string;
  invoiceSerialNo?: string | null;
  expiresAt: string;
  createdAt: string;
}

/** 扫码订单 (GET /api/v1/scan/orders). `expired` is derived from expiresAt: it lists open orders and keeps the expired. */
export default function ScanOrdersPage() {
  return (
    <CursorList<Order>
      title="扫码订单"
      path="/api/v1/scan/orders"
      rowKey="orderNo"
      statuses={ORDER_STATUS_LABELS}
      toQuery={(status) => ({ status: status === 'expired' ? 'open' : status })}
      filterItems={(items, status) =>
        status === 'expired' || status === 'open' ? items.filter((o) => o.status === status) : items
      }
      columns={[
        { title: '订单号', dataIndex: 'orderNo' },
        { title: '二维码设置', dataIndex: 'settingKey' },
        { title: '状态', dataIndex: 'status', render: (s: string) => <Tag>{ORDER_STATUS_LABELS[s] ?? s}</Tag> },
        { title: '金额', dataIndex: 'total', align: 'right', render: money },
        {
          title: '发票',
          dataIndex: 'invoiceSerialNo',
          render: (sn: string | null | undefined) =>
            sn ? (
              <Link to={`/invoices?serialNo=${encodeURIComponent(sn)}&open=${encodeURIComponent(sn)}`}>{sn}</Link>
            ) : (
              '—'
            ),
        },
        { title: '有效期至', dataIndex: 'expiresAt', render: dateTime },
        { title: '创建时间', dataIndex: 'createdAt', render: dateTime },
      ]}
    />
  );
}
