import { type DrawOp, LABEL_COLOR, type Rgb, type TextOp, VALUE_COLOR } from './display-list.js';
import { measureText } from './text-metrics.js';

/** Label and value size: 3.175 mm (9 pt), as on the official layout (tax-rules §9.3). */
export const TEXT_SIZE = 3.175;
/** Frame line width, mm. */
export const FRAME_WIDTH = 0.25;

type TextOptions = { size?: number; color?: Rgb; bold?: boolean; tag?: string };

const op = (x: number, y: number, text: string, o: TextOptions): TextOp => ({
  kind: 'text',
  x,
  y,
  text,
  size: o.size ?? TEXT_SIZE,
  color: o.color ?? VALUE_COLOR,
  ...(o.bold ? { bold: true } : {}),
  ...(o.tag ? { tag: o.tag } : {}),
});

/** Collects draw operations for one page. */
export class PageBuilder {
  readonly ops: DrawOp[] = [];

  text(x: number, y: number, text: string, o: TextOptions = {}): void {
    if (text !== '') this.ops.push(op(x, y, text, o));
  }

  label(x: number, y: number, text: string, o: TextOptions = {}): void {
    this.text(x, y, text, { color: LABEL_COLOR, ...o });
  }

  /** Text ending at `right`. */
  right(right: number, y: number, text: string, o: TextOptions = {}): void {
    this.text(right - measureText(text, o.size ?? TEXT_SIZE), y, text, o);
  }

  /** Text centred on `center`. */
  center(center: number, y: number, text: string, o: TextOptions = {}): void {
    this.text(center - measureText(text, o.size ?? TEXT_SIZE) / 2, y, text, o);
  }

  line(x1: number, y1: number, x2: number, y2: number, color: Rgb = LABEL_COLOR, width = FRAME_WIDTH): void {
    this.ops.push({ kind: 'line', x1, y1, x2, y2, width, color });
  }
}
