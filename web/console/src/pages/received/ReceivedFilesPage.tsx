import { UploadOutlined } from '@ant-design/icons';
import { Button, Form, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import type { CutColumnsType } from '../../components/cut-columns';
import { FilteredList, optionsOf } from '../../components/FilteredList';
import { dateTime } from '../../format';
import { can, useSession } from '../../session';
import { COMPLIANCE_LABELS, type ReceivedFile, SOURCE_LABELS } from './received-api';
import { UploadModal } from './UploadModal';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** What 解析结果 shows wraps at this width (a parse error's message, the invoices read). */
const OUTCOME_WIDTH = 280;

const COLUMNS: CutColumnsType<ReceivedFile> = [
  { key: 'createdAt', title: '接收时间', dataIndex: 'createdAt', render: dateTime, width: 170 },
  // Long names are cut at the column's width (cutColumns): one pushed 大小 and 解析结果 off the right edge.
  { key: 'fileName', title: '文件名', dataIndex: 'fileName', ellipsis: true, width: 232, cutTestId: 'file-name' },
  { key: 'source', title: '渠道', dataIndex: 'source', render: (s: string) => SOURCE_LABELS[s] ?? s },
  // A mail's sender address can be as long as a file name.
  {
    key: 'broughtBy',
    title: '提交人',
    dataIndex: 'broughtBy',
    ellipsis: true,
    width: 192,
    // The user's or app's name; the id (or the mail address) on hover.
    render: (v: string | null, f: ReceivedFile) => (v ? (f.broughtByName ?? v) : '—'),
    cutTitle: (v) => (typeof v === 'string' ? v : undefined),
  },
  { key: 'size', title: '大小', dataIndex: 'size', align: 'right', render: size },
  {
    key: 'outcome',
    title: '解析结果',
    render: (_, f) =>
      f.error ? (
        <Space direction="vertical" size={0} style={{ maxWidth: OUTCOME_WIDTH }}>
          {f.status === 'ocr_pending' ? (
            <Tag color="warning">等待重新识别{f.items.length > 0 ? `（已读二维码 ${f.items.length} 张）` : ''}</Tag>
          ) : (
            <Tag color="error">解析失败</Tag>
          )}
          <Typography.Text type="danger" data-testid="file-error">
            {f.error.message}
          </Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {f.error.code}
          </Typography.Text>
        </Space>
      ) : f.items.length === 0 && !f.entries?.some((e) => e.error) ? (
        <Tag>无发票</Tag>
      ) : (
        <Space wrap size={4} style={{ maxWidth: OUTCOME_WIDTH }}>
          <Tag color="success">识别 {f.items.length} 张</Tag>
          {f.entries
            ?.filter((e) => e.error)
            .map((e) => (
              <Tag
                key={e.name}
                color="error"
                title={`${e.name}：${e.error?.message ?? ''}`}
                style={{ maxWidth: OUTCOME_WIDTH, overflow: 'hidden', textOverflow: 'ellipsis' }}
              >
                {e.name}：{e.error?.message}
              </Tag>
            ))}
          {f.items.map((i) => (
            <Link key={i.id} to={`/received/invoices/${encodeURIComponent(i.id)}`}>
              {i.number ?? i.id}
              {i.compliance && i.compliance.result !== 'pass' && (
                <Tag style={{ marginLeft: 4 }} color={COMPLIANCE_LABELS[i.compliance.result]?.color}>
                  {COMPLIANCE_LABELS[i.compliance.result]?.text ?? i.compliance.result}
                </Tag>
              )}
            </Link>
          ))}
        </Space>
      ),
  },
  {
    key: 'file',
    title: '原件',
    render: (_, f) => (
      <a href={`/api/v1/received-files/${encodeURIComponent(f.id)}/file`} target="_blank" rel="noreferrer">
        下载
      </a>
    ),
  },
];

/** 收票箱: every file that came in (upload, mail, API), parsed or not, with its error and the invoices read from it. */
export default function ReceivedFilesPage() {
  const { data: session } = useSession();
  const [uploading, setUploading] = useState(false);
  return (
    <>
      <FilteredList<ReceivedFile>
        title="收票箱"
        path="/api/v1/received-files"
        rowKey="id"
        testId="received-files"
        columns={COLUMNS}
        filterKeys={['source', 'status']}
        dateRange={{ label: '接收日期', from: 'createdFrom', to: 'createdTo' }}
        emptyText="还没有收到文件"
        fields={
          <>
            <Form.Item name="source" label="渠道">
              <Select allowClear style={{ width: 120 }} options={optionsOf(SOURCE_LABELS)} />
            </Form.Item>
            <Form.Item name="status" label="解析结果">
              <Select allowClear style={{ width: 120 }} options={optionsOf({ ok: '成功', failed: '失败' })} />
            </Form.Item>
          </>
        }
        extra={
          can(session, 'received.manage') && (
            <Button
              type="primary"
              icon={<UploadOutlined />}
              onClick={() => setUploading(true)}
              data-testid="upload-open"
            >
              上传发票
            </Button>
          )
        }
      />
      <UploadModal open={uploading} onClose={() => setUploading(false)} />
    </>
  );
}
