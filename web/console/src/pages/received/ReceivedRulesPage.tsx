import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  COMPLIANCE_RULE_IDS,
  COMPLIANCE_RULE_NAMES,
  type ComplianceRuleId,
  type ComplianceRules,
} from '@tax/compliance';
import { RECEIVED_INVOICE_KIND_NAMES, type ReceivedInvoiceKind } from '@tax/received-invoice-kinds';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, errorMessage, get, withQuery } from '../../api';
import { PageState } from '../../components/PageState';
import { dateTime } from '../../format';
import { can, useSession } from '../../session';
import { useToast } from '../../toast';

export interface RulesView {
  buyerOrgId: string | null;
  source: 'org' | 'tenant' | 'default';
  rules: ComplianceRules;
  updatedAt: string | null;
  updatedBy: string | null;
  buyerOrgs: Array<{ id: string; taxId: string; name: string; ownRules: boolean }>;
}

const SOURCE_TEXT: Record<RulesView['source'], string> = {
  org: '该企业自己的规则',
  tenant: '沿用租户默认规则',
  default: '系统默认规则（尚未保存）',
};

const DESCRIPTIONS: Record<ComplianceRuleId, string> = {
  buyerName: '购买方名称须为本租户的企业之一（忽略全/半角括号、空格与大小写）',
  buyerTaxId: '购买方税号须为本租户的企业之一',
  personalTitle: '购买方为“个人”、自然人姓名或无税号时不通过',
  verification: '查验结果须为“正常”；待查验时跳过',
  duplicate: '与先收到的发票重复',
  maxAge: '开票日期早于设定天数',
  maxAmount: '价税合计超过上限',
  sellerBlocklist: '销售方税号在黑名单中',
  kind: '票种不在接收范围内',
};

type Rules = ComplianceRules;

function ParamsEditor({
  id,
  rules,
  onChange,
  disabled,
}: {
  id: ComplianceRuleId;
  rules: Rules;
  onChange: (next: Rules) => void;
  disabled: boolean;
}) {
  const set = <K extends ComplianceRuleId>(k: K, params: Rules[K]['params']) =>
    onChange({ ...rules, [k]: { ...rules[k], params } });
  switch (id) {
    case 'duplicate': {
      const p = rules.duplicate.params;
      return (
        <Space wrap>
          <Checkbox
            disabled={disabled}
            checked={p.sameNumber}
            onChange={(e) => set('duplicate', { ...p, sameNumber: e.target.checked })}
          >
            票种+代码+号码相同
          </Checkbox>
          <Checkbox
            disabled={disabled}
            checked={p.sameFingerprint}
            onChange={(e) => set('duplicate', { ...p, sameFingerprint: e.target.checked })}
          >
            内容相同（销方税号+号码+日期+价税合计）
          </Checkbox>
        </Space>
      );
    }
    case 'maxAge':
      return (
        <InputNumber
          disabled={disabled}
          min={1}
          max={3650}
          precision={0}
          addonAfter="天"
          value={rules.maxAge.params.days}
          onChange={(v) => set('maxAge', { days: Number(v ?? 1) })}
          data-testid="param-maxAge"
        />
      );
    case 'maxAmount':
      return (
        <Input
          disabled={disabled}
          style={{ width: 180 }}
          addonBefore="¥"
          maxLength={18}
          value={rules.maxAmount.params.amount}
          onChange={(e) => set('maxAmount', { amount: e.target.value.trim() })}
          data-testid="param-maxAmount"
        />
      );
    case 'sellerBlocklist':
      return (
        <Select
          disabled={disabled}
          mode="tags"
          style={{ minWidth: 320 }}
          placeholder="输入销售方税号后回车"
          tokenSeparators={[',', ' ', '，']}
          value={rules.sellerBlocklist.params.taxIds}
          onChange={(v: string[]) => set('sellerBlocklist', { taxIds: v.map((t) => t.trim().toUpperCase()) })}
          data-testid="param-sellerBlocklist"
        />
      );
    case 'kind':
      return (
        <Select
          disabled={disabled}
          mode="multiple"
          style={{ minWidth: 320, maxWidth: 560 }}
          maxTagCount="responsive"
          value={rules.kind.params.accepted}
          onChange={(v: ReceivedInvoiceKind[]) => set('kind', { accepted: v })}
          options={Object.entries(RECEIVED_INVOICE_KIND_NAMES).map(([value, label]) => ({ value, label }))}
        />
      );
    default:
      return <Typography.Text type="secondary">无参数</Typography.Text>;
  }
}

