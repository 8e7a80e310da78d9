import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { formatTaxRatePercent } from '@tax';
import {
  Alert,
  AutoComplete,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { ApiError, api, errorMessage, fetchFile, get, post, saveFile } from '../api';
import { ActionModal } from '../components/ActionModal';
import { PageState } from '../components/PageState';
import { dateTime, money } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';
import type { CatalogueItem, Org, Page, TaxCodeOption } from '../types';

interface ImportRowError {
  line: number;
  name: string | null;
  errors: { field: string; message: string }[];
}

/** 税收分类编码 picker: search by code or name; the chosen code's allowed rates go to `onRates`. */
function TaxCodeField({
  value,
  onChange,
  onRates,
}: {
  value?: string;
  onChange?: (v: string) => void;
  onRates: (code: TaxCodeOption | null) => void;
}) {
  const [term, setTerm] = useState((value ?? '').trim());
  useEffect(() => {
    const t = setTimeout(() => setTerm((value ?? '').trim()), 250);
    return () => clearTimeout(t);
  }, [value]);
  const q = useQuery({
    queryKey: ['catalogue-tax-codes', term],
    queryFn: () => get<{ items: TaxCodeOption[] }>('/api/v1/catalogue/tax-codes', { q: term, limit: 20 }),
    enabled: term.length >= 1,
    staleTime: 5 * 60_000,
  });
  const items = q.data?.items ?? [];
  useEffect(() => {
    const exact = items.find((i) => i.code === value);
    if (exact) onRates(exact);
  }, [items, value, onRates]);
  return (
    <AutoComplete
      value={value}
      onChange={onChange}
      popupMatchSelectWidth={420}
      options={items.map((c) => ({
        value: c.code,
        label: `${c.code} *${c.shortName}* ${c.name}`,
      }))}
      onSelect={(code: string) => onRates(items.find((i) => i.code === code) ?? null)}
    >
      <Input data-testid="item-tax-code" placeholder="输入编码或名称搜索，如 餐饮" />
    </AutoComplete>
  );
}

/** The item form (add / edit): the rate choices follow the chosen tax code. */
function ItemFields({ form, initialRates }: { form: ReturnType<typeof Form.useFormInstance>; initialRates: string[] }) {
  const [rates, setRates] = useState<string[]>(initialRates);
  return (
    <>
      <Form.Item name="name" label="名称" rules={[{ required: true, whitespace: true, message: '请填写名称' }]}>
        <Input data-testid="item-name" maxLength={100} placeholder="如：牛肉面（不带 *简称*）" />
      </Form.Item>
      <Form.Item name="taxCode" label="税收分类编码" rules={[{ required: true, message: '请选择税收分类编码' }]}>
        <TaxCodeField
          onRates={(c) => {
            if (!c) return;
            setRates(c.allowedRates);
            const current = form.getFieldValue('taxRate') as string | undefined;
            if (!current || !c.allowedRates.includes(current)) form.setFieldValue('taxRate', c.defaultRate);
          }}
        />
      </Form.Item>
      <Form.Item name="taxRate" label="税率" rules={[{ required: true, message: '请选择税率' }]}>
        <Select
          data-testid="item-tax-rate"
          options={rates.map((r) => ({ value: r, label: formatTaxRatePercent(r) }))}
          notFoundContent="先选择税收分类编码"
        />
      </Form.Item>
      <Space wrap>
        <Form.Item name="spec" label="规格型号">
          <Input maxLength={150} />
        </Form.Item>
        <Form.Item name="unit" label="单位">
          <Input data-testid="item-unit" maxLength={30} style={{ width: 100 }} />
        </Form.Item>
        <Form.Item
          name="unitPrice"
          label="单价（元）"
          rules={[{ pattern: /^\d{1,16}(\.\d{1,8})?$/, message: '正数，最多 8 位小数' }]}
        >
          <Input data-testid="item-price" placeholder="不固定可留空" style={{ width: 140 }} />
        </Form.Item>
      </Space>
      <Space size="large">
        <Form.Item name="taxInclusive" label="单价含税" valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="enabled" label="启用" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Space>
    </>
  );
}

function ItemModal({
  sellerTaxId,
  item,
  onClose,
  onSaved,
}: {
  sellerTaxId: string;
  item: CatalogueItem | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async (v: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    const text = (k: string) => {
      const s = typeof v[k] === 'string' ? (v[k] as string).trim() : '';
      return s === '' ? null : s;
    };
    const body = {
      name: text('name'),
      taxCode: text('taxCode'),
      taxRate: v.taxRate,
      spec: text('spec'),
      unit: text('unit'),
      unitPrice: text('unitPrice'),
      taxInclusive: v.taxInclusive === true,
      enabled: v.enabled === true,
    };
    try {
      if (item) await api('PATCH', `/api/v1/catalogue/items/${item.id}`, body);
      else {
        const { spec, unit, unitPrice, ...rest } = body;
        await post('/api/v1/catalogue/items', {
          sellerTaxId,
          ...rest,
          ...(spec ? { spec } : {}),
          ...(unit ? { unit } : {}),
          ...(unitPrice ? { unitPrice } : {}),
        });
      }
      onSaved();
    } catch (err) {
      const details =
        err instanceof ApiError ? (err.details as { errors?: { message: string }[] } | undefined) : undefined;
      setError(details?.errors ? details.errors.map((e) => e.message).join('；') : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={item ? `修改商品：${item.name}` : '新增商品'}
      okText="保存"
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'item-save' } as Record<`data-${string}`, string>}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={
          item
            ? { ...item, spec: item.spec ?? '', unit: item.unit ?? '', unitPrice: item.unitPrice ?? '' }
            : { taxInclusive: true, enabled: true }
        }
        onFinish={save}
      >
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="item-error" />}
        <ItemFields form={form} initialRates={item ? [item.taxRate] : []} />
      </Form>
    </Modal>
  );
}

/** 商品档案: a seller org's products and services; add, edit, disable, delete, CSV import (all-or-nothing) and export. */
export default function CataloguePage() {
  const { data: session } = useSession();
  const manage = can(session, 'invoices.issue');
  const toast = useToast();
  const queryClient = useQueryClient();
  const orgs = useQuery({ queryKey: ['orgs'], queryFn: () => get<{ items: Org[] }>('/api/v1/orgs') });
  const [seller, setSeller] = useState<string | undefined>();
  const sellerTaxId = seller ?? orgs.data?.items[0]?.taxId;
  const [search, setSearch] = useState('');
  const [cursor, setCursor] = useState<string | undefined>();
  const [editing, setEditing] = useState<CatalogueItem | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  const [importFile, setImportFile] = useState<File | null>(null);
  const [importErrors, setImportErrors] = useState<{ message: string; rows: ImportRowError[] } | null>(null);
  const q = useQuery({
    queryKey: ['catalogue', sellerTaxId, search, cursor],
    queryFn: () =>
      get<Page<CatalogueItem>>('/api/v1/catalogue/items', {
        sellerTaxId,
        cursor,
        limit: 50,
        ...(search ? { q: search } : {}),
      }),
    enabled: Boolean(sellerTaxId),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['catalogue'] });
  const toggle = async (item: CatalogueItem, enabled: boolean) => {
    try {
      await api('PATCH', `/api/v1/catalogue/items/${item.id}`, { enabled });
      refresh();
    } catch (err) {
      void toast.error(errorMessage(err));
    }
  };

  return (
    <Card
      title="商品档案"
      extra={
        <Space wrap>
          <Select
            data-testid="catalogue-org"
            style={{ minWidth: 240 }}
            value={sellerTaxId}
            onChange={(v) => {
              setSeller(v);
              setCursor(undefined);
            }}
            options={(orgs.data?.items ?? []).map((o) => ({ value: o.taxId, label: o.name }))}
          />
          <Button
            icon={<DownloadOutlined />}
            disabled={!sellerTaxId}
            onClick={async () => {
              try {
                saveFile(await fetchFile('GET', `/api/v1/catalogue/items/export.csv?sellerTaxId=${sellerTaxId}`));
              } catch (err) {
                void toast.error(errorMessage(err));
              }
            }}
          >
            导出 CSV
          </Button>
          {manage && (
            <>
              <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="catalogue-import">
                导入 CSV
              </Button>
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => setEditing('new')}
                data-testid="catalogue-add"
              >
                新增商品
              </Button>
            </>
          )}
        </Space>
      }
    >
      <Input.Search
        allowClear
        placeholder="按名称或编码前缀搜索"
        style={{ maxWidth: 320, marginBottom: 12 }}
        onSearch={(v) => {
          setSearch(v.trim());
          setCursor(undefined);
        }}
      />
      <PageState
        loading={orgs.isPending || q.isLoading}
        error={orgs.error ?? q.error}
        onRetry={() => void q.refetch()}
        empty={q.data?.items.length === 0 && !search && !cursor}
        emptyText="还没有商品：新增商品，或导入 CSV（名称、税收分类编码、税率、单价……）"
      >
        <Table<CatalogueItem>
          data-testid="catalogue-table"
          rowKey="id"
          size="middle"
          dataSource={q.data?.items ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            {
              title: '名称',
              render: (_: unknown, i) => (
                <span>
                  {i.shortName && <Typography.Text type="secondary">*{i.shortName}*</Typography.Text>}
                  {i.name}
                </span>
              ),
            },
            { title: '规格型号', dataIndex: 'spec', render: (v: string | null) => v ?? '—' },
            { title: '单位', dataIndex: 'unit', render: (v: string | null) => v ?? '—' },
            { title: '税收分类编码', dataIndex: 'taxCode' },
            { title: '税率', dataIndex: 'taxRate', render: (r: string) => formatTaxRatePercent(r) },
            {
              title: '单价',
              render: (_: unknown, i) =>
                i.unitPrice
                  ? `¥${/\.\d{3,}$/.test(i.unitPrice) ? i.unitPrice : money(i.unitPrice)}${i.taxInclusive ? '（含税）' : '（不含税）'}`
                  : '开票时填写',
            },
            { title: '修改时间', dataIndex: 'updatedAt', render: dateTime },
            {
              title: '状态',
              dataIndex: 'enabled',
              render: (e: boolean, i) =>
                manage ? (
                  <Switch size="small" checked={e} onChange={(v) => void toggle(i, v)} />
                ) : e ? (
                  <Tag color="success">启用</Tag>
                ) : (
                  <Tag>停用</Tag>
                ),
            },
            ...(manage
              ? [
                  {
                    title: '操作',
                    render: (_: unknown, i: CatalogueItem) => (
                      <Space>
                        <Button size="small" onClick={() => setEditing(i)}>
                          修改
                        </Button>
                        <Popconfirm
                          title={`删除「${i.name}」？`}
                          onConfirm={async () => {
                            try {
                              await api('DELETE', `/api/v1/catalogue/items/${i.id}`);
                              refresh();
                            } catch (err) {
                              void toast.error(errorMessage(err));
                            }
                          }}
                        >
                          <Button size="small" danger>
                            删除
                          </Button>
                        </Popconfirm>
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
        <Space style={{ marginTop: 12 }}>
          {cursor && <Button onClick={() => setCursor(undefined)}>第一页</Button>}
          {q.data?.nextCursor && <Button onClick={() => setCursor(q.data?.nextCursor ?? undefined)}>下一页</Button>}
        </Space>
      </PageState>
      {editing && sellerTaxId && (
        <ItemModal
          sellerTaxId={sellerTaxId}
          item={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            refresh();
            void toast.success('已保存');
          }}
        />
      )}
      {importing && sellerTaxId && (
        <ActionModal
          title="导入商品档案 CSV"
          okText="导入"
          onClose={() => setImporting(false)}
          fields={
            <>
              <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
                首行为表头：名称、规格型号、单位、税收分类编码、税率（如 6% 或
                0.06）、单价、含税（是/否）、启用（是/否）。
                任何一行有错误则不导入任何商品，并逐行列出错误；名称和规格型号相同的商品会被更新。导出的文件可直接改后导入。
              </Typography.Paragraph>
              <input
                type="file"
                accept=".csv,text/csv"
                aria-label="CSV 文件（UTF-8）"
                data-testid="catalogue-file"
                onChange={(e) => setImportFile(e.target.files?.[0] ?? null)}
              />
            </>
          }
          run={async () => {
            const file = importFile;
            if (!file) throw new Error('请选择 CSV 文件');
            if (file.size > 1_000_000) throw new Error('文件超过 1 MB，请分批导入');
            const csv = await file.text();
            try {
              const r = await post<{ created: number; updated: number; unchanged: number }>(
                '/api/v1/catalogue/items/import',
                {
                  sellerTaxId,
                  csv,
                },
              );
              setImporting(false);
              setImportErrors(null);
              refresh();
              void toast.success(`导入完成：新增 ${r.created}，更新 ${r.updated}，未变 ${r.unchanged}`);
            } catch (err) {
              const rows =
                err instanceof ApiError ? (err.details as { rows?: ImportRowError[] } | undefined)?.rows : undefined;
              if (rows && rows.length > 0) {
                setImporting(false);
                setImportErrors({ message: errorMessage(err), rows });
                return;
              }
              throw err;
            }
          }}
        />
      )}
      {importErrors && (
        <Modal open width={720} title="导入失败：未导入任何商品" footer={null} onCancel={() => setImportErrors(null)}>
          <Alert type="error" showIcon message={importErrors.message} style={{ marginBottom: 12 }} />
          <Table<ImportRowError>
            data-testid="import-errors"
            rowKey="line"
            size="small"
            pagination={false}
            dataSource={importErrors.rows}
            columns={[
              { title: '行', dataIndex: 'line', width: 60 },
              { title: '名称', dataIndex: 'name', width: 140, render: (v: string | null) => v ?? '—' },
              {
                title: '错误',
                render: (_: unknown, r) => (
                  <ul style={{ margin: 0, paddingLeft: 16 }}>
                    {r.errors.map((e) => (
                      <li key={e.field + e.message}>{e.message}</li>
                    ))}
                  </ul>
                ),
              },
            ]}
          />
        </Modal>
      )}
    </Card>
  );
}
