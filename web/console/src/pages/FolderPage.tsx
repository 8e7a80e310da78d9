/**
 * 我的票夹 (/console/folder, `folder.own`): the invoices the signed-in user collected (uploaded here, or through the
 * assistant pages of an expense system) as the pool shows them, with their reimbursement status (未报销 / 已报销 in
 * which bill / 已入账 with which voucher: the pool's names and status), search, upload into the folder, the detail, and hand-over (转交) to a colleague. The 员工 role's
 * only page (docs/console.md#my-folder).
 */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { USAGE_STATUS_NAMES } from '@tax/usage-statuses';
import { Alert, Button, Descriptions, Drawer, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, errorMessage, get } from '../api';
import { FilteredList, optionsOf } from '../components/FilteredList';
import { yuan } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';
import { uploadFiles } from '../upload';
import { COMPLIANCE_LABELS, type ReceivedInvoice, USAGE_LABELS, VERIFICATION_LABELS } from './received/received-api';
import { FilesUploadModal } from './received/UploadModal';

/** A folder item is the pool's view of the invoice (its `usage` included). */
export type FolderItem = ReceivedInvoice;

/** The status filter's values as the folder API takes them (the pool's 报销状态; all: no filter). */
export const FOLDER_STATUS_LABELS: Record<string, string> = { ...USAGE_STATUS_NAMES, all: '全部' };

const BILL_STATUS: Record<string, string> = { unused: '未用', in_use: '在用', used: '已用' };

const FOLDER = '/api/v1/folder';

/** The stored 报销状态 (what the pool shows and filters on). */
function UsageTag({ item }: { item: FolderItem }) {
  return <LabelTag labels={USAGE_LABELS} value={item.usageStatus} />;
}

function LabelTag({ labels, value }: { labels: Record<string, { text: string; color: string }>; value: string }) {
  const l = labels[value] ?? { text: value, color: 'default' };
  return <Tag color={l.color}>{l.text}</Tag>;
}

export default function FolderPage() {
  const [params] = useSearchParams();
  const [uploading, setUploading] = useState(false);
  const [open, setOpen] = useState<FolderItem | null>(null);
  const [handing, setHanding] = useState<FolderItem[] | null>(null);
  const status = params.get('status');

  const columns: ColumnsType<FolderItem> = [
    { title: '票种', dataIndex: 'kindName' },
    {
      title: '发票号码',
      dataIndex: 'number',
      render: (v: string | null, r) => (
        <Typography.Link onClick={() => setOpen(r)} data-testid="folder-item-open">
          {v ?? r.fileName ?? '（无号码）'}
        </Typography.Link>
      ),
    },
    { title: '开票日期', dataIndex: 'issueDate', render: (v: string | null) => v ?? '—' },
    { title: '销售方', key: 'seller', render: (_, r) => r.seller.name ?? '—' },
    {
      title: '价税合计',
      key: 'total',
      align: 'right',
      render: (_, r) => (r.totals.total ? yuan(r.totals.total) : '—'),
    },
    {
      title: '查验',
      key: 'verification',
      render: (_, r) => <LabelTag labels={VERIFICATION_LABELS} value={r.verification.status} />,
    },
    {
      title: '合规',
      key: 'compliance',
      render: (_, r) => <LabelTag labels={COMPLIANCE_LABELS} value={r.compliance.result} />,
    },
    {
      title: '报销状态',
      key: 'usage',
      render: (_, r) => (
        <span data-testid="folder-usage">
          <UsageTag item={r} />
          {r.usage?.bills.map((b) => (
            <div key={`${b.resource}/${b.billId}`} className="ofp-secondary">
              {b.billNo ?? b.billId} · {yuan(b.amount)}
            </div>
          ))}
        </span>
      ),
    },
    {
      title: '操作',
      key: 'ops',
      render: (_, r) => (
        <Button size="small" onClick={() => setHanding([r])} data-testid="folder-hand-over">
          转交
        </Button>
      ),
    },
  ];

  return (
    <>
      <FilteredList<FolderItem>
        title="我的票夹"
        path={FOLDER}
        rowKey="id"
        columns={columns}
        filterKeys={['status', 'q']}
        testId="folder"
        dateRange={{ label: '开票日期', from: 'from', to: 'to' }}
        emptyText={status === 'unused' ? '没有未报销的发票' : '票夹是空的：上传发票，或在报销单中打开发票助手收集发票'}
        extra={
          <Button type="primary" onClick={() => setUploading(true)} data-testid="folder-upload">
            上传发票
          </Button>
        }
        fields={
          <>
            <Form.Item name="status" label="状态">
              <Select allowClear style={{ width: 120 }} placeholder="全部" options={optionsOf(FOLDER_STATUS_LABELS)} />
            </Form.Item>
            <Form.Item name="q" label="搜索">
              <Input allowClear maxLength={100} placeholder="发票号码、销售方" style={{ width: 200 }} />
            </Form.Item>
          </>
        }
      />
      {uploading && <FolderUpload onClose={() => setUploading(false)} />}
      <FolderDrawer item={open} onClose={() => setOpen(null)} onHandOver={(i) => setHanding([i])} />
      {handing && (
        <HandOver
          items={handing}
          onClose={(done) => {
            setHanding(null);
            if (done) setOpen(null);
          }}
        />
      )}
    </>
  );
}

