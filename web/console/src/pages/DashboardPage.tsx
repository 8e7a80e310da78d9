import { useQuery } from '@tanstack/react-query';
import { Card, Col, Progress, Row, Space, Statistic, Tag } from 'antd';
import { lazy, Suspense } from 'react';
import { Link, Navigate } from 'react-router';
import { get, withQuery } from '../api';
import { PageState } from '../components/PageState';
import { money, ORDER_STATUS_LABELS } from '../format';
import { can, useSession } from '../session';
import type { Dashboard, PeriodSums } from '../types';

// ECharts (tree-shaken echarts/core) is loaded only when the chart renders.
const TrendChart = lazy(() => import('../components/TrendChart'));

const pool = (query: Record<string, string | undefined>) => withQuery('/invoices', query);

/** A number that opens the list behind it. */
function Figure({ title, value, to, prefix }: { title: string; value: string | number; to: string; prefix?: string }) {
  return (
    <Link to={to} data-testid={`figure-${title}`}>
      <Statistic title={title} value={value} {...(prefix ? { prefix } : {})} valueStyle={{ fontSize: 22 }} />
    </Link>
  );
}

function PeriodCard({ title, p, from, to }: { title: string; p: PeriodSums; from: string; to: string }) {
  const range = { issuedFrom: from, issuedTo: to };
  return (
    <Card title={title}>
      <Row gutter={16}>
        <Col span={6}>
          <Figure title="开具张数" value={p.count} to={pool({ ...range, isRed: 'false' })} />
        </Col>
        <Col span={6}>
          <Figure title="金额" prefix="¥" value={money(p.amount)} to={pool({ ...range, isRed: 'false' })} />
        </Col>
        <Col span={6}>
          <Figure title="税额" prefix="¥" value={money(p.tax)} to={pool({ ...range, isRed: 'false' })} />
        </Col>
        <Col span={6}>
          <Figure title="价税合计" prefix="¥" value={money(p.total)} to={pool({ ...range, isRed: 'false' })} />
        </Col>
      </Row>
      {/* A plain table: antd's Table would double this page's JavaScript (docs/benchmarks.md#console-bundle). */}
      <table className="ofp-sum-table" style={{ marginTop: 16 }}>
        <thead>
          <tr>
            <th>票种</th>
            <th>张数</th>
            <th>金额</th>
            <th>税额</th>
            <th>价税合计</th>
          </tr>
        </thead>
        <tbody>
          {p.byKind.length === 0 && (
            <tr>
              <td colSpan={5} style={{ textAlign: 'center', color: '#999' }}>
                暂无开具
              </td>
            </tr>
          )}
          {p.byKind.map((r) => (
            <tr key={`${r.kind}-${r.isRed}`}>
              <td>
                <Link to={pool({ ...range, kind: r.kind, isRed: String(r.isRed) })}>
                  {r.kindName} {r.isRed && <Tag color="red">红字</Tag>}
                </Link>
              </td>
              <td>{r.count}</td>
              <td>{money(r.amount)}</td>
              <td>{money(r.tax)}</td>
              <td>{money(r.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/**
 * 工作台; a user who may not read invoices but has a folder (the 员工 role) lands on 我的票夹 instead.
 */
export default function DashboardPage() {
  const { data: session } = useSession();
  if (!can(session, 'invoices.read') && can(session, 'folder.own')) return <Navigate to="/folder" replace />;
  return <DashboardView />;
}

function DashboardView() {
  const q = useQuery({
    queryKey: ['dashboard'],
    queryFn: () => get<Dashboard>('/api/v1/dashboard'),
    refetchInterval: 60_000,
  });
  const d = q.data;
  return (
    <PageState loading={q.isPending} error={q.error} onRetry={() => void q.refetch()}>
      {d && (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Row gutter={16}>
            <Col xs={24} xl={12}>
              <PeriodCard title={`今日开具（${d.today.date}）`} p={d.today} from={d.today.date} to={d.today.date} />
            </Col>
            <Col xs={24} xl={12}>
              <PeriodCard title={`本月开具（${d.month.month}）`} p={d.month} from={d.month.from} to={d.month.to} />
            </Col>
          </Row>
          <Row gutter={16}>
            <Col xs={24} md={6}>
              <Card title="红字发票（本月）">
                <Figure
                  title="红字张数"
                  value={d.month.redCount}
                  to={pool({ isRed: 'true', issuedFrom: d.month.from, issuedTo: d.month.to })}
                />
                <span className="ofp-secondary">
                  价税合计 ¥{money(d.month.redTotal)}，红冲中{' '}
                  <Link to={pool({ status: 'red_pending' })}>{d.statuses.redPending}</Link> 张
                </span>
              </Card>
            </Col>
            <Col xs={24} md={6}>
              <Card title="待处理异常">
                <Figure title="开具失败" value={d.failures.count} to="/monitor" />
                <span className="ofp-secondary">
                  {d.failures.byCode.length === 0
                    ? '无需处理'
                    : d.failures.byCode.map((f, i) => (
                        <span key={f.code}>
                          {i > 0 && '，'}
                          <Link to={`/monitor?code=${encodeURIComponent(f.code)}`}>
                            {f.code} ×{f.count}
                          </Link>
                        </span>
                      ))}
                  ；处理中 <Link to="/monitor?tab=in-flight">{d.statuses.pending + d.statuses.issuing}</Link> 张
                </span>
              </Card>
            </Col>
            {d.deadDeliveries !== null && (
              <Col xs={24} md={6}>
                <Card title="推送失败">
                  <Figure title="已放弃的 webhook 推送" value={d.deadDeliveries} to="/deliveries?status=dead" />
                </Card>
              </Col>
            )}
            {d.scanOrders && (
              <Col xs={24} md={6}>
                <Card title="扫码订单">
                  <Space wrap>
                    {d.scanOrders.map((o) => (
                      <Link key={o.status} to={`/scan/orders?status=${o.status}`}>
                        <Tag>
                          {ORDER_STATUS_LABELS[o.status] ?? o.status} {o.count}
                        </Tag>
                      </Link>
                    ))}
                  </Space>
                </Card>
              </Col>
            )}
          </Row>
          <Row gutter={16}>
            <Col xs={24} xl={16}>
              <Card title="近 30 天开具趋势">
                <Suspense fallback={<div style={{ height: 280 }} />}>
                  <TrendChart points={d.trend} />
                </Suspense>
              </Card>
            </Col>
            <Col xs={24} xl={8}>
              <Card title={`本月额度使用（${d.quota[0]?.month ?? d.month.month}）`}>
                <PageState empty={d.quota.length === 0} emptyText="暂无销方">
                  {d.quota.map((s) => {
                    const used = Number(s.used);
                    const total = Number(s.total);
                    // Display only: the percentage is never summed or stored.
                    const percent = total > 0 ? Math.min(100, Math.round((used / total) * 1000) / 10) : 0;
                    return (
                      <div key={s.sellerTaxId} style={{ marginBottom: 12 }}>
                        <Link to={pool({ sellerTaxId: s.sellerTaxId, issuedFrom: d.month.from, issuedTo: d.month.to })}>
                          {s.sellerName}
                        </Link>
                        <Progress percent={percent} status={percent >= 90 ? 'exception' : 'normal'} />
                        <span className="ofp-secondary">
                          已用 ¥{money(s.used)} / ¥{money(s.total)}，剩余 ¥{money(s.remaining)}
                        </span>
                      </div>
                    );
                  })}
                </PageState>
              </Card>
            </Col>
          </Row>
        </Space>
      )}
    </PageState>
  );
}
