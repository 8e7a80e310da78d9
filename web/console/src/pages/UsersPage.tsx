import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Drawer, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, errorMessage, get } from '../api';
import { PageState } from '../components/PageState';
import { type ConsoleSessionRow, SessionTable } from '../components/SessionTable';
import { dateTime } from '../format';
import { ROLE_NAMES, useSession } from '../session';
import { useToast } from '../toast';
import type { Org } from '../types';

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: string;
  orgTaxIds: string[] | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

const ROLE_COLORS: Record<string, string> = {
  admin: 'red',
  finance: 'gold',
  clerk: 'blue',
  auditor: 'purple',
  employee: 'default',
};

const ROLE_HINTS: Record<string, string> = {
  admin: '全部功能，含用户与系统管理',
  finance: '发票、红冲、推送、扫码开票',
  clerk: '仅为分配的销方开票与处理扫码订单',
  auditor: '只读，含审计日志',
  employee: '仅本人票夹',
};

const roleOptions = Object.entries(ROLE_NAMES).map(([value, label]) => ({
  value,
  label: `${label}（${ROLE_HINTS[value] ?? ''}）`,
}));

interface UserForm {
  username: string;
  displayName?: string;
  role: string;
  orgTaxIds?: string[];
  password: string;
  confirm: string;
}

const passwordRules = [
  { required: true, message: '请输入密码' },
  { min: 8, message: '至少 8 位' },
];

/** 组织与用户 › 用户: console users of the tenant (users.manage) — create, change role/orgs, reset, disable, sessions. */
export default function UsersPage() {
  const message = useToast();
  const queryClient = useQueryClient();
  const { data: session } = useSession();
  const users = useQuery({ queryKey: ['/api/v1/users'], queryFn: () => get<{ items: User[] }>('/api/v1/users') });
  const orgs = useQuery({ queryKey: ['/api/v1/orgs'], queryFn: () => get<{ items: Org[] }>('/api/v1/orgs') });
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [sessionsOf, setSessionsOf] = useState<User | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['/api/v1/users'] });
  const orgName = new Map((orgs.data?.items ?? []).map((o) => [o.taxId, o.name]));

  const setDisabled = async (user: User, disabled: boolean) => {
    try {
      await api('PATCH', `/api/v1/users/${encodeURIComponent(user.id)}`, { disabled });
      void message.success(disabled ? `已停用 ${user.username}，其登录已结束` : `已启用 ${user.username}`);
      await refresh();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  return (
    <Card
      title="用户与角色"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          新增用户
        </Button>
      }
    >
      <PageState
        loading={users.isLoading}
        error={users.error}
        onRetry={() => void users.refetch()}
        empty={users.data?.items.length === 0}
        emptyText="还没有用户，点击“新增用户”创建"
      >
        <Table<User>
          rowKey="id"
          dataSource={users.data?.items ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: '用户名', dataIndex: 'username' },
            { title: '姓名', dataIndex: 'displayName' },
            {
              title: '角色',
              dataIndex: 'role',
              render: (r: string) => <Tag color={ROLE_COLORS[r]}>{ROLE_NAMES[r] ?? r}</Tag>,
            },
            {
              title: '负责销方',
              render: (_, u) =>
                u.role !== 'clerk' ? (
                  '全部'
                ) : (u.orgTaxIds ?? []).length === 0 ? (
                  <span className="ofp-secondary">未分配</span>
                ) : (
                  (u.orgTaxIds ?? []).map((t) => <Tag key={t}>{orgName.get(t) ?? t}</Tag>)
                ),
            },
            {
              title: '状态',
              dataIndex: 'disabled',
              render: (d: boolean) => (d ? <Tag color="default">已停用</Tag> : <Tag color="success">启用</Tag>),
            },
            { title: '创建时间', dataIndex: 'createdAt', render: dateTime },
            {
              title: '操作',
              render: (_, u) => {
                const self = u.id === session?.user.id;
                return (
                  <Space size={4} wrap>
                    <Button size="small" onClick={() => setEditing(u)}>
                      编辑
                    </Button>
                    <Button size="small" onClick={() => setResetting(u)}>
                      重置密码
                    </Button>
                    <Button size="small" onClick={() => setSessionsOf(u)}>
                      会话
                    </Button>
                    {u.disabled ? (
                      <Button size="small" onClick={() => void setDisabled(u, false)}>
                        启用
                      </Button>
                    ) : (
                      <Popconfirm
                        title={`停用 ${u.username}？`}
                        description="停用后该用户的全部登录立即结束，且不能再登录。"
                        okText="停用"
                        cancelText="取消"
                        onConfirm={() => setDisabled(u, true)}
                        disabled={self}
                      >
                        <Button size="small" danger disabled={self} title={self ? '不能停用自己' : undefined}>
                          停用
                        </Button>
                      </Popconfirm>
                    )}
                  </Space>
                );
              },
            },
          ]}
        />
      </PageState>
      {editing && (
        <UserModal
          user={editing === 'new' ? null : editing}
          orgs={orgs.data?.items ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void refresh();
          }}
        />
      )}
      {resetting && <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />}
      {sessionsOf && <UserSessionsDrawer user={sessionsOf} onClose={() => setSessionsOf(null)} />}
    </Card>
  );
}

