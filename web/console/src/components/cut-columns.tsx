import type { ColumnsType, ColumnType } from 'antd/es/table';
import type { ReactNode } from 'react';

/** A table cell's horizontal padding, both sides (antd's default size; `small` tables pad less and only gain room). */
const CELL_PADDING = 32;

/**
 * The columns with `ellipsis: true` and a numeric `width` made to cut: the content is held to the column's width with
 * an ellipsis, whole in its title when it is text. The console's lists are as wide as their content
 * (`scroll.x: 'max-content'`, so that a narrow window scrolls them sideways), and there antd's own `ellipsis` never
 * cuts: the cell grows with its text, and one long value pushes the columns after it off the right edge.
 */
export function cutColumns<T>(columns: ColumnsType<T>): ColumnsType<T> {
  return columns.map((column) => {
    if (!column.ellipsis || typeof column.width !== 'number' || 'children' in column) return column;
    const own = column as ColumnType<T>;
    const maxWidth = Math.max(40, column.width - CELL_PADDING);
    const cut: ColumnType<T> = {
      ...own,
      ellipsis: false,
      render: (value: unknown, record: T, index: number): ReactNode => {
        const shown: unknown = own.render ? own.render(value, record, index) : value;
        const text = typeof shown === 'string' || typeof shown === 'number' ? String(shown) : undefined;
        return (
          <span
            className="cut-cell"
            title={text}
            style={{
              display: 'inline-block',
              maxWidth,
              overflow: 'hidden',
              textOverflow: 'ellipsis',
              whiteSpace: 'nowrap',
              verticalAlign: 'bottom',
            }}
          >
            {shown as ReactNode}
          </span>
        );
      },
    };
    return cut;
  });
}
