import { Form, Input, Select, Tag, Typography } from 'antd';
import { FilteredList } from '../components/FilteredList';
import { dateTime } from '../format';

interface OutboxMessage {
  id: string;
  channel: string;
  recipient: string;
  subject: string | null;
  body: string;
  attachments: { fileName: string; contentType: string; size: number; sha256: string }[];
  createdAt: string;
}

const CHANNELS: Record<string, string> = { email: '邮件', sms: '短信' };

/** 发件箱: e-mails and SMS kept locally when no SMTP server or SMS gateway is configured (GET /api/v1/outbox). */
export default function OutboxPage() {
  return (
    <FilteredList<OutboxMessage>
      title="发件箱（未配置 SMTP / 短信网关时的邮件和短信）"
      path="/api/v1/outbox"
      rowKey="id"
      testId="outbox-table"
      emptyText="发件箱是空的：配置了 SMTP 和短信网关时，邮件和短信直接发出，不在这里保存"
      filterKeys={['channel', 'recipient']}
      fields={
        <>
          <Form.Item name="channel" label="渠道">
            <Select
              allowClear
              style={{ width: 110 }}
              options={Object.entries(CHANNELS).map(([value, label]) => ({ value, label }))}
            />
          </Form.Item>
          <Form.Item name="recipient" label="收件人">
            <Input allowClear style={{ width: 220 }} placeholder="邮箱或手机号" />
          </Form.Item>
        </>
      }
      columns={[
        { title: '时间', dataIndex: 'createdAt', render: dateTime, width: 170 },
        { title: '渠道', dataIndex: 'channel', render: (c: string) => <Tag>{CHANNELS[c] ?? c}</Tag> },
        { title: '收件人', dataIndex: 'recipient' },
        {
          title: '内容',
          render: (_, m) => (
            <div style={{ maxWidth: 560 }}>
              {m.subject && <strong>{m.subject}</strong>}
              <Typography.Paragraph ellipsis={{ rows: 2, expandable: true, symbol: '展开' }} style={{ margin: 0 }}>
                {m.body}
              </Typography.Paragraph>
            </div>
          ),
        },
        {
          title: '附件',
          render: (_, m) =>
            m.attachments.length === 0
              ? '—'
              : m.attachments.map((a) => (
                  <div key={a.sha256 + a.fileName}>
                    {a.fileName} <span className="ofp-secondary">{Math.ceil(a.size / 1024)} KB</span>
                  </div>
                )),
        },
      ]}
    />
  );
}
