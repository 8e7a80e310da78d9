import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RECEIVED_INVOICE_KIND_NAMES } from '@tax/received-invoice-kinds';
import { Button, Dropdown, Form, Input, Popconfirm, Select, Space, Tag, Tooltip } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api, errorMessage, fetchFile, get, saveFile, withQuery } from '../../api';
import { FilteredList, optionsOf } from '../../components/FilteredList';
import { dateTime, money } from '../../format';
import { can, useSession } from '../../session';
import { useToast } from '../../toast';
import type { RulesView } from './ReceivedRulesPage';
import {
  COMPLIANCE_LABELS,
  DEDUCTION_TAG_COLORS,
  type ReceivedInvoice,
  SOURCE_LABELS,
  USAGE_LABELS,
  VERIFICATION_LABELS,
} from './received-api';
import { UploadModal } from './UploadModal';

const PATH = '/api/v1/received-invoices';
const FILTER_KEYS = [
  'kind',
  'sellerName',
  'sellerTaxId',
  'buyerOrgId',
  'verification',
  'compliance',
  'source',
  'broughtBy',
  'q',
  'usage',
] as const;

const label = (labels: Record<string, { text: string }>) =>
  Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, v.text]));

/** 进项发票: the received-invoice pool with its filters in the URL, export, 重新查验 and delete. */
export default function ReceivedInvoicesPage() {
  const { data: session } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const queryClient = useQueryClient();
  const message = useToast();
  const [uploading, setUploading] = useState(false);
  const manage = can(session, 'received.manage');
  const orgs = useQuery({
    queryKey: ['/api/v1/received-rules', 'orgs'],
    queryFn: () => get<RulesView>('/api/v1/received-rules'),
    staleTime: 60_000,
  });
  const orgName = (id: string | null) =>
    id === null ? '—' : (orgs.data?.buyerOrgs.find((o) => o.id === id)?.name ?? id);

  const refresh = () => queryClient.invalidateQueries({ queryKey: [PATH] });
  const verify = useMutation({
    mutationFn: (id: string) => api('POST', `${PATH}/${encodeURIComponent(id)}/verify`, {}),
    onSuccess: async () => {
      void message.success('已提交重新查验');
      await refresh();
    },
    onError: (err) => void message.error(errorMessage(err)),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api('DELETE', `${PATH}/${encodeURIComponent(id)}`),
    onSuccess: async () => {
      void message.success('已删除');
      await refresh();
    },
    onError: (err) => void message.error(errorMessage(err)),
  });
  const exportAs = async (format: 'csv' | 'xlsx') => {
    const query: Record<string, string> = {};
    for (const k of [...FILTER_KEYS, 'issueDateFrom', 'issueDateTo']) {
      const v = params.get(k);
      if (v) query[k] = v;
    }
    try {
      saveFile(await fetchFile('GET', withQuery(`${PATH}/export.${format}`, query)));
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  const columns: ColumnsType<ReceivedInvoice> = [
    { key: 'number', title: '发票号码', dataIndex: 'number', render: (v) => v ?? '—', width: 200 },
    {
      key: 'verification',
      title: '查验',
      render: (_, r) => {
        const l = VERIFICATION_LABELS[r.verification.status];
        return <Tag color={l?.color}>{l?.text ?? r.verification.status}</Tag>;
      },
    },
    {
      key: 'compliance',
      title: '合规',
      render: (_, r) => {
        const l = COMPLIANCE_LABELS[r.compliance.result];
        const failed = r.compliance.findings.filter((f) => f.outcome === 'fail');
        return (
          <Tooltip title={failed.map((f) => f.reason).join('；') || undefined}>
            <Tag color={l?.color} data-testid="compliance-tag">
              {l?.text ?? r.compliance.result}
            </Tag>
          </Tooltip>
        );
      },
    },
    {
      key: 'usage',
      title: '报销状态',
      render: (_, r) => {
        const l = USAGE_LABELS[r.usageStatus];
        const bills = r.usage?.bills ?? [];
        const tip = bills.map((b) => `${b.billNo ?? b.billId}：${b.amount}`).join('；');
        return (
          <Tooltip title={tip || undefined}>
            <Tag color={l?.color} data-testid="usage-tag">
              {l?.text ?? r.usageStatus}
            </Tag>
          </Tooltip>
        );
      },
    },
    { key: 'kind', title: '票种', dataIndex: 'kindName', ellipsis: true, width: 150 },
    { key: 'issueDate', title: '开票日期', dataIndex: 'issueDate', render: (v) => v ?? '—', width: 110 },
    { key: 'seller', title: '销售方', render: (_, r) => r.seller.name ?? '—', ellipsis: true, width: 170 },
    { key: 'buyer', title: '购买方', render: (_, r) => r.buyer.name ?? '—', ellipsis: true, width: 170 },
    { key: 'total', title: '价税合计', align: 'right', render: (_, r) => money(r.totals.total) },
    {
      key: 'deduction',
      title: '抵扣',
      render: (_, r) => {
        const d = r.deduction;
        if (!d) return '—';
        const tip = d.period ? `所属期 ${d.period}，有效抵扣税额 ${money(d.tax)}` : (d.reason ?? undefined);
        return (
          <Tooltip title={tip}>
            <Tag color={DEDUCTION_TAG_COLORS[d.status]} data-testid="deduction-tag">
              {d.statusName}
            </Tag>
          </Tooltip>
        );
      },
    },
    { key: 'source', title: '来源', dataIndex: 'source', render: (s: string) => SOURCE_LABELS[s] ?? s },
    { key: 'buyerOrg', title: '收票企业', dataIndex: 'buyerOrgId', render: orgName, ellipsis: true, width: 200 },
    { key: 'createdAt', title: '接收时间', dataIndex: 'createdAt', render: dateTime, width: 170 },
    ...(manage
      ? [
          {
            key: 'actions',
            title: '操作',
            fixed: 'right' as const,
            render: (_: unknown, r: ReceivedInvoice) => (
              // biome-ignore lint/a11y/noStaticElementInteractions: stops the row's click (opening the item) only
              // biome-ignore lint/a11y/useKeyWithClickEvents: the buttons inside are the keyboard targets
              <span onClick={(e) => e.stopPropagation()}>
                <Space size={4}>
                  <Button size="small" type="link" onClick={() => verify.mutate(r.id)}>
                    重新查验
                  </Button>
                  <Popconfirm
                    title="删除这张发票？"
                    description="仅未使用的发票可以删除，删除会记入审计日志。"
                    onConfirm={() => remove.mutate(r.id)}
                    disabled={r.usageStatus !== 'unused'}
                  >
                    <Button size="small" type="link" danger disabled={r.usageStatus !== 'unused'}>
                      删除
                    </Button>
                  </Popconfirm>
                </Space>
              </span>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      <FilteredList<ReceivedInvoice>
        title="进项发票"
        path={PATH}
        rowKey="id"
        testId="received-invoices"
        columns={columns}
        filterKeys={FILTER_KEYS}
        dateRange={{ label: '开票日期', from: 'issueDateFrom', to: 'issueDateTo' }}
        emptyText="没有符合条件的发票"
        onRowClick={(r) => void navigate(`/received/invoices/${encodeURIComponent(r.id)}`)}
        fields={
          <>
            <Form.Item name="q" label="发票号码">
              <Input allowClear style={{ width: 200 }} maxLength={20} />
            </Form.Item>
            <Form.Item name="kind" label="票种">
              <Select
                allowClear
                style={{ width: 200 }}
                options={optionsOf(RECEIVED_INVOICE_KIND_NAMES)}
                popupMatchSelectWidth={false}
              />
            </Form.Item>
            <Form.Item name="sellerName" label="销售方">
              <Input allowClear style={{ width: 180 }} maxLength={100} />
            </Form.Item>
            <Form.Item name="sellerTaxId" label="销方税号">
              <Input allowClear style={{ width: 190 }} maxLength={20} />
            </Form.Item>
            <Form.Item name="buyerOrgId" label="收票企业">
              <Select
                allowClear
                style={{ width: 200 }}
                options={(orgs.data?.buyerOrgs ?? []).map((o) => ({ value: o.id, label: o.name }))}
              />
            </Form.Item>
            <Form.Item name="verification" label="查验">
              <Select allowClear style={{ width: 130 }} options={optionsOf(label(VERIFICATION_LABELS))} />
            </Form.Item>
            <Form.Item name="compliance" label="合规">
              <Select allowClear style={{ width: 110 }} options={optionsOf(label(COMPLIANCE_LABELS))} />
            </Form.Item>
            <Form.Item name="usage" label="报销状态">
              <Select allowClear style={{ width: 110 }} options={optionsOf(label(USAGE_LABELS))} />
            </Form.Item>
            <Form.Item name="source" label="来源">
              <Select allowClear style={{ width: 120 }} options={optionsOf(SOURCE_LABELS)} />
            </Form.Item>
            <Form.Item name="broughtBy" label="提交人">
              <Input allowClear style={{ width: 140 }} maxLength={100} />
            </Form.Item>
          </>
        }
        extra={
          <Space>
            <Dropdown
              menu={{
                items: [
                  { key: 'csv', label: '导出 CSV' },
                  { key: 'xlsx', label: '导出 Excel (XLSX)' },
                ],
                onClick: ({ key }) => void exportAs(key as 'csv' | 'xlsx'),
              }}
            >
              <Button icon={<DownloadOutlined />}>导出</Button>
            </Dropdown>
            {manage && (
              <Button
                type="primary"
                icon={<UploadOutlined />}
                onClick={() => setUploading(true)}
                data-testid="upload-open"
              >
                上传发票
              </Button>
            )}
          </Space>
        }
      />
      <UploadModal open={uploading} onClose={() => setUploading(false)} />
    </>
  );
}
