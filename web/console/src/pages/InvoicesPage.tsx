import { SettingOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { INVOICE_KINDS } from '@tax';
import { Button, Card, Checkbox, DatePicker, Dropdown, Form, Input, Select, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { get } from '../api';
import { cutColumns } from '../components/cut-columns';
import { InvoiceBulkActions } from '../components/InvoiceBulkActions';
import { InvoiceDrawer } from '../components/InvoiceDrawer';
import { PageState } from '../components/PageState';
import { dateTime, kindName, money, ORIGIN_LABELS, STATUS_LABELS } from '../format';
import type { Invoice, Page } from '../types';

/** The list API's filters, all kept in the URL (a filtered list can be bookmarked and linked from the dashboard). */
const FILTERS = [
  'issuedFrom',
  'issuedTo',
  'kind',
  'status',
  'buyerName',
  'buyerTaxId',
  'totalMin',
  'totalMax',
  'serialNo',
  'number',
  'businessSystemCode',
  'origin',
  'isRed',
  'sellerTaxId',
] as const;

const COLUMNS_KEY = 'openfapiao.console.invoiceColumns';

const ALL_COLUMNS: ColumnsType<Invoice> = [
  { key: 'serialNo', title: '流水号', dataIndex: 'serialNo', width: 180 },
  { key: 'number', title: '发票号码', dataIndex: 'number', render: (v) => v ?? '—', width: 200 },
  {
    key: 'kind',
    title: '票种',
    dataIndex: 'kind',
    render: (k: string, r) => (
      <>
        {kindName(k)} {r.isRed && <Tag color="red">红字</Tag>}
      </>
    ),
  },
  {
    key: 'status',
    title: '状态',
    dataIndex: 'status',
    render: (s: string) => <Tag color={STATUS_LABELS[s]?.color}>{STATUS_LABELS[s]?.text ?? s}</Tag>,
  },
  { key: 'buyer', title: '购买方', render: (_, r) => r.buyer.name, ellipsis: true, width: 280 },
  { key: 'buyerTaxId', title: '购方税号', render: (_, r) => r.buyer.taxId ?? '—' },
  { key: 'seller', title: '销售方', render: (_, r) => r.seller.name, ellipsis: true, width: 280 },
  { key: 'amount', title: '金额', align: 'right', render: (_, r) => money(r.totals.amount) },
  { key: 'tax', title: '税额', align: 'right', render: (_, r) => money(r.totals.tax) },
  { key: 'total', title: '价税合计', align: 'right', render: (_, r) => money(r.totals.total) },
  { key: 'issuedAt', title: '开票时间', dataIndex: 'issuedAt', render: dateTime, width: 170 },
  { key: 'origin', title: '来源', dataIndex: 'origin', render: (o: string) => ORIGIN_LABELS[o] ?? o },
  { key: 'businessSystemCode', title: '业务系统', dataIndex: 'businessSystemCode', render: (v) => v ?? '—' },
  { key: 'createdAt', title: '创建时间', dataIndex: 'createdAt', render: dateTime, width: 170 },
];
const DEFAULT_HIDDEN = ['buyerTaxId', 'seller', 'origin', 'businessSystemCode', 'createdAt'];

function loadHidden(): string[] {
  try {
    const stored = localStorage.getItem(COLUMNS_KEY);
    return stored ? (JSON.parse(stored) as string[]) : DEFAULT_HIDDEN;
  } catch {
    return DEFAULT_HIDDEN;
  }
}

export default function InvoicesPage() {
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm();
  const [hidden, setHidden] = useState<string[]>(loadHidden);
  const [open, setOpen] = useState<string | null>(params.get('open'));
  // Selected rows (kept across pages) for export and 合并打印.
  const [selected, setSelected] = useState<string[]>([]);
  const filters = useMemo(() => {
    const out: Record<string, string> = {};
    for (const f of FILTERS) {
      const v = params.get(f);
      if (v) out[f] = v;
    }
    return out;
  }, [params]);
  const cursor = params.get('cursor') ?? undefined;
  const limit = Number(params.get('limit') ?? 20);

  useEffect(() => {
    form.setFieldsValue({
      ...filters,
      issued:
        filters.issuedFrom || filters.issuedTo
          ? [filters.issuedFrom ? dayjs(filters.issuedFrom) : null, filters.issuedTo ? dayjs(filters.issuedTo) : null]
          : undefined,
      status: filters.status ? filters.status.split(',') : undefined,
    });
  }, [filters, form]);

  const q = useQuery({
    queryKey: ['invoices', filters, cursor, limit],
    queryFn: () => get<Page<Invoice>>('/api/v1/invoices', { ...filters, cursor, limit }),
    placeholderData: (prev) => prev,
  });

  const apply = (values: Record<string, unknown>) => {
    const next = new URLSearchParams();
    const [from, to] = (values.issued as [dayjs.Dayjs | null, dayjs.Dayjs | null] | undefined) ?? [];
    if (from) next.set('issuedFrom', from.format('YYYY-MM-DD'));
    if (to) next.set('issuedTo', to.format('YYYY-MM-DD'));
    for (const f of FILTERS) {
      if (f === 'issuedFrom' || f === 'issuedTo') continue;
      const v = values[f];
      if (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && String(v).trim() !== '') {
        next.set(f, Array.isArray(v) ? v.join(',') : String(v).trim());
      }
    }
    setParams(next);
  };
  const reset = () => {
    form.resetFields();
    setParams(new URLSearchParams());
  };
  // Cursor pages: the cursors of the pages before this one, to go back (the API pages forward only).
  const [previous, setPrevious] = useState<(string | null)[]>([]);
  const goto = (nextCursor: string | null, back: (string | null)[]) => {
    setPrevious(back);
    const next = new URLSearchParams(params);
    if (nextCursor) next.set('cursor', nextCursor);
    else next.delete('cursor');
    setParams(next);
  };

  const columns = ALL_COLUMNS.filter((c) => !hidden.includes(String(c.key)));
  const setColumnHidden = (key: string, hide: boolean) => {
    const next = hide ? [...hidden, key] : hidden.filter((k) => k !== key);
    setHidden(next);
    localStorage.setItem(COLUMNS_KEY, JSON.stringify(next));
  };

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card>
        <Form form={form} layout="inline" onFinish={apply} style={{ rowGap: 12 }} data-testid="invoice-filters">
          <Form.Item name="issued" label="开票日期">
            <DatePicker.RangePicker allowEmpty={[true, true]} />
          </Form.Item>
          <Form.Item name="kind" label="票种">
            <Select
              allowClear
              style={{ width: 150 }}
              options={INVOICE_KINDS.map((k) => ({ value: k, label: kindName(k) }))}
            />
          </Form.Item>
          <Form.Item name="status" label="状态">
            <Select
              mode="multiple"
              allowClear
              style={{ minWidth: 160 }}
              options={Object.entries(STATUS_LABELS).map(([value, { text }]) => ({ value, label: text }))}
            />
          </Form.Item>
          <Form.Item name="buyerName" label="购方名称">
            <Input allowClear style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="buyerTaxId" label="购方税号">
            <Input allowClear style={{ width: 190 }} />
          </Form.Item>
          <Form.Item label="价税合计">
            <Space.Compact>
              <Form.Item name="totalMin" noStyle>
                <Input placeholder="最小" style={{ width: 100 }} />
              </Form.Item>
              <Form.Item name="totalMax" noStyle>
                <Input placeholder="最大" style={{ width: 100 }} />
              </Form.Item>
            </Space.Compact>
          </Form.Item>
          <Form.Item name="serialNo" label="流水号">
            <Input allowClear style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="number" label="发票号码">
            <Input allowClear style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="businessSystemCode" label="业务系统">
            <Input allowClear style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="origin" label="来源">
            <Select
              allowClear
              style={{ width: 150 }}
              options={Object.entries(ORIGIN_LABELS).map(([value, label]) => ({ value, label }))}
            />
          </Form.Item>
          <Form.Item name="isRed" label="红蓝">
            <Select
              allowClear
              style={{ width: 100 }}
              options={[
                { value: 'false', label: '蓝字' },
                { value: 'true', label: '红字' },
              ]}
            />
          </Form.Item>
          <Form.Item name="sellerTaxId" hidden>
            <Input />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                查询
              </Button>
              <Button onClick={reset}>重置</Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <Card
        title="销项发票"
        extra={
          <Space>
            <InvoiceBulkActions filters={filters} selected={selected} />
            <Dropdown
              trigger={['click']}
              dropdownRender={() => (
                <Card size="small" style={{ width: 180 }}>
                  {ALL_COLUMNS.map((c) => (
                    <div key={String(c.key)}>
                      <Checkbox
                        checked={!hidden.includes(String(c.key))}
                        onChange={(e) => setColumnHidden(String(c.key), !e.target.checked)}
                      >
                        {String(c.title)}
                      </Checkbox>
                    </div>
                  ))}
                </Card>
              )}
            >
              <Button icon={<SettingOutlined />}>列设置</Button>
            </Dropdown>
          </Space>
        }
      >
        <PageState error={q.error} onRetry={() => void q.refetch()}>
          <Table<Invoice>
            data-testid="invoice-table"
            rowKey="serialNo"
            loading={q.isFetching}
            dataSource={q.data?.items ?? []}
            columns={cutColumns(columns)}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: '没有符合条件的发票' }}
            rowSelection={{
              selectedRowKeys: selected,
              preserveSelectedRowKeys: true,
              onChange: (keys) => setSelected(keys.map(String)),
            }}
            onRow={(r) => ({
              onClick: (e) => {
                // The selection checkbox selects; the rest of the row opens the drawer.
                if ((e.target as HTMLElement).closest('.ant-table-selection-column')) return;
                setOpen(r.serialNo);
              },
              style: { cursor: 'pointer' },
            })}
          />
          <Space style={{ marginTop: 16, justifyContent: 'flex-end', width: '100%' }}>
            <Button disabled={!cursor} onClick={() => goto(null, [])}>
              首页
            </Button>
            <Button disabled={!cursor} onClick={() => goto(previous.at(-1) ?? null, previous.slice(0, -1))}>
              上一页
            </Button>
            <Button
              disabled={!q.data?.nextCursor}
              onClick={() => goto(q.data?.nextCursor ?? null, [...previous, cursor ?? null])}
            >
              下一页
            </Button>
            <Select
              value={limit}
              style={{ width: 110 }}
              onChange={(v) => {
                const next = new URLSearchParams(params);
                next.set('limit', String(v));
                next.delete('cursor');
                setParams(next);
              }}
              options={[20, 50, 100, 200].map((n) => ({ value: n, label: `${n} 条/页` }))}
            />
          </Space>
        </PageState>
      </Card>
      <InvoiceDrawer serialNo={open} onClose={() => setOpen(null)} />
    </Space>
  );
}
