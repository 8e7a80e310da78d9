import { DownloadOutlined, PlusOutlined, PrinterOutlined, QrcodeOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { INVOICE_KINDS, roundHalfUp } from '@tax';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, errorMessage, get, post } from '../api';
import { CataloguePicker, catalogueUnitPrice } from '../components/CataloguePicker';
import { PageState } from '../components/PageState';
import { SecretOnceModal } from '../components/SecretOnce';
import { dateTime, kindName } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';
import type { Org } from '../types';

interface PresetLine {
  name: string;
  taxCode: string;
  taxRate: string;
  amount?: string;
  quantity?: string;
  unitPrice?: string;
  unit?: string;
}

interface Setting {
  key: string;
  name: string | null;
  sellerTaxId: string;
  businessSystemCode: string | null;
  scanType: 'issue' | 'title_only';
  allowedKinds: string[];
  validityDays: number;
  preset: { lines: PresetLine[]; remark?: string; maxAmount?: string } | null;
  enabled: boolean;
  requireConfirmation: boolean;
  staticUrl: string | null;
  staticQrPngUrl: string | null;
  staticQrSvgUrl: string | null;
  secretRotatedAt: string;
  createdAt: string;
}

const SCAN_TYPES: Record<string, string> = { issue: '扫码开票', title_only: '扫码提交抬头' };
const TAX_RATES = ['0.13', '0.09', '0.06', '0.05', '0.03', '0.01', '0'];

interface FormValues {
  name?: string;
  sellerTaxId: string;
  businessSystemCode?: string;
  scanType: 'issue' | 'title_only';
  allowedKinds: string[];
  validityDays: number;
  requireConfirmation: boolean;
  hasPreset: boolean;
  presetName?: string;
  presetTaxCode?: string;
  presetTaxRate?: string;
  presetAmount?: string;
  presetMaxAmount?: string;
  presetRemark?: string;
}

/** A preset of one line the form can edit (a preset of several lines is kept as it is: API only). */
const editablePreset = (s: Setting | null) => !s?.preset || s.preset.lines.length === 1;

function toForm(s: Setting | null): Partial<FormValues> {
  if (!s) return { scanType: 'issue', allowedKinds: ['82', '81'], validityDays: 30, hasPreset: false };
  const line = s.preset?.lines[0];
  return {
    name: s.name ?? undefined,
    sellerTaxId: s.sellerTaxId,
    businessSystemCode: s.businessSystemCode ?? undefined,
    scanType: s.scanType,
    allowedKinds: s.allowedKinds,
    validityDays: s.validityDays,
    requireConfirmation: s.requireConfirmation,
    hasPreset: s.preset !== null,
    presetName: line?.name,
    presetTaxCode: line?.taxCode,
    presetTaxRate: line?.taxRate,
    presetAmount: line?.amount,
    presetMaxAmount: s.preset?.maxAmount,
    presetRemark: s.preset?.remark,
  };
}

function toBody(v: FormValues, editing: Setting | null) {
  const body: Record<string, unknown> = {
    name: v.name?.trim() || null,
    businessSystemCode: v.businessSystemCode?.trim() || null,
    scanType: v.scanType,
    allowedKinds: v.allowedKinds,
    validityDays: v.validityDays,
    requireConfirmation: v.requireConfirmation ?? false,
  };
  if (!editing) body.sellerTaxId = v.sellerTaxId;
  if (editablePreset(editing)) {
    body.preset = v.hasPreset
      ? {
          lines: [
            {
              name: v.presetName?.trim(),
              taxCode: v.presetTaxCode?.trim(),
              taxRate: v.presetTaxRate,
              ...(v.presetAmount?.trim() ? { amount: v.presetAmount.trim() } : {}),
            },
          ],
          ...(v.presetMaxAmount?.trim() ? { maxAmount: v.presetMaxAmount.trim() } : {}),
          ...(v.presetRemark?.trim() ? { remark: v.presetRemark.trim() } : {}),
        }
      : null;
  }
  return body;
}

