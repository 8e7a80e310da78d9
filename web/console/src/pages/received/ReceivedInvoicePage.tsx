import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { COMPLIANCE_RULE_NAMES, type ComplianceRuleId } from '@tax/compliance';
import { Alert, Button, Card, Col, Descriptions, Empty, Popconfirm, Row, Space, Table, Tag } from 'antd';
import { type ReactNode, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, errorMessage, fetchFile, get, saveFile } from '../../api';
import { PageState } from '../../components/PageState';
import { dateTime, money } from '../../format';
import { can, useSession } from '../../session';
import { useToast } from '../../toast';
import {
  COMPLIANCE_LABELS,
  FIELD_SOURCE_LABELS,
  itemFileUrl,
  OUTCOME_LABELS,
  type ReceivedInvoice,
  SOURCE_LABELS,
  VERIFICATION_LABELS,
} from './received-api';

/** The original file beside the fields: a PDF in a frame, an image as an image, OFD/XML as a download. */
function Original({ item }: { item: ReceivedInvoice }) {
  const [file, setFile] = useState<{ url: string; type: string; name: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!item.fileName) return;
    let url: string | null = null;
    let live = true;
    fetchFile('GET', itemFileUrl(item.id)).then(
      async (f) => {
        // Only bytes that are a PDF are framed (as application/pdf: the browser's PDF viewer, never a page).
        const head = new Uint8Array(await f.blob.slice(0, 5).arrayBuffer());
        const isPdf = String.fromCharCode(...head) === '%PDF-';
        const type = isPdf
          ? 'application/pdf'
          : f.blob.type.startsWith('image/')
            ? f.blob.type
            : 'application/octet-stream';
        if (!live) return;
        url = URL.createObjectURL(new Blob([f.blob], { type }));
        setFile({ url, type, name: f.fileName });
      },
      (err) => live && setError(err),
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [item.id, item.fileName]);
  if (!item.fileName) return <Empty description="手工录入，没有原件" />;
  if (error) return <Alert type="error" showIcon message={errorMessage(error)} />;
  if (!file) return <PageState loading />;
  const download = (
    <a href={file.url} download={file.name} data-testid="original-download">
      下载原件 {file.name}
    </a>
  );
  if (file.type === 'application/pdf') {
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        <iframe
          title="发票原件"
          data-testid="original-pdf"
          src={`${file.url}#navpanes=0&view=FitH`}
          style={{ width: '100%', height: 640, border: '1px solid #f0f0f0' }}
        />
        {download}
      </Space>
    );
  }
  if (file.type.startsWith('image/')) {
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        <img data-testid="original-image" src={file.url} alt="发票原件" style={{ maxWidth: '100%' }} />
        {download}
      </Space>
    );
  }
  return (
    <Space direction="vertical">
      <span className="ofp-secondary">此格式（{file.type || '未知'}）不能在浏览器中预览。</span>
      {download}
    </Space>
  );
}

/** A field's value with where it came from and how sure the reading is. */
function Sourced({ item, field, children }: { item: ReceivedInvoice; field: string; children: ReactNode }) {
  const source = item.extraction.fieldSources[field];
  const confidence = item.extraction.confidence[field];
  return (
    <Space size={6} wrap>
      <span>{children ?? '—'}</span>
      {source && (
        <Tag bordered={false} color="blue" style={{ fontSize: 11 }}>
          {FIELD_SOURCE_LABELS[source] ?? source}
          {confidence !== undefined && confidence < 1 ? ` · ${Math.round(confidence * 100)}%` : ''}
        </Tag>
      )}
    </Space>
  );
}

const warningText = (w: ReceivedInvoice['extraction']['warnings'][number]) =>
  typeof w === 'string' ? w : `${w.message}${w.code ? `（${w.code}）` : ''}`;

