import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, errorMessage, get } from '../api';
import { cutColumns } from '../components/cut-columns';
import { PageState } from '../components/PageState';
import { dateTime } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';

interface OrgDetail {
  taxId: string;
  name: string;
  address: string | null;
  phone: string | null;
  bankName: string | null;
  bankAccount: string | null;
  regionCode: string | null;
  channelBinding: { status: 'bound' | 'unbound'; boundAt: string | null };
  createdAt: string;
  updatedAt: string;
}

interface OrgForm {
  taxId: string;
  name: string;
  address?: string;
  phone?: string;
  bankName?: string;
  bankAccount?: string;
  regionCode?: string;
}

const KEY = ['/api/v1/orgs'];
const orNull = (v: string | undefined) => (v?.trim() ? v.trim() : null);

/** 组织与用户 › 销方企业: seller orgs (orgs.read), create/edit and the issuing-channel binding (orgs.manage). */
export default function OrgsPage() {
  const { data: session } = useSession();
  const manage = can(session, 'orgs.manage');
  const message = useToast();
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: KEY, queryFn: () => get<{ items: OrgDetail[] }>('/api/v1/orgs') });
  const [editing, setEditing] = useState<OrgDetail | 'new' | null>(null);
  const [binding, setBinding] = useState<OrgDetail | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: KEY });

  const unbind = async (org: OrgDetail) => {
    try {
      await api('DELETE', `/api/v1/orgs/${encodeURIComponent(org.taxId)}/channel-binding`);
      void message.success(`已解除 ${org.name} 的开票通道绑定`);
      await refresh();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  return (
    <Card
      title="销方企业"
      extra={
        manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            新增销方
          </Button>
        )
      }
    >
      <PageState
        loading={q.isLoading}
        error={q.error}
        onRetry={() => void q.refetch()}
        empty={q.data?.items.length === 0}
        emptyText={manage ? '还没有销方企业，点击“新增销方”添加' : '还没有销方企业'}
      >
        <Table<OrgDetail>
          rowKey="taxId"
          dataSource={q.data?.items ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          columns={cutColumns<OrgDetail>([
            { title: '纳税人识别号', dataIndex: 'taxId' },
            { title: '名称', dataIndex: 'name' },
            {
              title: '地址、电话',
              width: 260,
              ellipsis: true,
              render: (_, o) => [o.address, o.phone].filter(Boolean).join(' ') || '—',
            },
            {
              title: '开户行及账号',
              width: 260,
              ellipsis: true,
              render: (_, o) => [o.bankName, o.bankAccount].filter(Boolean).join(' ') || '—',
            },
            {
              title: '开票通道',
              render: (_, o) =>
                o.channelBinding.status === 'bound' ? (
                  <Tag color="success" title={`绑定于 ${dateTime(o.channelBinding.boundAt)}`}>
                    已绑定
                  </Tag>
                ) : (
                  <Tag color="warning">未绑定（不能开票）</Tag>
                ),
            },
            { title: '更新时间', dataIndex: 'updatedAt', render: dateTime },
            ...(manage
              ? [
                  {
                    title: '操作',
                    render: (_: unknown, o: OrgDetail) => (
                      <Space size={4}>
                        <Button size="small" onClick={() => setEditing(o)}>
                          编辑
                        </Button>
                        {o.channelBinding.status === 'bound' ? (
                          <Popconfirm
                            title={`解除 ${o.name} 的开票通道绑定？`}
                            description="解除后不能再以该销方开票，排队中的开票任务将失败。"
                            okText="解除"
                            cancelText="取消"
                            onConfirm={() => unbind(o)}
                          >
                            <Button size="small" danger>
                              解除绑定
                            </Button>
                          </Popconfirm>
                        ) : (
                          <Button size="small" type="primary" ghost onClick={() => setBinding(o)}>
                            绑定通道
                          </Button>
                        )}
                      </Space>
                    ),
                  },
                ]
              : []),
          ])}
        />
      </PageState>
      {editing && (
        <OrgModal
          org={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void refresh();
          }}
        />
      )}
      {binding && (
        <BindModal
          org={binding}
          onClose={() => setBinding(null)}
          onSaved={() => {
            setBinding(null);
            void refresh();
          }}
        />
      )}
    </Card>
  );
}