/** 二维码设置: list, create, edit, enable/disable, rotate the signing secret, QR preview, downloads and the poster. */
export default function ScanSettingsPage() {
  const { data: session } = useSession();
  const manage = can(session, 'scan.manage');
  const queryClient = useQueryClient();
  const message = useToast();
  const [editing, setEditing] = useState<Setting | 'new' | null>(null);
  const [qrOf, setQrOf] = useState<Setting | null>(null);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const q = useQuery({
    queryKey: ['scan-settings'],
    queryFn: () => get<{ items: Setting[] }>('/api/v1/scan/settings'),
  });
  const orgs = useQuery({ queryKey: ['orgs'], queryFn: () => get<{ items: Org[] }>('/api/v1/orgs') });
  const orgName = (taxId: string) => orgs.data?.items.find((o) => o.taxId === taxId)?.name ?? taxId;
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['scan-settings'] });

  const toggle = async (s: Setting, enabled: boolean) => {
    try {
      await api('PATCH', `/api/v1/scan/settings/${encodeURIComponent(s.key)}`, { enabled });
      void message.success(enabled ? '已启用' : '已停用');
      void refresh();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  const rotate = async (s: Setting) => {
    try {
      const r = await post<Setting & { secret: string }>(
        `/api/v1/scan/settings/${encodeURIComponent(s.key)}/rotate-secret`,
      );
      setSecret({ title: `新的签名密钥：${s.name ?? s.key}`, value: r.secret });
      void refresh();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  return (
    <Card
      title="二维码设置"
      extra={
        manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            新建二维码设置
          </Button>
        )
      }
    >
      <PageState
        loading={q.isLoading}
        error={q.error}
        onRetry={() => void q.refetch()}
        empty={q.data?.items.length === 0}
        emptyText="还没有二维码设置：新建一个，门店或收费处就可以让消费者扫码开票"
      >
        <Table<Setting>
          data-testid="setting-table"
          rowKey="key"
          dataSource={q.data?.items ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            {
              title: '名称',
              render: (_, s) => (
                <Space direction="vertical" size={0}>
                  <span>{s.name ?? '（未命名）'}</span>
                  <Typography.Text type="secondary" copyable>
                    {s.key}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: '销售方', dataIndex: 'sellerTaxId', render: orgName },
            { title: '类型', dataIndex: 'scanType', render: (t: string) => SCAN_TYPES[t] ?? t },
            { title: '票种', dataIndex: 'allowedKinds', render: (k: string[]) => k.map(kindName).join('、') },
            { title: '有效期', dataIndex: 'validityDays', render: (d: number) => `${d} 天` },
            {
              title: '默认开票',
              render: (_, s) =>
                s.preset ? <Tag color="blue">静态二维码</Tag> : <Typography.Text type="secondary">—</Typography.Text>,
            },
            { title: '业务系统', dataIndex: 'businessSystemCode', render: (v) => v ?? '—' },
            {
              title: '启用',
              render: (_, s) => (
                <Switch
                  checked={s.enabled}
                  disabled={!manage}
                  aria-label={`启用 ${s.name ?? s.key}`}
                  onChange={(v) => void toggle(s, v)}
                />
              ),
            },
            { title: '密钥轮换', dataIndex: 'secretRotatedAt', render: dateTime },
            {
              title: '操作',
              fixed: 'right',
              render: (_, s) => (
                <Space>
                  <Button size="small" icon={<QrcodeOutlined />} onClick={() => setQrOf(s)}>
                    二维码
                  </Button>
                  {manage && (
                    <Button size="small" onClick={() => setEditing(s)}>
                      编辑
                    </Button>
                  )}
                  {manage && (
                    <Popconfirm
                      title="轮换签名密钥？"
                      description="旧密钥立即失效：商家系统用旧密钥签名的链接将无法打开。"
                      okText="轮换"
                      onConfirm={() => rotate(s)}
                    >
                      <Button size="small">轮换密钥</Button>
                    </Popconfirm>
                  )}
                  <Link to={`/scan/orders?settingKey=${encodeURIComponent(s.key)}`}>订单</Link>
                </Space>
              ),
            },
          ]}
        />
      </PageState>
      {editing !== null && (
        <SettingModal
          setting={editing === 'new' ? null : editing}
          orgs={orgs.data?.items ?? []}
          onClose={() => setEditing(null)}
          onSaved={(created) => {
            setEditing(null);
            void refresh();
            if (created)
              setSecret({ title: `二维码设置已创建：${created.name ?? created.key}`, value: created.secret });
          }}
        />
      )}
      <QrDrawer setting={qrOf} sellerName={qrOf ? orgName(qrOf.sellerTaxId) : ''} onClose={() => setQrOf(null)} />
      <SecretOnceModal
        title={secret?.title ?? ''}
        label="签名密钥（商家系统用它签名扫码链接）"
        secret={secret?.value ?? null}
        onClose={() => setSecret(null)}
      />
    </Card>
  );
}

function SettingModal({
  setting,
  orgs,
  onClose,
  onSaved,
}: {
  setting: Setting | null;
  orgs: Org[];
  onClose: () => void;
  onSaved: (created: (Setting & { secret: string }) | null) => void;
}) {
  const [form] = Form.useForm<FormValues>();
  const hasPreset = Form.useWatch('hasPreset', form);
  const presetSeller = Form.useWatch('sellerTaxId', form);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async (v: FormValues) => {
    setSaving(true);
    setError(null);
    try {
      if (setting) {
        await api('PATCH', `/api/v1/scan/settings/${encodeURIComponent(setting.key)}`, toBody(v, setting));
        onSaved(null);
      } else {
        onSaved(await post<Setting & { secret: string }>('/api/v1/scan/settings', toBody(v, null)));
      }
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open
      width={640}
      title={setting ? `编辑二维码设置 ${setting.name ?? setting.key}` : '新建二维码设置'}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText="保存"
      confirmLoading={saving}
      destroyOnHidden
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={toForm(setting)}
        onFinish={save}
        data-testid="setting-form"
      >
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
        <Form.Item name="name" label="名称" extra="门店、收费处等，便于识别">
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="sellerTaxId" label="销售方" rules={[{ required: true, message: '请选择销售方' }]}>
          <Select
            disabled={setting !== null}
            options={orgs.map((o) => ({ value: o.taxId, label: `${o.name}（${o.taxId}）` }))}
          />
        </Form.Item>
        <Space size={16} style={{ display: 'flex' }} align="start">
          <Form.Item name="scanType" label="类型" rules={[{ required: true }]}>
            <Radio.Group
              options={Object.entries(SCAN_TYPES).map(([value, label]) => ({ value, label }))}
              optionType="button"
            />
          </Form.Item>
          <Form.Item
            name="validityDays"
            label="二维码有效期（天）"
            rules={[{ required: true, message: '请填写有效期' }]}
          >
            <InputNumber min={1} max={366} precision={0} />
          </Form.Item>
        </Space>
        <Form.Item name="allowedKinds" label="允许的票种" rules={[{ required: true, message: '至少选择一个票种' }]}>
          <Select mode="multiple" options={INVOICE_KINDS.map((k) => ({ value: k, label: kindName(k) }))} />
        </Form.Item>
        <Form.Item name="businessSystemCode" label="业务系统编码" extra="订单事件推送给该业务系统；留空则不关联">
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item name="hasPreset" valuePropName="checked">
          <Checkbox disabled={!editablePreset(setting)}>
            默认开票（静态二维码：消费者扫码即按预设内容开票，可打印台卡）
          </Checkbox>
        </Form.Item>
        {!editablePreset(setting) && (
          <Alert type="info" showIcon message="该设置的默认开票有多行，请通过 API 修改；此处保存不会改动它。" />
        )}
        {hasPreset && editablePreset(setting) && (
          <Card size="small" title="默认开票内容" style={{ marginBottom: 16 }}>
            <div style={{ marginBottom: 12, maxWidth: 360 }}>
              <CataloguePicker
                sellerTaxId={presetSeller}
                testId="preset-catalogue"
                placeholder="从商品档案填入（名称、编码、税率、含税单价）"
                onPick={(item) => {
                  const price = catalogueUnitPrice(item, true);
                  form.setFieldsValue({
                    presetName: item.name,
                    presetTaxCode: item.taxCode,
                    presetTaxRate: item.taxRate,
                    ...(price ? { presetAmount: roundHalfUp(price, 2).toFixed(2) } : {}),
                  });
                }}
              />
            </div>
            <Space size={12} wrap align="start">
              <Form.Item name="presetName" label="项目名称" rules={[{ required: true, message: '请填写项目名称' }]}>
                <Input maxLength={90} style={{ width: 180 }} />
              </Form.Item>
              <Form.Item
                name="presetTaxCode"
                label="税收分类编码"
                rules={[{ required: true, pattern: /^\d{19}$/, message: '19 位数字' }]}
              >
                <Input maxLength={19} style={{ width: 200 }} />
              </Form.Item>
              <Form.Item name="presetTaxRate" label="税率" rules={[{ required: true, message: '请选择税率' }]}>
                <Select
                  style={{ width: 100 }}
                  options={TAX_RATES.map((r) => ({ value: r, label: `${Number(r) * 100}%` }))}
                />
              </Form.Item>
              <Form.Item
                name="presetAmount"
                label="金额（含税）"
                extra="留空：由消费者填写"
                rules={[{ pattern: /^\d{1,13}(\.\d{1,2})?$/, message: '金额格式不正确' }]}
              >
                <Input style={{ width: 140 }} />
              </Form.Item>
              <Form.Item
                name="presetMaxAmount"
                label="消费者可填最高金额"
                rules={[{ pattern: /^\d{1,13}(\.\d{1,2})?$/, message: '金额格式不正确' }]}
              >
                <Input style={{ width: 140 }} placeholder="10000.00" />
              </Form.Item>
            </Space>
            <Form.Item name="presetRemark" label="备注">
              <Input maxLength={450} />
            </Form.Item>
            <Form.Item name="requireConfirmation" valuePropName="checked" style={{ marginBottom: 0 }}>
              <Checkbox>提交后需商家确认才开票</Checkbox>
            </Form.Item>
          </Card>
        )}
      </Form>
    </Modal>
  );
}

function QrDrawer({
  setting,
  sellerName,
  onClose,
}: {
  setting: Setting | null;
  sellerName: string;
  onClose: () => void;
}) {
  const key = setting ? encodeURIComponent(setting.key) : '';
  return (
    <Drawer
      open={setting !== null}
      onClose={onClose}
      width={520}
      title={`二维码：${setting?.name ?? setting?.key ?? ''}`}
    >
      {setting &&
        (setting.preset ? (
          <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="qr-panel">
            {!setting.enabled && <Alert type="warning" showIcon message="该设置已停用：扫码将提示已停用。" />}
            <div style={{ textAlign: 'center' }}>
              <img src={`/q/${key}/qr.svg`} alt="静态二维码" width={240} height={240} />
              <div>{sellerName}</div>
            </div>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label="链接">
                <Typography.Text copyable>{setting.staticUrl}</Typography.Text>
              </Descriptions.Item>
            </Descriptions>
            <Space wrap>
              <Button icon={<DownloadOutlined />} href={`/q/${key}/qr.png`} download={`qr-${setting.key}.png`}>
                下载 PNG
              </Button>
              <Button icon={<DownloadOutlined />} href={`/q/${key}/qr.svg`} download={`qr-${setting.key}.svg`}>
                下载 SVG
              </Button>
            </Space>
            <Card size="small" title="台卡（打印后放在收银台、餐桌）">
              <Space wrap>
                <Button
                  type="primary"
                  icon={<PrinterOutlined />}
                  href={`/api/v1/scan/settings/${key}/poster.pdf?size=a4`}
                  download={`poster-${setting.key}-a4.pdf`}
                >
                  下载台卡 PDF（A4）
                </Button>
                <Button
                  icon={<PrinterOutlined />}
                  href={`/api/v1/scan/settings/${key}/poster.pdf?size=a5`}
                  download={`poster-${setting.key}-a5.pdf`}
                >
                  下载台卡 PDF（A5）
                </Button>
              </Space>
            </Card>
          </Space>
        ) : (
          <Alert
            type="info"
            showIcon
            message="该设置没有默认开票"
            description="每个订单的二维码由推单接口（POST /api/v1/scan/orders）或商家系统签名的链接生成，在扫码订单中查看。要打印固定的台卡，请在编辑中开启默认开票。"
          />
        ))}
    </Drawer>
  );
}