/** 发票详情: the original beside the extracted fields, warnings, verification history and compliance findings. */
export default function ReceivedInvoicePage({ id }: { id: string }) {
  const { data: session } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const message = useToast();
  const path = `/api/v1/received-invoices/${encodeURIComponent(id)}`;
  const q = useQuery({
    queryKey: ['/api/v1/received-invoices', 'item', id],
    queryFn: () => get<ReceivedInvoice>(path),
  });
  const verify = useMutation({
    mutationFn: () => api('POST', `${path}/verify`, {}),
    onSuccess: async () => {
      void message.success('已提交重新查验');
      await queryClient.invalidateQueries({ queryKey: ['/api/v1/received-invoices'] });
    },
    onError: (err) => void message.error(errorMessage(err)),
  });
  const remove = useMutation({
    mutationFn: () => api('DELETE', path),
    onSuccess: async () => {
      void message.success('已删除');
      await queryClient.invalidateQueries({ queryKey: ['/api/v1/received-invoices'] });
      await navigate('/received/invoices');
    },
    onError: (err) => void message.error(errorMessage(err)),
  });
  const item = q.data;
  const manage = can(session, 'received.manage');

  return (
    <PageState loading={q.isLoading} error={q.error} onRetry={() => void q.refetch()}>
      {item && (
        <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="received-item">
          <Card
            title={
              <Space>
                <Link to="/received/invoices">进项发票</Link>/<span>{item.number ?? item.id}</span>
                <Tag color={VERIFICATION_LABELS[item.verification.status]?.color}>
                  查验：{VERIFICATION_LABELS[item.verification.status]?.text ?? item.verification.status}
                </Tag>
                <Tag color={COMPLIANCE_LABELS[item.compliance.result]?.color} data-testid="item-compliance">
                  合规：{COMPLIANCE_LABELS[item.compliance.result]?.text ?? item.compliance.result}
                </Tag>
              </Space>
            }
            extra={
              manage && (
                <Space>
                  <Button onClick={() => verify.mutate()} loading={verify.isPending}>
                    重新查验
                  </Button>
                  {item.fileName && (
                    <Button
                      onClick={() =>
                        void fetchFile('GET', itemFileUrl(item.id)).then(saveFile, (e) =>
                          message.error(errorMessage(e)),
                        )
                      }
                    >
                      下载原件
                    </Button>
                  )}
                  <Popconfirm title="删除这张发票？" onConfirm={() => remove.mutate()}>
                    <Button danger disabled={item.usageStatus !== 'unused'}>
                      删除
                    </Button>
                  </Popconfirm>
                </Space>
              )
            }
          >
            <Row gutter={24}>
              <Col xs={24} xl={12}>
                <Card size="small" title="原件" data-testid="original">
                  <Original item={item} />
                </Card>
              </Col>
              <Col xs={24} xl={12}>
                <Descriptions size="small" column={1} bordered data-testid="fields" title="识别结果">
                  <Descriptions.Item label="票种">
                    <Sourced item={item} field="kind">
                      {item.kindName}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="发票代码">
                    <Sourced item={item} field="code">
                      {item.code}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="发票号码">
                    <Sourced item={item} field="number">
                      {item.number}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="开票日期">
                    <Sourced item={item} field="issueDate">
                      {item.issueDate}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="校验码">
                    <Sourced item={item} field="checkCode">
                      {item.checkCode}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="销售方">
                    <Sourced item={item} field="seller.name">
                      {item.seller.name}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="销方税号">
                    <Sourced item={item} field="seller.taxId">
                      {item.seller.taxId}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="购买方">
                    <Sourced item={item} field="buyer.name">
                      {item.buyer.name}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="购方税号">
                    <Sourced item={item} field="buyer.taxId">
                      {item.buyer.taxId}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="金额">
                    <Sourced item={item} field="totals.amount">
                      {money(item.totals.amount)}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="税额">
                    <Sourced item={item} field="totals.tax">
                      {money(item.totals.tax)}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="价税合计">
                    <Sourced item={item} field="totals.total">
                      {money(item.totals.total)}
                    </Sourced>
                  </Descriptions.Item>
                  <Descriptions.Item label="备注">{item.remark ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label="来源">
                    {SOURCE_LABELS[item.source] ?? item.source}
                    {item.broughtBy ? (
                      <span title={item.broughtBy}> · {item.broughtByName ?? item.broughtBy}</span>
                    ) : (
                      ''
                    )}
                  </Descriptions.Item>
                  <Descriptions.Item label="文件">{item.fileName ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label="接收时间">{dateTime(item.createdAt)}</Descriptions.Item>
                  {item.duplicateOf && (
                    <Descriptions.Item label="重复">
                      <Link to={`/received/invoices/${encodeURIComponent(item.duplicateOf)}`}>{item.duplicateOf}</Link>
                    </Descriptions.Item>
                  )}
                </Descriptions>
                {item.passenger && (
                  <Descriptions
                    style={{ marginTop: 16 }}
                    size="small"
                    column={2}
                    bordered
                    title="乘客与行程"
                    data-testid="passenger"
                  >
                    <Descriptions.Item label="乘客">{item.passenger.name ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="证件号码">{item.passenger.idNumber ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="乘车/乘机日期">{item.passenger.travelDate ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="车次/航班">{item.passenger.trip ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="出发">{item.passenger.from ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="到达">{item.passenger.to ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="席别/舱位">{item.passenger.seatClass ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="票价">{money(item.passenger.fare)}</Descriptions.Item>
                    <Descriptions.Item label="可抵扣税额">{money(item.passenger.tax)}</Descriptions.Item>
                  </Descriptions>
                )}
                {item.extraction.warnings.length > 0 && (
                  <Alert
                    style={{ marginTop: 16 }}
                    type="warning"
                    showIcon
                    message="识别提示"
                    description={
                      <ul style={{ margin: 0, paddingLeft: 18 }}>
                        {item.extraction.warnings.map((w) => (
                          <li key={warningText(w)}>{warningText(w)}</li>
                        ))}
                      </ul>
                    }
                  />
                )}
              </Col>
            </Row>
          </Card>
          <Card title="合规检查" size="small">
            <Table
              data-testid="findings"
              size="small"
              rowKey="rule"
              pagination={false}
              dataSource={item.compliance.findings}
              locale={{ emptyText: '尚未检查' }}
              columns={[
                {
                  title: '规则',
                  dataIndex: 'rule',
                  render: (r: string) => COMPLIANCE_RULE_NAMES[r as ComplianceRuleId] ?? r,
                },
                { title: '级别', dataIndex: 'level', render: (l: string) => (l === 'block' ? '拦截' : '提示') },
                {
                  title: '结果',
                  dataIndex: 'outcome',
                  render: (o: string) => <Tag color={OUTCOME_LABELS[o]?.color}>{OUTCOME_LABELS[o]?.text ?? o}</Tag>,
                },
                { title: '说明', dataIndex: 'reason' },
              ]}
            />
          </Card>
          <Card title="查验记录" size="small">
            <Table
              size="small"
              rowKey={(h) => `${h.at}-${h.status}`}
              pagination={false}
              dataSource={item.verification.history}
              locale={{ emptyText: '尚未查验' }}
              columns={[
                { title: '时间', dataIndex: 'at', render: dateTime, width: 170 },
                {
                  title: '结果',
                  dataIndex: 'status',
                  render: (s: string) => (
                    <Tag color={VERIFICATION_LABELS[s]?.color}>{VERIFICATION_LABELS[s]?.text ?? s}</Tag>
                  ),
                },
                { title: '说明', dataIndex: 'message' },
                { title: '不一致项', dataIndex: 'mismatchField', render: (v) => v ?? '—' },
                { title: '通道', dataIndex: 'channel' },
              ]}
            />
          </Card>
          <Card title="商品明细" size="small">
            <Table
              size="small"
              rowKey={(_, i) => String(i)}
              pagination={false}
              dataSource={item.lines}
              scroll={{ x: 'max-content' }}
              columns={[
                { title: '项目名称', dataIndex: 'name' },
                { title: '规格型号', dataIndex: 'spec', render: (v) => v ?? '' },
                { title: '单位', dataIndex: 'unit', render: (v) => v ?? '' },
                { title: '数量', dataIndex: 'quantity', align: 'right', render: (v) => v ?? '' },
                { title: '单价', dataIndex: 'unitPrice', align: 'right', render: (v) => v ?? '' },
                { title: '金额', dataIndex: 'amount', align: 'right', render: (v) => money(v) },
                { title: '税率', dataIndex: 'taxRate', render: (v) => v ?? '' },
                { title: '税额', dataIndex: 'taxAmount', align: 'right', render: (v) => money(v) },
              ]}
            />
          </Card>
        </Space>
      )}
    </PageState>
  );
}
