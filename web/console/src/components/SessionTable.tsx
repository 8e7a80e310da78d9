import { Button, Popconfirm, Table, Tag } from 'antd';
import { dateTime } from '../format';
import { cutColumns } from './cut-columns';

export interface ConsoleSessionRow {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string;
  clientAddress: string;
  /** Own list only: the session of this browser. */
  current?: boolean;
}

/** Sessions with their device and address; the "current" one (own list) cannot be ended here (use 退出登录). */
export function SessionTable({ items, onEnd }: { items: ConsoleSessionRow[]; onEnd: (id: string) => void }) {
  return (
    <Table
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={items}
      scroll={{ x: 'max-content' }}
      columns={cutColumns<ConsoleSessionRow>([
        { title: '登录时间', dataIndex: 'createdAt', render: dateTime },
        { title: '最近活动', dataIndex: 'lastSeenAt', render: dateTime },
        { title: '客户端地址', dataIndex: 'clientAddress' },
        {
          title: '浏览器',
          dataIndex: 'userAgent',
          width: 260,
          ellipsis: true,
          render: (ua: string) => <span title={ua}>{ua ? ua.slice(0, 60) : '—'}</span>,
        },
        {
          title: '操作',
          render: (_, s) =>
            s.current ? (
              <Tag color="green">当前会话</Tag>
            ) : (
              <Popconfirm title="结束该会话？" okText="结束" cancelText="取消" onConfirm={() => onEnd(s.id)}>
                <Button size="small" danger>
                  结束
                </Button>
              </Popconfirm>
            ),
        },
      ])}
    />
  );
}