function UserModal({
  user,
  orgs,
  onClose,
  onSaved,
}: {
  user: User | null;
  orgs: Org[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const [form] = Form.useForm<UserForm>();
  const role = Form.useWatch('role', form);
  const [saving, setSaving] = useState(false);
  const message = useToast();
  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      const orgTaxIds = v.role === 'clerk' ? (v.orgTaxIds ?? []) : null;
      if (user) {
        await api('PATCH', `/api/v1/users/${encodeURIComponent(user.id)}`, {
          displayName: v.displayName || user.username,
          role: v.role,
          orgTaxIds,
        });
        void message.success(
          v.role !== user.role ? `已保存；${user.username} 需要重新登录以使用新角色` : `已保存 ${user.username}`,
        );
      } else {
        await api('POST', '/api/v1/users', {
          username: v.username,
          ...(v.displayName ? { displayName: v.displayName } : {}),
          role: v.role,
          orgTaxIds,
          password: v.password,
        });
        void message.success(`已创建用户 ${v.username}`);
      }
      onSaved();
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      title={user ? `编辑用户 ${user.username}` : '新增用户'}
      open
      onOk={submit}
      onCancel={onClose}
      confirmLoading={saving}
      okText="保存"
      cancelText="取消"
      destroyOnHidden
    >
      <Form<UserForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={
          user
            ? { displayName: user.displayName, role: user.role, orgTaxIds: user.orgTaxIds ?? [] }
            : { role: 'clerk', orgTaxIds: [] }
        }
      >
        {!user && (
          <Form.Item
            name="username"
            label="用户名"
            extra="登录用，字母或数字开头，可含 . _ @ -"
            rules={[
              { required: true, message: '请输入用户名' },
              { min: 2, max: 60, message: '2–60 个字符' },
              { pattern: /^[A-Za-z0-9][A-Za-z0-9._@-]*$/, message: '只能包含字母、数字和 . _ @ -，且以字母或数字开头' },
            ]}
          >
            <Input autoComplete="off" />
          </Form.Item>
        )}
        <Form.Item name="displayName" label="姓名" rules={[{ max: 100, message: '最多 100 个字符' }]}>
          <Input placeholder={user ? undefined : '默认与用户名相同'} />
        </Form.Item>
        <Form.Item name="role" label="角色" rules={[{ required: true, message: '请选择角色' }]}>
          <Select options={roleOptions} />
        </Form.Item>
        {role === 'clerk' && (
          <Form.Item
            name="orgTaxIds"
            label="负责的销方"
            extra="开票员只能为这里选中的销方开票、查看发票和处理扫码订单"
            rules={[{ required: true, type: 'array', min: 1, message: '请至少选择一个销方' }]}
          >
            <Select
              mode="multiple"
              options={orgs.map((o) => ({ value: o.taxId, label: `${o.name}（${o.taxId}）` }))}
              optionFilterProp="label"
              placeholder="选择销方"
            />
          </Form.Item>
        )}
        {!user && (
          <>
            <Form.Item name="password" label="初始密码" rules={passwordRules}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Form.Item
              name="confirm"
              label="确认密码"
              dependencies={['password']}
              rules={[
                { required: true, message: '请再次输入密码' },
                ({ getFieldValue }) => ({
                  validator: (_, v) =>
                    !v || v === getFieldValue('password')
                      ? Promise.resolve()
                      : Promise.reject(new Error('两次输入不一致')),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}

function ResetPasswordModal({ user, onClose }: { user: User; onClose: () => void }) {
  const [form] = Form.useForm<{ newPassword: string }>();
  const [saving, setSaving] = useState(false);
  const message = useToast();
  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      await api('POST', `/api/v1/users/${encodeURIComponent(user.id)}/password`, { newPassword: v.newPassword });
      void message.success(`已重置 ${user.username} 的密码，其全部登录已结束`);
      onClose();
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      title={`重置密码：${user.username}`}
      open
      onOk={submit}
      onCancel={onClose}
      confirmLoading={saving}
      okText="重置"
      cancelText="取消"
      destroyOnHidden
    >
      <p className="ofp-secondary">重置后该用户的全部登录会话立即结束，需用新密码重新登录。</p>
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="newPassword" label="新密码" rules={passwordRules}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function UserSessionsDrawer({ user, onClose }: { user: User; onClose: () => void }) {
  const message = useToast();
  const key = ['/api/v1/users/sessions', user.id];
  const queryClient = useQueryClient();
  const q = useQuery({
    queryKey: key,
    queryFn: () => get<{ items: ConsoleSessionRow[] }>(`/api/v1/users/${encodeURIComponent(user.id)}/sessions`),
  });
  const end = async (sessionId: string | null) => {
    try {
      const base = `/api/v1/users/${encodeURIComponent(user.id)}/sessions`;
      await api('DELETE', sessionId ? `${base}/${encodeURIComponent(sessionId)}` : base);
      void message.success(sessionId ? '已结束该会话' : `已结束 ${user.username} 的全部会话`);
      await queryClient.invalidateQueries({ queryKey: key });
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  return (
    <Drawer
      title={`${user.username} 的登录会话`}
      open
      onClose={onClose}
      width={720}
      extra={
        <Popconfirm title="结束该用户的全部会话？" okText="结束" cancelText="取消" onConfirm={() => end(null)}>
          <Button danger disabled={!q.data?.items.length}>
            全部结束
          </Button>
        </Popconfirm>
      }
    >
      <PageState
        loading={q.isLoading}
        error={q.error}
        onRetry={() => void q.refetch()}
        empty={q.data?.items.length === 0}
        emptyText="该用户当前没有登录会话"
      >
        <SessionTable items={q.data?.items ?? []} onEnd={(id) => void end(id)} />
      </PageState>
    </Drawer>
  );
}