/** 上传发票 into the signed-in user's own folder (POST /api/v1/folder/files, as the 收票 upload). */
function FolderUpload({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  return (
    <FilesUploadModal<FolderItem>
      open
      title="上传发票到我的票夹"
      submitTestId="folder-upload-submit"
      upload={(files) => uploadFiles<FolderItem>(`${FOLDER}/files`, files)}
      onUploaded={() => queryClient.invalidateQueries({ queryKey: [FOLDER] })}
      onClose={onClose}
    />
  );
}

/** An item of the folder: its fields, checks, and where it is used (bills with amounts, the voucher). */
function FolderDrawer({
  item,
  onClose,
  onHandOver,
}: {
  item: FolderItem | null;
  onClose: () => void;
  onHandOver: (i: FolderItem) => void;
}) {
  const { data: session } = useSession();
  return (
    <Drawer
      open={item !== null}
      onClose={onClose}
      width={640}
      title={item ? `发票 ${item.number ?? item.fileName ?? ''}` : ''}
      extra={
        item && (
          <Space>
            {can(session, 'received.read') && <Link to={`/received/invoices/${item.id}`}>在进项发票中查看</Link>}
            <Button onClick={() => onHandOver(item)}>转交</Button>
          </Space>
        )
      }
      data-testid="folder-drawer"
    >
      {item && (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Descriptions
            column={1}
            size="small"
            bordered
            items={[
              { key: 'kind', label: '票种', children: item.kindName },
              { key: 'number', label: '发票号码', children: item.number ?? '—' },
              { key: 'date', label: '开票日期', children: item.issueDate ?? '—' },
              {
                key: 'seller',
                label: '销售方',
                children: `${item.seller.name ?? '—'}${item.seller.taxId ? `（${item.seller.taxId}）` : ''}`,
              },
              {
                key: 'buyer',
                label: '购买方',
                children: `${item.buyer.name ?? '—'}${item.buyer.taxId ? `（${item.buyer.taxId}）` : ''}`,
              },
              { key: 'amount', label: '金额', children: yuan(item.totals.amount) },
              { key: 'tax', label: '税额', children: yuan(item.totals.tax) },
              { key: 'total', label: '价税合计', children: yuan(item.totals.total) },
              {
                key: 'verification',
                label: '查验',
                children: <LabelTag labels={VERIFICATION_LABELS} value={item.verification.status} />,
              },
              {
                key: 'compliance',
                label: '合规',
                children: (
                  <>
                    <LabelTag labels={COMPLIANCE_LABELS} value={item.compliance.result} />
                    {item.compliance.findings
                      .filter((f) => f.outcome === 'fail')
                      .map((f) => (
                        <div key={f.rule} className="ofp-secondary">
                          {f.reason}
                        </div>
                      ))}
                  </>
                ),
              },
              { key: 'usage', label: '报销状态', children: <UsageTag item={item} /> },
              { key: 'claimed', label: '已报销', children: yuan(item.usage?.claimed ?? '0') },
              { key: 'remaining', label: '可报销', children: yuan(item.usage?.remaining ?? item.totals.total) },
              {
                key: 'voucher',
                label: '凭证',
                children: item.usage?.voucher ? (item.usage.voucher.vouchNo ?? item.usage.voucher.vouchId) : '—',
              },
            ]}
          />
          {item.usage && item.usage.bills.length > 0 && (
            <Table
              size="small"
              rowKey={(b) => `${b.resource}/${b.billId}`}
              pagination={false}
              dataSource={item.usage.bills}
              columns={[
                { title: '业务系统', dataIndex: 'resource' },
                { title: '单据号', key: 'billNo', render: (_, b) => b.billNo ?? b.billId },
                { title: '报销金额', dataIndex: 'amount', align: 'right', render: (v: string) => yuan(v) },
                { title: '单据状态', dataIndex: 'status', render: (v: string) => BILL_STATUS[v] ?? v },
              ]}
            />
          )}
        </Space>
      )}
    </Drawer>
  );
}

interface Colleague {
  id: string;
  name: string | null;
}

/** 转交: moves the items to a colleague's folder (only one's own items; audited). */
function HandOver({ items, onClose }: { items: FolderItem[]; onClose: (done: boolean) => void }) {
  const queryClient = useQueryClient();
  const message = useToast();
  const [q, setQ] = useState('');
  const [to, setTo] = useState<string | undefined>();
  const colleagues = useQuery({
    queryKey: ['/api/v1/employees', q],
    queryFn: () => get<{ items: Colleague[] }>('/api/v1/employees', { q: q || undefined }),
    placeholderData: (prev) => prev,
  });
  const handOver = useMutation({
    mutationFn: () => api('POST', `${FOLDER}/hand-over`, { invoiceIds: items.map((i) => i.id), toEmployeeId: to }),
    onSuccess: async () => {
      void message.success(`已转交 ${items.length} 张发票`);
      await queryClient.invalidateQueries({ queryKey: [FOLDER] });
      onClose(true);
    },
  });
  return (
    <Modal
      open
      title="转交给同事"
      onCancel={() => onClose(false)}
      destroyOnHidden
      okText="转交"
      okButtonProps={{ disabled: !to, loading: handOver.isPending, id: 'hand-over-submit' }}
      onOk={() => handOver.mutate()}
    >
      <p>转交 {items.map((i) => i.number ?? i.fileName).join('、')}。转交后发票进入同事的票夹，你将不再看到它们。</p>
      <Select
        showSearch
        style={{ width: '100%' }}
        placeholder="搜索同事姓名"
        filterOption={false}
        onSearch={(v) => setQ(v.trim().slice(0, 50))}
        value={to}
        onChange={setTo}
        loading={colleagues.isFetching}
        notFoundContent={colleagues.isFetching ? '加载中…' : '没有找到同事'}
        options={(colleagues.data?.items ?? []).map((c) => ({ value: c.id, label: c.name ?? c.id }))}
        data-testid="hand-over-to"
      />
      {handOver.error && (
        <Alert type="error" showIcon message={errorMessage(handOver.error)} style={{ marginTop: 12 }} />
      )}
    </Modal>
  );
}
