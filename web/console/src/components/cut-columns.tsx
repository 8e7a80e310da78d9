import type { ColumnGroupType, ColumnsType, ColumnType } from 'antd/es/table';
import type { ReactNode } from 'react';

/** A table cell's horizontal padding, both sides (antd's default size; `small` tables pad less and only gain room). */
const CELL_PADDING = 32;

/** What a cut column may add to antd's: the cell's title when it is not the text shown, and a test id for the cut. */
export interface CutOptions<T> {
  /** The title (hover text) of the cut cell; without it, the text shown. */
  cutTitle?: (value: unknown, record: T) => string | undefined;
  /** `data-testid` of the cut cell. */
  cutTestId?: string;
}

export type CutColumnsType<T> = ((ColumnType<T> & CutOptions<T>) | ColumnGroupType<T>)[];

/**
 * The columns with `ellipsis: true` and a numeric `width` made to cut: the content is held to the column's width with
 * an ellipsis, whole in its title when it is text. The console's lists are as wide as their content
 * (`scroll.x: 'max-content'`, so that a narrow window scrolls them sideways), and there antd's own `ellipsis` never
 * cuts: the cell grows with its text, and one long value pushes the columns after it off the right edge.
 */
export function cutColumns<T>(columns: CutColumnsType<T> | ColumnsType<T>): ColumnsType<T> {
  return (columns as CutColumnsType<T>).map((column) => {
    if ('children' in column) return column;
    const { cutTitle, cutTestId, ...own } = column;
    if (!own.ellipsis || typeof own.width !== 'number') return own;
    const maxWidth = Math.max(40, own.width - CELL_PADDING);
    const cut: ColumnType<T> = {
      ...own,
      ellipsis: false,
      render: (value: unknown, record: T, index: number): ReactNode => {
        const shown: unknown = own.render ? own.render(value, record, index) : value;
        const text = typeof shown === 'string' || typeof shown === 'number' ? String(shown) : undefined;
        return (
          <span
            className="cut-cell"
            data-testid={cutTestId}
            title={cutTitle ? cutTitle(value, record) : text}
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