function OrgModal({ org, onClose, onSaved }: { org: OrgDetail | null; onClose: () => void; onSaved: () => void }) {
  const [form] = Form.useForm<OrgForm>();
  const [saving, setSaving] = useState(false);
  const message = useToast();
  const submit = async () => {
    const v = await form.validateFields();
    const fields = {
      name: v.name.trim(),
      address: orNull(v.address),
      phone: orNull(v.phone),
      bankName: orNull(v.bankName),
      bankAccount: orNull(v.bankAccount),
      regionCode: orNull(v.regionCode),
    };
    setSaving(true);
    try {
      if (org) await api('PATCH', `/api/v1/orgs/${encodeURIComponent(org.taxId)}`, fields);
      else await api('POST', '/api/v1/orgs', { taxId: v.taxId.trim().toUpperCase(), ...fields });
      void message.success(org ? `已保存 ${fields.name}` : `已添加 ${fields.name}，绑定开票通道后即可开票`);
      onSaved();
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      title={org ? `编辑销方：${org.name}` : '新增销方企业'}
      open
      onOk={submit}
      onCancel={onClose}
      confirmLoading={saving}
      okText="保存"
      cancelText="取消"
      destroyOnHidden
    >
      <Form<OrgForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={
          org
            ? {
                taxId: org.taxId,
                name: org.name,
                address: org.address ?? '',
                phone: org.phone ?? '',
                bankName: org.bankName ?? '',
                bankAccount: org.bankAccount ?? '',
                regionCode: org.regionCode ?? '',
              }
            : {}
        }
      >
        <Form.Item
          name="taxId"
          label="纳税人识别号"
          rules={[
            { required: true, message: '请输入纳税人识别号' },
            { pattern: /^[0-9A-Za-z]{15,20}$/, message: '15–20 位数字或字母' },
          ]}
        >
          <Input disabled={org !== null} maxLength={20} />
        </Form.Item>
        <Form.Item name="name" label="名称" rules={[{ required: true, whitespace: true, message: '请输入销方名称' }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="address" label="地址">
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="phone" label="电话">
          <Input maxLength={40} />
        </Form.Item>
        <Form.Item name="bankName" label="开户行">
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="bankAccount" label="银行账号">
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item
          name="regionCode"
          label="行政区划码"
          rules={[{ pattern: /^\d{6}$/, message: '6 位数字' }]}
          extra="6 位行政区划代码，可不填"
        >
          <Input maxLength={6} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function BindModal({ org, onClose, onSaved }: { org: OrgDetail; onClose: () => void; onSaved: () => void }) {
  const [form] = Form.useForm<{ credential: string }>();
  const [saving, setSaving] = useState(false);
  const message = useToast();
  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      await api('POST', `/api/v1/orgs/${encodeURIComponent(org.taxId)}/channel-binding`, {
        credential: v.credential.trim(),
      });
      void message.success(`${org.name} 已绑定开票通道`);
      onSaved();
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      title={`绑定开票通道：${org.name}`}
      open
      onOk={submit}
      onCancel={onClose}
      confirmLoading={saving}
      okText="绑定"
      cancelText="取消"
      destroyOnHidden
    >
      <p className="ofp-secondary">
        出示税局（沙箱）为税号 {org.taxId} 签发的通道凭据。沙箱环境由运维人员运行
        <code> openfapiao sandbox credential </code>签发。
      </p>
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item
          name="credential"
          label="通道凭据"
          rules={[{ required: true, whitespace: true, message: '请输入凭据' }]}
        >
          <Input.TextArea rows={3} maxLength={500} autoComplete="off" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
