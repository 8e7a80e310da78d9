import { useQuery } from '@tanstack/react-query';
import { Button, Card, Select, Space, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useSearchParams } from 'react-router';
import { get } from '../api';
import type { Page } from '../types';
import { cutColumns } from './cut-columns';
import { PageState } from './PageState';

/** A cursor-paginated list of an /api/v1 list endpoint, its `status` filter kept in the URL. */
export function CursorList<T extends object>({
  title,
  path,
  rowKey,
  columns,
  statuses,
  toQuery = (status) => ({ status }),
  filterItems = (items) => items,
}: {
  title: string;
  path: string;
  rowKey: keyof T & string;
  columns: ColumnsType<T>;
  statuses: Record<string, string>;
  toQuery?: (status: string | undefined) => Record<string, string | undefined>;
  filterItems?: (items: T[], status: string | undefined) => T[];
}) {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? undefined;
  const cursor = params.get('cursor') ?? undefined;
  const q = useQuery({
    queryKey: [path, status, cursor],
    queryFn: () => get<Page<T>>(path, { ...toQuery(status), cursor, limit: 50 }),
  });
  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };
  return (
    <Card
      title={title}
      extra={
        <Select
          allowClear
          placeholder="全部状态"
          style={{ width: 160 }}
          value={status}
          onChange={(v) => set({ status: v, cursor: undefined })}
          options={Object.entries(statuses).map(([value, label]) => ({ value, label }))}
        />
      }
    >
      <PageState error={q.error} onRetry={() => void q.refetch()}>
        <Table<T>
          rowKey={rowKey}
          loading={q.isFetching}
          dataSource={filterItems(q.data?.items ?? [], status)}
          columns={cutColumns(columns)}
          pagination={false}
          scroll={{ x: 'max-content' }}
        />
        <Space style={{ marginTop: 16, justifyContent: 'flex-end', width: '100%' }}>
          <Button disabled={!cursor} onClick={() => set({ cursor: undefined })}>
            首页
          </Button>
          <Button disabled={!q.data?.nextCursor} onClick={() => set({ cursor: q.data?.nextCursor ?? undefined })}>
            下一页
          </Button>
        </Space>
      </PageState>
    </Card>
  );
}