/** 合规规则: per buyer org (or the tenant's default) each rule's switch, level and parameters. */
export default function ReceivedRulesPage() {
  const { data: session } = useSession();
  const [params, setParams] = useSearchParams();
  const queryClient = useQueryClient();
  const message = useToast();
  const buyerOrgId = params.get('buyerOrgId');
  const manage = can(session, 'received.manage');
  const q = useQuery({
    queryKey: ['/api/v1/received-rules', buyerOrgId],
    queryFn: () => get<RulesView>(withQuery('/api/v1/received-rules', { buyerOrgId })),
  });
  const [draft, setDraft] = useState<Rules | null>(null);
  useEffect(() => setDraft(q.data ? structuredClone(q.data.rules) : null), [q.data]);

  const save = useMutation({
    mutationFn: (rules: Rules | null) => api<RulesView>('PUT', '/api/v1/received-rules', { buyerOrgId, rules }),
    onSuccess: async (view) => {
      queryClient.setQueryData(['/api/v1/received-rules', buyerOrgId], view);
      await queryClient.invalidateQueries({ queryKey: ['/api/v1/received-rules'] });
      await queryClient.invalidateQueries({ queryKey: ['/api/v1/received-invoices'] });
      void message.success('规则已保存，已收发票的合规结果正在重新计算');
    },
  });

  const view = q.data;
  const dirty = view && draft && JSON.stringify(view.rules) !== JSON.stringify(draft);
  const rows = COMPLIANCE_RULE_IDS.map((id) => ({ id }));

  return (
    <PageState loading={q.isLoading} error={q.error} onRetry={() => void q.refetch()}>
      {view && draft && (
        <Card
          title="合规规则"
          extra={
            <Form layout="inline">
              <Form.Item label="适用于" style={{ margin: 0 }}>
                <Select
                  data-testid="rules-scope"
                  style={{ width: 280 }}
                  value={buyerOrgId ?? ''}
                  onChange={(v: string) => setParams(v ? { buyerOrgId: v } : {})}
                  options={[
                    { value: '', label: '租户默认（所有收票企业）' },
                    ...view.buyerOrgs.map((o) => ({
                      value: o.id,
                      label: `${o.name}${o.ownRules ? '（自定义）' : ''}`,
                    })),
                  ]}
                />
              </Form.Item>
            </Form>
          }
        >
          <Space direction="vertical" style={{ width: '100%' }} size={12}>
            <Space wrap>
              <Tag color={view.source === 'org' ? 'blue' : 'default'} data-testid="rules-source">
                {SOURCE_TEXT[view.source]}
              </Tag>
              {view.updatedAt && (
                <Typography.Text type="secondary">
                  {view.updatedBy} 于 {dateTime(view.updatedAt)} 保存
                </Typography.Text>
              )}
            </Space>
            <Table
              data-testid="rules-table"
              rowKey="id"
              size="middle"
              pagination={false}
              dataSource={rows}
              scroll={{ x: 'max-content' }}
              columns={[
                {
                  title: '规则',
                  key: 'name',
                  width: 260,
                  render: (_, { id }) => (
                    <Space direction="vertical" size={0}>
                      <strong>{COMPLIANCE_RULE_NAMES[id]}</strong>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {DESCRIPTIONS[id]}
                      </Typography.Text>
                    </Space>
                  ),
                },
                {
                  title: '启用',
                  key: 'enabled',
                  width: 80,
                  render: (_, { id }) => (
                    <Switch
                      data-testid={`rule-enabled-${id}`}
                      disabled={!manage}
                      checked={draft[id].enabled}
                      onChange={(on) => setDraft({ ...draft, [id]: { ...draft[id], enabled: on } })}
                    />
                  ),
                },
                {
                  title: '级别',
                  key: 'level',
                  width: 120,
                  render: (_, { id }) => (
                    <Select
                      data-testid={`rule-level-${id}`}
                      disabled={!manage}
                      style={{ width: 100 }}
                      value={draft[id].level}
                      onChange={(level) => setDraft({ ...draft, [id]: { ...draft[id], level } })}
                      options={[
                        { value: 'block', label: '拦截' },
                        { value: 'warn', label: '提示' },
                      ]}
                    />
                  ),
                },
                {
                  title: '参数',
                  key: 'params',
                  render: (_, { id }) => <ParamsEditor id={id} rules={draft} onChange={setDraft} disabled={!manage} />,
                },
              ]}
            />
            {save.error && <Alert type="error" showIcon message={errorMessage(save.error)} />}
            {manage && (
              <Space>
                <Button
                  type="primary"
                  data-testid="rules-save"
                  disabled={!dirty && view.source !== 'default' && !(buyerOrgId && view.source !== 'org')}
                  loading={save.isPending}
                  onClick={() => save.mutate(draft)}
                >
                  保存{buyerOrgId ? '为该企业的规则' : '为租户默认规则'}
                </Button>
                <Button disabled={!dirty} onClick={() => setDraft(structuredClone(view.rules))}>
                  撤销修改
                </Button>
                {buyerOrgId && view.source === 'org' && (
                  <Popconfirm title="删除该企业自己的规则，改为沿用租户默认？" onConfirm={() => save.mutate(null)}>
                    <Button>恢复为租户默认</Button>
                  </Popconfirm>
                )}
              </Space>
            )}
          </Space>
        </Card>
      )}
    </PageState>
  );
}
