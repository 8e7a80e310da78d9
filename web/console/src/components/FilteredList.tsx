import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Form, Space, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { get } from '../api';
import type { Page } from '../types';
import { type CutColumnsType, cutColumns } from './cut-columns';
import { PageState } from './PageState';

/** A date range filter: one RangePicker in the form, two `YYYY-MM-DD` parameters in the URL and the query. */
export interface DateRangeFilter {
  label: string;
  from: string;
  to: string;
}

/**
 * A cursor-paginated /api/v1 list with a filter form whose values live in the URL (bookmarkable, linkable): the
 * form's `Form.Item`s are the caller's (`fields`, each with a visible label), named after the query parameters.
 * The URL parameter `open` is left to the page (a detail drawer).
 */
export function FilteredList<T extends object>({
  title,
  path,
  rowKey,
  columns,
  filterKeys,
  fields,
  dateRange,
  extra,
  emptyText,
  onRowClick,
  testId,
}: {
  title: string;
  path: string;
  rowKey: keyof T & string;
  /** The list's columns; those with `ellipsis` and a width are cut to it (cutColumns). */
  columns: CutColumnsType<T> | ColumnsType<T>;
  /** The query parameters the form sets (besides the date range). */
  filterKeys: readonly string[];
  fields: ReactNode;
  dateRange?: DateRangeFilter;
  extra?: ReactNode;
  emptyText: string;
  onRowClick?: (row: T) => void;
  testId?: string;
}) {
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm();
  const keys = useMemo(
    () => [...filterKeys, ...(dateRange ? [dateRange.from, dateRange.to] : [])],
    [filterKeys, dateRange],
  );
  const filters = useMemo(() => {
    const out: Record<string, string> = {};
    for (const k of keys) {
      const v = params.get(k);
      if (v) out[k] = v;
    }
    return out;
  }, [params, keys]);
  const cursor = params.get('cursor') ?? undefined;
  const cut = useMemo(() => cutColumns(columns), [columns]);

  useEffect(() => {
    form.resetFields();
    const from = dateRange ? filters[dateRange.from] : undefined;
    const to = dateRange ? filters[dateRange.to] : undefined;
    form.setFieldsValue({
      ...filters,
      __range: from || to ? [from ? dayjs(from) : null, to ? dayjs(to) : null] : undefined,
    });
  }, [filters, form, dateRange]);

  const q = useQuery({
    queryKey: [path, filters, cursor],
    queryFn: () => get<Page<T>>(path, { ...filters, cursor, limit: 50 }),
    placeholderData: (prev) => prev,
  });

  const apply = (values: Record<string, unknown>) => {
    const next = new URLSearchParams();
    const open = params.get('open');
    if (open) next.set('open', open);
    if (dateRange) {
      const [from, to] = (values.__range as [dayjs.Dayjs | null, dayjs.Dayjs | null] | undefined) ?? [];
      if (from) next.set(dateRange.from, from.format('YYYY-MM-DD'));
      if (to) next.set(dateRange.to, to.format('YYYY-MM-DD'));
    }
    for (const k of filterKeys) {
      const v = values[k];
      if (v !== undefined && v !== null && String(v).trim() !== '') next.set(k, String(v).trim());
    }
    setPrevious([]);
    setParams(next);
  };
  const reset = () => {
    form.resetFields();
    setPrevious([]);
    setParams(new URLSearchParams());
  };
  const [previous, setPrevious] = useState<(string | null)[]>([]);
  const goto = (nextCursor: string | null, back: (string | null)[]) => {
    setPrevious(back);
    const next = new URLSearchParams(params);
    if (nextCursor) next.set('cursor', nextCursor);
    else next.delete('cursor');
    setParams(next);
  };

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card>
        <Form form={form} layout="inline" onFinish={apply} style={{ rowGap: 12 }} data-testid={`${testId}-filters`}>
          {dateRange && (
            <Form.Item name="__range" label={dateRange.label}>
              <DatePicker.RangePicker allowEmpty={[true, true]} />
            </Form.Item>
          )}
          {fields}
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
      <Card title={title} extra={extra}>
        <PageState error={q.error} onRetry={() => void q.refetch()}>
          <Table<T>
            data-testid={testId}
            rowKey={rowKey}
            loading={q.isFetching}
            dataSource={q.data?.items ?? []}
            columns={cut}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText }}
            onRow={onRowClick ? (r) => ({ onClick: () => onRowClick(r), style: { cursor: 'pointer' } }) : undefined}
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
          </Space>
        </PageState>
      </Card>
    </Space>
  );
}

/** A Select of labelled values for a filter form. */
export function optionsOf(labels: Record<string, string>) {
  return Object.entries(labels).map(([value, label]) => ({ value, label }));
}
