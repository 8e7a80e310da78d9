import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { errorMessage, get, post } from '../api';
import { PageState } from '../components/PageState';
import { SecretOnceModal } from '../components/SecretOnce';
import { dateTime } from '../format';
import { can, useSession } from '../session';
import { useToast } from '../toast';
import type { Org } from '../types';

interface Kiosk {
  id: string;
  name: string;
  sellerTaxId: string;
  paper: string;
  revoked: boolean;
  revokedAt: string | null;
  createdAt: string;
}

/** 自助打印终端: a store's kiosk links (shown once), revocation, and extraction codes for receipts. */
export default function KiosksPage() {
  const { data: session } = useSession();
  const canManage = can(session, 'scan.manage');
  const kiosks = useQuery({ queryKey: ['kiosks'], queryFn: () => get<{ items: Kiosk[] }>('/api/v1/counter/kiosks') });
  const orgs = useQuery({ queryKey: ['orgs'], queryFn: () => get<{ items: Org[] }>('/api/v1/orgs') });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const [code, setCode] = useState<{ orderNo: string; code: string } | null>(null);
  const [form] = Form.useForm<{ sellerTaxId: string; name: string; paper: 'a4' | 'a5' }>();
  const [codeForm] = Form.useForm<{ orderNo: string }>();
  const queryClient = useQueryClient();
  const toast = useToast();
  const orgName = (taxId: string) => orgs.data?.items.find((o) => o.taxId === taxId)?.name ?? taxId;
  const create = async () => {
    const v = await form.validateFields();
    try {
      const res = await post<{ url: string }>('/api/v1/counter/kiosks', v);
      setCreating(false);
      setCreated(res.url);
      await queryClient.invalidateQueries({ queryKey: ['kiosks'] });
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  const revoke = async (k: Kiosk) => {
    try {
      await post(`/api/v1/counter/kiosks/${k.id}/revoke`);
      toast.success('已停用');
      await queryClient.invalidateQueries({ queryKey: ['kiosks'] });
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  const makeCode = async () => {
    const v = await codeForm.validateFields();
    try {
      setCode(
        await post<{ orderNo: string; code: string }>('/api/v1/counter/extraction-codes', {
          orderNo: v.orderNo.trim(),
        }),
      );
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  return (
    <PageState loading={kiosks.isLoading} error={kiosks.error} onRetry={() => kiosks.refetch()}>
      <Space direction="vertical" style={{ width: '100%' }} size={16}>
        {canManage && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              form.setFieldsValue({ sellerTaxId: orgs.data?.items[0]?.taxId, name: '', paper: 'a4' });
              setCreating(true);
            }}
          >
            新建终端
          </Button>
        )}
        <Table<Kiosk>
          rowKey="id"
          size="middle"
          dataSource={kiosks.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: '还没有自助打印终端' }}
          columns={[
            { title: '名称', dataIndex: 'name' },
            { title: '销方', dataIndex: 'sellerTaxId', render: orgName },
            { title: '纸张', dataIndex: 'paper', render: (p: string) => p.toUpperCase() },
            { title: '状态', render: (_, k) => (k.revoked ? <Tag>已停用</Tag> : <Tag color="green">使用中</Tag>) },
            { title: '创建时间', dataIndex: 'createdAt', render: dateTime },
            {
              title: '',
              render: (_, k) =>
                canManage &&
                !k.revoked && (
                  <Popconfirm title="停用后该终端链接立即失效" onConfirm={() => revoke(k)}>
                    <Button size="small" danger>
                      停用
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
        {canManage && (
          <Card size="small" title="生成提取码（打印在小票上，凭订单号和提取码在终端取票）">
            <Form form={codeForm} layout="inline" onFinish={makeCode}>
              <Form.Item name="orderNo" rules={[{ required: true, message: '发票流水号' }]}>
                <Input placeholder="订单号（发票流水号）" style={{ width: 240 }} maxLength={32} />
              </Form.Item>
              <Button htmlType="submit">生成</Button>
            </Form>
            {code && (
              <Alert
                style={{ marginTop: 12 }}
                type="success"
                showIcon
                message={
                  <span>
                    订单号 <Typography.Text code>{code.orderNo}</Typography.Text> 提取码{' '}
                    <Typography.Text code copyable data-testid="extraction-code">
                      {code.code}
                    </Typography.Text>
                    （重新生成后旧码失效）
                  </span>
                }
              />
            )}
          </Card>
        )}
      </Space>
      <Modal
        open={creating}
        title="新建自助打印终端"
        onOk={create}
        onCancel={() => setCreating(false)}
        okText="创建"
        destroyOnHidden
        forceRender
      >
        <Form form={form} layout="vertical">
          <Form.Item name="sellerTaxId" label="销方" rules={[{ required: true }]}>
            <Select options={(orgs.data?.items ?? []).map((o) => ({ value: o.taxId, label: o.name }))} />
          </Form.Item>
          <Form.Item name="name" label="名称（门店）" rules={[{ required: true, max: 60 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="paper" label="打印纸张">
            <Select
              options={[
                { value: 'a4', label: 'A4' },
                { value: 'a5', label: 'A5' },
              ]}
            />
          </Form.Item>
        </Form>
      </Modal>
      <SecretOnceModal
        title="终端链接"
        label="自助打印终端链接"
        secret={created}
        warning="链接只显示这一次：在门店终端的浏览器中打开并设为主页。泄露后请停用并新建。"
        testId="kiosk-url"
        onClose={() => setCreated(null)}
      />
    </PageState>
  );
}
