/**
 * Totals, remark and drawer (tax-rules §9.3): `合 计` with ¥ amounts under 金额 and 税额, `价税合计（大写）` with the
 * circled-x mark before the words (§5.8) and `（小写）¥…`, the `备 注` block, and `开票人：` below the frame. The
 * values appear on the last page only; earlier pages keep the labels so every page shows the same form.
 */
import type { InvoiceDocument } from '../invoice-document.js';
import type { PathCommand } from './display-list.js';
import { type PageBuilder, TEXT_SIZE } from './draw-helpers.js';
import { COLUMNS, FRAME_Y } from './invoice-header.js';
import { wrapText } from './text-metrics.js';

const REMARK_LINE_HEIGHT = 3.3;
const REMARK_MAX_LINES = 6;

/** Draws the footer labels, and the values when `isLastPage`. */
export function drawFooter(b: PageBuilder, doc: InvoiceDocument, isLastPage: boolean): void {
  const totalsY = FRAME_Y.totals - 1.3;
  const wordsY = FRAME_Y.words - 2.8;
  b.label(20, totalsY, '合');
  b.label(36, totalsY, '计');
  b.label(16.4, wordsY, '价税合计（大写）');
  b.label(143, wordsY, '（小写）');
  b.label(5.8, 110.7, '备');
  b.label(5.8, 117.7, '注');
  b.label(19, 132.2, '开票人：');
  if (!isLastPage) {
    b.label(COLUMNS.amount.left, totalsY, '（续下页）');
    return;
  }
  b.right(COLUMNS.amount.right, totalsY, `¥${doc.totals.amount}`, { tag: 'TaxExclusiveTotalAmount' });
  b.right(COLUMNS.tax.right, totalsY, `¥${doc.totals.tax}`, { tag: 'TaxTotalAmount' });
  b.ops.push(circledX(59.5, wordsY - 1.1, 2));
  b.text(63, wordsY, doc.totals.totalInWords, { tag: 'TaxInclusiveTotalAmountInWords' });
  b.text(156, wordsY, `¥${doc.totals.total}`, { size: 3.6, tag: 'TaxInclusiveTotalAmount' });
  remarkLines(doc)
    .slice(0, REMARK_MAX_LINES)
    .forEach((line, i) => {
      b.text(12, FRAME_Y.words + 3.2 + i * REMARK_LINE_HEIGHT, line, { tag: 'Note' });
    });
  b.text(32, 132.5, doc.drawer ?? '', { tag: 'InvoiceClerk' });
}

/** The remark, then the buyer's and seller's address and bank details when given (printed in 备注 on 数电票). */
function remarkLines(doc: InvoiceDocument): string[] {
  const parts: string[] = [];
  if (doc.remark) parts.push(doc.remark);
  const contact = (who: string, p: InvoiceDocument['buyer']) => {
    const fields = [
      p.address || p.phone ? `${who}地址电话：${[p.address, p.phone].filter(Boolean).join(' ')}` : '',
      p.bankName || p.bankAccount ? `${who}开户行及账号：${[p.bankName, p.bankAccount].filter(Boolean).join(' ')}` : '',
    ];
    return fields.filter(Boolean).join('；');
  };
  for (const text of [contact('购方', doc.buyer), contact('销方', doc.seller)]) if (text) parts.push(text);
  return parts.flatMap((p) => wrapText(p, 190, TEXT_SIZE));
}

/** The ⓧ mark drawn as a circle (four Bézier arcs) with a cross, centred on (cx, cy). */
function circledX(cx: number, cy: number, r: number) {
  const k = 0.5523 * r;
  const d = r * 0.6;
  const commands: PathCommand[] = [
    ['M', cx + r, cy],
    ['C', cx + r, cy + k, cx + k, cy + r, cx, cy + r],
    ['C', cx - k, cy + r, cx - r, cy + k, cx - r, cy],
    ['C', cx - r, cy - k, cx - k, cy - r, cx, cy - r],
    ['C', cx + k, cy - r, cx + r, cy - k, cx + r, cy],
    ['M', cx - d, cy - d],
    ['L', cx + d, cy + d],
    ['M', cx - d, cy + d],
    ['L', cx + d, cy - d],
  ];
  return { kind: 'path' as const, commands, width: 0.22, color: [0, 0, 0] as const };
}
