/**
 * Field extraction from positional page text, anchored on the labels every Chinese VAT invoice prints (发票号码,
 * 开票日期, 名称, 纳税人识别号, 合计, 价税合计, the item table header …) rather than on fixed coordinates, so that
 * layouts we have not seen still read: values are searched to the right of their label on the same line, the
 * buyer/seller role of a label comes from the nearest 购/销 block anchor, and table cells go to the column whose
 * header is nearest.
 */
import { receivedKindOfLegacyCode, receivedKindOfTitle } from '../tax/index.js';
import type { InvoiceDraft } from './draft.js';
import type { Glyph, PageText, Segment, TextLine } from './layout.js';
import { normDate, normMoney, normNumber, normRate, normTaxId, normText, toHalfWidth } from './normalize.js';
import type { FieldSource, ParsedLine } from './types.js';

interface Hit {
  readonly page: PageText;
  readonly line: TextLine;
  /** Index in line.compact just after the label (and its colon). */
  readonly end: number;
  readonly first: Glyph;
  readonly last: Glyph;
}

const COLON = /^[:：]/;

function findLabels(pages: readonly PageText[], label: string | RegExp): Hit[] {
  const hits: Hit[] = [];
  for (const page of pages) {
    for (const line of page.lines) {
      const re = typeof label === 'string' ? new RegExp(escapeRe(label), 'g') : new RegExp(label.source, 'g');
      for (const m of line.compact.matchAll(re)) {
        const start = m.index;
        let end = start + m[0].length;
        if (COLON.test(line.compact.slice(end))) end += 1;
        hits.push({
          page,
          line,
          end,
          first: line.compactGlyphs[start]!,
          last: line.compactGlyphs[end - 1]!,
        });
      }
    }
  }
  return hits;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Value matching `re` (anchored) right after a label on its line. */
function valueAfter(hit: Hit, re: RegExp): string | null {
  const rest = toHalfWidth(hit.line.compact.slice(hit.end));
  const m = new RegExp(`^${re.source}`).exec(rest);
  return m ? (m[1] ?? m[0]) : null;
}

/** Segments right of a label on lines whose baseline is within `reach` line heights, nearest line first. */
function segmentsNear(hit: Hit, reach = 1.6, maxX = Number.POSITIVE_INFINITY): Segment[] {
  const startX = hit.last.x + (hit.last.w || hit.last.h * 0.5) * 0.5;
  const h = hit.line.h;
  return hit.page.lines
    .filter((l) => Math.abs(l.y - hit.line.y) <= reach * Math.max(h, l.h))
    .sort((a, b) => Math.abs(a.y - hit.line.y) - Math.abs(b.y - hit.line.y))
    .flatMap((l) => l.segments.filter((s) => s.x0 > startX - 0.01 && s.x0 < maxX));
}

/**
 * Where the next label right of `hit` on its line begins (a segment holding one of `stops` or a block anchor):
 * values on a nearby baseline belong to `hit` only left of it (side-by-side blocks set their labels on one line).
 */
function nextLabelX(hit: Hit, stops: readonly string[], barriers: ReadonlySet<Glyph>): number {
  let best = labelAheadX(hit, stops);
  for (const s of hit.line.segments) {
    if (s.x0 >= best || s.x0 <= hit.last.x + 0.01) continue;
    if (s.glyphs.some((g) => barriers.has(g)) || firstStop(s.text.replace(/\s+/g, ''), stops) >= 0) best = s.x0;
  }
  // The labels of a block beside this one may sit on a baseline just off this line's: they bound it too.
  const h = hit.line.h;
  for (const l of hit.page.lines) {
    if (l === hit.line || Math.abs(l.y - hit.line.y) > 1.2 * Math.max(l.h, h)) continue;
    l.compactGlyphs.forEach((g, i) => {
      if (g.x <= hit.last.x + h || g.x >= best) return;
      if (barriers.has(g) || stops.some((st) => l.compact.startsWith(st, i))) best = g.x;
    });
  }
  return best;
}

/** x of the first of `stops` after `hit` on its line, read across segments (labels drawn glyph by glyph). */
function labelAheadX(hit: Hit, stops: readonly string[]): number {
  const c = hit.line.compact;
  for (let i = hit.end; i < c.length; i++)
    if (stops.some((s) => c.startsWith(s, i))) return hit.line.compactGlyphs[i]!.x;
  return Number.POSITIVE_INFINITY;
}

/** Value matching `re` right after the label, else in a nearby segment to its right (values on their own baseline). */
function valueNear(hit: Hit, re: RegExp, reach = 1.6, maxX = Number.POSITIVE_INFINITY): string | null {
  const same = valueAfter(hit, re);
  if (same) return same;
  for (const s of segmentsNear(hit, reach, maxX)) {
    const m = new RegExp(`^${re.source}`).exec(toHalfWidth(s.text.replace(/\s+/g, '').replace(/^[:：]/, '')));
    if (m) return m[1] ?? m[0];
  }
  return null;
}

/** The first segment(s) right of a label on its line, up to the next label in `stops` (text only). */
function textRightOf(hit: Hit, stops: readonly string[], barriers?: ReadonlySet<Glyph>): string | null {
  const startX = hit.last.x + (hit.last.w || hit.last.h * 0.5) * 0.5;
  const segs = hit.line.segments.filter((s) => s.x1 > startX + 0.01);
  let out = '';
  const ahead = labelAheadX(hit, stops);
  for (const s of segs) {
    // Part of this segment may be the label itself.
    let glyphs = s.glyphs.filter((g) => g.x > hit.last.x + 0.01);
    // Another block's label (the 购/销 of a block label written downwards, a label drawn glyph by glyph) ends the value.
    const barrier = glyphs.findIndex((g) => barriers?.has(g) || g.x >= ahead - 0.01);
    if (barrier >= 0) glyphs = glyphs.slice(0, barrier);
    let text = glyphs.map((g) => g.ch).join('');
    if (s.glyphs.length === glyphs.length) text = s.text;
    text = text.replace(/^[:：\s]+/, '');
    const stopAt = barrier >= 0 ? text.length : firstStop(text, stops);
    if (stopAt >= 0) {
      out += text.slice(0, stopAt);
      break;
    }
    if (out && text) break; // one segment: a gap ends the value
    out += text;
    if (out) break;
  }
  const v = out.replace(/\s+$/, '');
  return v ? v : null;
}

/** Index in `text` where the first of `stops` begins, blanks inside a label ignored (名  称); -1 when none. */
function firstStop(text: string, stops: readonly string[]): number {
  const at: number[] = [];
  let compact = '';
  for (let i = 0; i < text.length; i++) {
    if (/\s/.test(text[i]!)) continue;
    at.push(i);
    compact += text[i];
  }
  let best = -1;
  for (const s of stops) {
    const i = compact.indexOf(s);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best < 0 ? -1 : at[best]!;
}

interface Anchor {
  readonly role: 'buyer' | 'seller';
  readonly g: Glyph;
  readonly page: PageText;
}

/** 购/销 glyphs that begin 购买方/销售方 written across (inline label) or down (vertical block label). */
function roleAnchors(pages: readonly PageText[]): Anchor[] {
  const out: Anchor[] = [];
  for (const page of pages) {
    const all = page.lines.flatMap((l) => l.compactGlyphs);
    for (const line of page.lines) {
      line.compactGlyphs.forEach((g, i) => {
        const role = g.ch === '购' ? 'buyer' : g.ch === '销' ? 'seller' : null;
        if (!role) return;
        const second = role === 'buyer' ? '买' : '售';
        const across = line.compactGlyphs[i + 1]?.ch === second;
        const down = all.some(
          (o) => o.ch === second && Math.abs(o.x - g.x) < g.h * 0.6 && o.y > g.y && o.y - g.y < g.h * 6,
        );
        if (across || down) out.push({ role, g, page });
      });
    }
  }
  return out;
}

/** `first` glyphs with `second` just below them: a two-character label written downwards (备/注). */
function downwardLabels(pages: readonly PageText[], first: string, second: string): Glyph[] {
  const out: Glyph[] = [];
  for (const page of pages) {
    const all = page.lines.flatMap((l) => l.compactGlyphs);
    const seconds = all.filter((o) => o.ch === second);
    for (const g of all)
      if (g.ch === first && seconds.some((o) => Math.abs(o.x - g.x) < g.h * 0.6 && o.y > g.y && o.y - g.y < g.h * 3))
        out.push(g);
  }
  return out;
}

function roleOf(hit: Hit, anchors: readonly Anchor[]): 'buyer' | 'seller' | null {
  let best: Anchor | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const a of anchors) {
    if (a.page !== hit.page) continue;
    const dx = hit.first.x - a.g.x;
    if (dx < -hit.first.h * 0.5) continue;
    // Block labels stand left of their rows and span several lines (vertical): prefer the anchor whose
    // block begins above or at the label's line and is closest.
    const dy = hit.first.y - a.g.y;
    const score = dx + (dy < -hit.first.h ? 10 * -dy : Math.abs(dy) * 1.2);
    if (score < bestScore) {
      bestScore = score;
      best = a;
    }
  }
  return best?.role ?? null;
}

const MONEY = /[¥￥]?-?\d{1,3}(?:,?\d{3})*\.\d{2}(?!\d)|[¥￥]-?\d+(?:\.\d{1,2})?/g;
const DATE = /(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2}|\d{4}\/\d{1,2}\/\d{1,2})/;

/**
 * Reads what it can from the page text into the draft, with `confidence` for labelled values and less for
 * fallbacks. Structured sources already in the draft win over these values (they carry a higher confidence).
 */
export function readPageText(pages: readonly PageText[], d: InvoiceDraft, src: FieldSource, confidence: number) {
  if (pages.length === 0) return;
  const c = confidence;
  const first = pages[0]!;
  const top = first.lines.filter((l) => l.y < first.height * 0.35);
  const title = receivedKindOfTitle(top.map((l) => l.compact).join(''));
  // Number, code, date, check code (right of their labels; the labels may carry spaces: 发 票 号 码).
  const numberHit = findLabels(pages, /发票号码|票据号码|电子客票号/)[0];
  const number = numberHit ? valueNear(numberHit, /(\d{20}|\d{8,19})(?!\d)/) : null;
  d.set('number', number, src, c);
  const codeHit = findLabels(pages, '发票代码')[0];
  const code = codeHit ? valueNear(codeHit, /(\d{12}|\d{10})(?!\d)/) : null;
  d.set('code', code, src, c);
  const dateHit = findLabels(pages, /开票日期|填开日期/)[0];
  d.set('issueDate', normDate(dateHit ? valueNear(dateHit, DATE) : null), src, c);
  const checkHit = findLabels(pages, '校验码')[0];
  d.set('checkCode', checkHit ? valueNear(checkHit, /(\d{20})/) : null, src, c);
  if (!number) {
    // No label: a lone 20-digit number in the top band is the 数电 number.
    const m = top.map((l) => /(?<!\d)(\d{20})(?!\d)/.exec(l.compact)).find(Boolean);
    d.set('number', m?.[1] ?? null, src, c * 0.7);
  }
  if (!d.get('issueDate')) {
    const m = top.map((l) => DATE.exec(toHalfWidth(l.compact))).find(Boolean);
    d.set('issueDate', normDate(m?.[1] ?? null), src, c * 0.7);
  }
  // Kind: the title, else the legacy code, else the number's length.
  const byCode = code ? receivedKindOfLegacyCode(code) : null;
  const n = d.get('number');
  d.set('kind', title ?? byCode ?? (n?.length === 20 ? '82' : null), src, title ? c : c * 0.6);

  // Parties.
  const anchors = roleAnchors(pages);
  // Values stop at another block's label: 购/销 block anchors, and a 备注 label written downwards.
  const anchorGlyphs = new Set([...anchors.map((a) => a.g), ...downwardLabels(pages, '备', '注')]);
  const stops = ['名称', '统一社会信用代码', '纳税人识别号', '地址', '开户行', '销售方', '购买方', '密码区', '备注'];
  for (const hit of findLabels(pages, '名称')) {
    // The item table's header ("项目名称", "货物或应税劳务、服务名称") is no party label.
    const before = hit.line.compact.slice(Math.max(0, hit.end - 6), hit.end);
    if (/项目名称|服务名称|劳务名称|货物名称|\)名称|）名称/.test(before)) continue;
    const role = roleOf(hit, anchors);
    if (!role) continue;
    let name = normText(textRightOf(hit, stops, anchorGlyphs));
    // One character is no name (a stray glyph of a neighbouring label, 备/注 written downwards): look nearby.
    // Nor is text holding a label of its own (收款人：…, a remark line set beside the block).
    if (name && ([...name.replace(/\s+/g, '')].length < 2 || /\p{Script=Han}[:：]/u.test(name))) name = null;
    if (!name) {
      const seg = segmentsNear(hit, 1.2, nextLabelX(hit, stops, anchorGlyphs)).find(
        (x) =>
          /\p{Script=Han}{2,}/u.test(x.text) &&
          !/[:：]/.test(x.text) &&
          firstStop(x.text.replace(/\s+/g, ''), stops) < 0 &&
          !x.glyphs.some((g) => anchorGlyphs.has(g)),
      );
      name = normText(seg?.text ?? null);
    }
    if (name && !/^[:：]?$/.test(name)) d.set(`${role}.name`, cleanName(name), src, c);
  }
  for (const hit of findLabels(pages, /纳税人识别号|统一社会信用代码(?!\/)/)) {
    const role = roleOf(hit, anchors);
    if (!role) continue;
    const v = valueNear(hit, /([0-9A-Z]{15,20})(?![0-9A-Z])/, 1.8, nextLabelX(hit, stops, anchorGlyphs));
    d.set(`${role}.taxId`, normTaxId(v), src, c);
  }

  if (title === '61' || title === '51') {
    readTicket(pages, d, src, c, title);
    d.setLines([], src, 0);
    return;
  }
  // Totals: the 合计 row (amount, tax) and the 价税合计 row (words, figures).
  // Multi-page invoices print the total rows on the last page only (or repeat them empty): last page first.
  for (const totalHit of findLabels(pages, '价税合计').reverse()) {
    const smallHit = findLabels([totalHit.page], /小写/).find(
      (h) => Math.abs(h.line.y - totalHit.line.y) < 2 * h.line.h,
    );
    const from = smallHit ?? totalHit;
    const money = valueNear(from, /[)）]?[:：]?[¥￥]?(-?[\d,]+\.\d{2})(?!\d)/);
    if (!money) continue;
    d.set('totals.total', normMoney(money), src, c);
    const words = segmentsNear(totalHit, 1.6)
      .map((x) =>
        /([（(]?负数[)）]?)?[零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆元角分整正]{2,}/.exec(x.text.replace(/\s+/g, '')),
      )
      .find(Boolean);
    if (words) d.amountInWords ??= words[0];
    break;
  }
  const sumHits = findLabels(pages, /合计/).filter((h) => !/价税合计|合计\(?大写|税合计/.test(h.line.compact));
  for (const sumHit of sumHits.reverse()) {
    // Figures of the 合计 row: its own line, or a baseline slightly off it — never the 价税合计 row's (小写) total,
    // which tight layouts set within reach.
    const otherRows = new Set(
      sumHit.page.lines.filter((l) => l !== sumHit.line && /价税|小写|大写/.test(l.compact)).flatMap((l) => l.segments),
    );
    const amounts = segmentsNear(sumHit, 1.6)
      .filter((x) => Math.abs(x.y - sumHit.line.y) <= 1.6 * sumHit.line.h && !otherRows.has(x))
      .sort((a, b) => a.x0 - b.x0)
      .flatMap((x) => [...toHalfWidth(x.text.replace(/\s+/g, '')).matchAll(MONEY)].map((m) => m[0]));
    if (amounts.length >= 2) {
      d.set('totals.amount', normMoney(amounts[0]!), src, c);
      d.set('totals.tax', normMoney(amounts[amounts.length - 1]!), src, c);
    } else if (amounts.length === 1) {
      d.set('totals.amount', normMoney(amounts[0]!), src, c * 0.8);
    } else {
      continue;
    }
    break;
  }
  d.isRed ||= d.get('totals.total')?.startsWith('-') === true || /负数/.test(d.amountInWords ?? '');
  // One of the three missing: derive it (amount + tax = total) at lower confidence.
  const [am, tx, tot] = [d.get('totals.amount'), d.get('totals.tax'), d.get('totals.total')];
  if (am && tx && !tot) d.set('totals.total', normMoney(String((toCents(am) + toCents(tx)) / 100)), src, c * 0.5);
  if (am && tot && !tx) d.set('totals.tax', normMoney(String((toCents(tot) - toCents(am)) / 100)), src, c * 0.5);
  if (tx && tot && !am) d.set('totals.amount', normMoney(String((toCents(tot) - toCents(tx)) / 100)), src, c * 0.5);

  const lines = readItemTable(pages);
  d.setLines(lines, src, c * 0.9);
  const remark = readRemark(pages);
  d.set('remark', remark, src, c * 0.7);
}

const toCents = (s: string) => Math.round(Number(s) * 100);

function cleanName(name: string): string {
  return name.replace(/[（(]个人[)）]$/, '').trim() || name;
}

type Column = 'index' | 'name' | 'spec' | 'unit' | 'quantity' | 'unitPrice' | 'amount' | 'taxRate' | 'taxAmount';

const HEADERS: ReadonlyArray<[Column, RegExp]> = [
  // 序号: the row number of 销货清单 pages (dropped).
  ['index', /序号/],
  ['name', /项目名称|货物或应税劳务.{0,3}服务名称|货物\(劳务\)名称|货物（劳务）名称|名称/],
  ['spec', /规格型号|规格/],
  ['unit', /单位/],
  ['quantity', /数量/],
  ['unitPrice', /单价/],
  ['amount', /金额/],
  ['taxRate', /税率\/征收率|税率|征收率/],
  ['taxAmount', /税额/],
];

/** The item table: header row → column centres; rows until the 合计/小计 row; wrapped names joined. */
function readItemTable(pages: readonly PageText[]): ParsedLine[] {
  const out: ParsedLine[] = [];
  for (const page of pages) {
    const headerIdx = page.lines.findIndex(
      (l) => /数量/.test(l.compact) && /金额/.test(l.compact) && /税额/.test(l.compact) && /名称/.test(l.compact),
    );
    if (headerIdx < 0) continue;
    const header = page.lines[headerIdx]!;
    const cols: Array<{ col: Column; x: number }> = [];
    let rest = header.compact;
    let offset = 0;
    for (const [col, re] of HEADERS) {
      const m = re.exec(rest);
      if (!m) continue;
      const gs = header.compactGlyphs.slice(offset + m.index, offset + m.index + m[0].length);
      const x0 = gs[0]!.x;
      const last = gs[gs.length - 1]!;
      cols.push({ col, x: (x0 + last.x + (last.w || last.h)) / 2 });
      offset += m.index + m[0].length;
      rest = header.compact.slice(offset);
    }
    if (cols.length < 4) continue;
    const colOf = (s: Segment): Column => {
      const cx = (s.x0 + s.x1) / 2;
      let best = cols[0]!;
      for (const k of cols) if (Math.abs(k.x - cx) < Math.abs(best.x - cx)) best = k;
      // Names are left-aligned and long: anything starting left of the spec column's left edge is name.
      const nameCol = cols.find((k) => k.col === 'name');
      const next = cols[cols.indexOf(nameCol ?? cols[0]!) + 1];
      if (best.col !== 'index' && nameCol && next && s.x0 < (nameCol.x + next.x) / 2 && cx < next.x) return 'name';
      return best.col;
    };
    let current: Record<Column, string> | null = null;
    const push = () => {
      if (current?.amount && current.name) out.push(toLine(current));
    };
    for (const line of page.lines.slice(headerIdx + 1)) {
      if (/^(合计|小计|总计|价税合计)/.test(line.compact) || /^合计/.test(line.compact.replace(/\s/g, ''))) break;
      if (/备注/.test(line.compact.slice(0, 3))) break;
      const cells: Partial<Record<Column, string>> = {};
      for (const [col, texts] of spill(line.segments.map((s) => [colOf(s), s.text] as const))) {
        cells[col] = texts.join(col === 'name' ? '' : ' ');
      }
      Object.assign(cells, figuresFromRight(line.segments.filter((s) => !/^(name|index)$/.test(colOf(s)))));
      const hasAmount = cells.amount && normMoney(cells.amount.split(' ').pop() ?? '') !== null;
      if (hasAmount) {
        push();
        current = {
          index: cells.index ?? '',
          name: cells.name ?? '',
          spec: cells.spec ?? '',
          unit: cells.unit ?? '',
          quantity: cells.quantity ?? '',
          unitPrice: cells.unitPrice ?? '',
          amount: cells.amount ?? '',
          taxRate: cells.taxRate ?? '',
          taxAmount: cells.taxAmount ?? '',
        };
      } else if (current && cells.name && Object.keys(cells).length <= 2) {
        current.name += cells.name;
        if (cells.spec) current.spec += cells.spec;
      } else if (!current && cells.name && Object.keys(cells).length === 1) {
        // A name wrapped above its figures does not occur; ignore stray text.
      }
    }
    push();
  }
  return out.filter((l) => !/详见.*清单/.test(l.name) || out.length === 1);
}

const COLUMN_ORDER: readonly Column[] = HEADERS.map(([c]) => c);

const RATE_TOKEN = /^(\d{1,2}(\.\d+)?%|免税|不征税|\*{3})$/;
const MONEY_TOKEN = /^-?[¥￥]?-?\d[\d,]*\.\d{2,}$/;

/**
 * The figures of an item row read from the right, the order every VAT item table keeps whatever its column
 * positions: … [quantity] [unit price] amount rate tax. Right-aligned figures in wide columns sit nearer the next
 * header's centre than their own, so this wins over the header distance once the row shows a rate between two
 * money values; null otherwise (the header columns stand).
 */
function figuresFromRight(segments: readonly Segment[]): Partial<Record<Column, string>> | null {
  const tokens = [...segments]
    .sort((a, b) => a.x0 - b.x0)
    .flatMap((s) => toHalfWidth(s.text).split(/\s+/))
    .filter(Boolean);
  const r = tokens.findLastIndex((t) => RATE_TOKEN.test(t));
  if (r < 1 || r !== tokens.length - 2) return null;
  const tax = tokens[r + 1]!;
  const amount = tokens[r - 1]!;
  if (!MONEY_TOKEN.test(amount) || !(MONEY_TOKEN.test(tax) || /^\*{3}$/.test(tax))) return null;
  const out: Partial<Record<Column, string>> = { amount, taxRate: tokens[r]!, taxAmount: tax };
  // Two plain numbers before the amount are quantity and unit price; one is left where its header put it.
  const before = tokens.slice(0, r - 1);
  const [q, p] = before.slice(-2);
  if (before.length >= 2 && q && p && /^-?\d[\d,]*(\.\d+)?$/.test(q) && /^-?\d[\d,]*\.\d+$/.test(p)) {
    out.quantity = q;
    out.unitPrice = p;
  }
  return out;
}

/**
 * Cells by column, where two values that landed in one column (a right-aligned amount nearer the next header's
 * centre than its own, as in 销货清单 pages) spill into an empty neighbour column: the first one left, the last one
 * right. Names may take several segments and never spill.
 */
function spill(assigned: ReadonlyArray<readonly [Column, string]>): Map<Column, string[]> {
  const byCol = new Map<Column, string[]>();
  for (const [col, text] of assigned) byCol.set(col, [...(byCol.get(col) ?? []), text]);
  for (const col of COLUMN_ORDER) {
    const texts = byCol.get(col);
    if (!texts || texts.length < 2 || col === 'name' || col === 'index') continue;
    const i = COLUMN_ORDER.indexOf(col);
    const left = COLUMN_ORDER[i - 1];
    const right = COLUMN_ORDER[i + 1];
    if (left && left !== 'name' && left !== 'index' && !byCol.has(left)) byCol.set(left, [texts.shift() as string]);
    if (texts.length > 1 && right && !byCol.has(right)) byCol.set(right, [texts.pop() as string]);
  }
  return byCol;
}

function toLine(c: Record<Column, string>): ParsedLine {
  return {
    name: c.name.replace(/\s+/g, ''),
    spec: normText(c.spec),
    unit: normText(c.unit),
    quantity: normNumber(c.quantity),
    unitPrice: normNumber(c.unitPrice),
    amount: normMoney(c.amount.split(' ').pop() ?? null),
    taxRate: normRate(c.taxRate.replace(/\s+/g, '')),
    taxAmount: normMoney(c.taxAmount),
  };
}

/**
 * Text of the 备注 block: segments right of the 备注 label (inline, or 备/注 written downwards), between the
 * 价税合计 row and the 开票人 line, on the page with the totals.
 */
function readRemark(pages: readonly PageText[]): string | null {
  // The page that carries the totals (the last one of a multi-page invoice).
  const page = pages.findLast((p) => p.lines.some((l) => l.compact.includes('价税合计'))) ?? pages[0]!;
  const start = page.lines.findIndex((l) => l.compact.includes('价税合计'));
  if (start < 0) return null;
  const endIdx = page.lines.findIndex((l, i) => i > start && /开票人/.test(l.compact));
  const endLine = endIdx < 0 ? null : page.lines[endIdx]!;
  const block = page.lines
    .slice(start + 1, endIdx < 0 ? undefined : endIdx)
    .filter((l) => !endLine || Math.abs(endLine.y - l.y) > 1.2 * endLine.h)
    // The figures of 价税合计 set on their own line just below it are no remark.
    .filter((l) => !/^[(（]小写[)）]/.test(l.compact));
  const all = block.flatMap((l) => l.compactGlyphs);
  const label = all.find(
    (g) =>
      g.ch === '备' &&
      all.some(
        (o) =>
          o.ch === '注' &&
          ((Math.abs(o.y - g.y) < g.h * 0.5 && o.x > g.x && o.x - g.x < g.h * 4) ||
            (Math.abs(o.x - g.x) < g.h * 0.6 && o.y > g.y && o.y - g.y < g.h * 8)),
      ),
  );
  if (!label) return null;
  const minX = label.x + label.h * 1.2;
  // An inline 备注 starts its block: lines above it (a party block set between the totals and the remark) are not
  // part of it. A label written downwards may stand centred beside its text, so the line or so above it counts, up
  // to one that holds another block's label.
  const labelAt = block.findIndex((l) => l.compactGlyphs.includes(label));
  const labelLine = block[labelAt]!;
  const inline = /^备注/.test(labelLine.compact.slice(labelLine.compactGlyphs.indexOf(label)));
  let top = labelAt;
  while (
    !inline &&
    top > 0 &&
    block[top - 1]!.y >= label.y - 1.6 * label.h &&
    !/名称|纳税人识别号|统一社会信用代码|地址|开户行|购买方|销售方/.test(block[top - 1]!.compact)
  )
    top--;
  const text = block
    .slice(top)
    .map((l) =>
      l.segments
        .map((x) => {
          // The label's own segment counts too (an inline 备注 set close to its text is one segment with it), without
          // the label: 备注 inline, or the 备 of a label written downwards.
          if (x.glyphs[0] === label) return x.text.replace(/^备\s*(注\s*)?[:：]?\s*/, '');
          const right = label.x + label.h * 0.8;
          if (x.x0 >= right && (x.x0 > minX || !/^备\s*注/.test(x.text))) return x.text;
          // A glyph of a label written downwards (注) set close to its line's text: the glyphs right of the label.
          if (!inline && x.x1 > minX)
            return x.glyphs
              .filter((g) => g.x >= right)
              .map((g) => g.ch)
              .join('');
          return '';
        })
        .filter(Boolean)
        .join(' ')
        .trim(),
    )
    .filter(Boolean)
    .join('\n')
    .trim();
  return text || null;
}

/**
 * The value on the line below a column header label: the cell whose centre falls in the label's column (from the
 * label's start to the next label's start on the header line).
 */
function cellBelow(pages: readonly PageText[], label: RegExp): string | null {
  const hit = findLabels(pages, label)[0];
  if (!hit) return null;
  const header = hit.line.compactGlyphs;
  let end = Number.POSITIVE_INFINITY;
  for (let i = header.indexOf(hit.last) + 1; i < header.length; i++) {
    const prev = header[i - 1]!;
    const g = header[i]!;
    if (g.x - prev.x > (prev.w || prev.h) * 1.5 + 0.3 * prev.h) {
      end = g.x;
      break;
    }
  }
  const start = hit.first.x - hit.line.h * 0.5;
  const idx = hit.page.lines.indexOf(hit.line);
  for (const line of hit.page.lines.slice(idx + 1, idx + 3)) {
    const tokens = line.segments.flatMap(splitTokens);
    const inColumn = tokens.find((t) => t.mid >= start && t.mid < end);
    if (inColumn) return inColumn.text;
  }
  return null;
}

/** A segment's cells: split at currency marks and wide spaces, with approximate centres. */
function splitTokens(seg: Segment): Array<{ text: string; mid: number }> {
  const parts = seg.text.split(/(?=CNY|[¥￥])|\s{2,}/).filter((t) => t.trim());
  if (parts.length <= 1) return [{ text: seg.text, mid: (seg.x0 + seg.x1) / 2 }];
  let offset = 0;
  return parts.map((part) => {
    const at = seg.text.indexOf(part, offset);
    offset = at + part.length;
    return { text: part.trim(), mid: seg.x0 + ((at + part.length / 2) / seg.text.length) * (seg.x1 - seg.x0) };
  });
}

const money = (t: string | null) =>
  normMoney(t ? (/-?\d[\d,]*\.\d{2}/.exec(t.replace(/\s+/g, ''))?.[0] ?? null) : null);

/** Passenger tickets (航空运输电子客票行程单 61, 铁路电子客票 51): fare, tax, total, passenger, trip. */
function readTicket(pages: readonly PageText[], d: InvoiceDraft, src: FieldSource, c: number, kind: '51' | '61') {
  const labelValue = (re: RegExp, value: RegExp) => {
    const hit = findLabels(pages, re)[0];
    return hit ? valueNear(hit, value) : null;
  };
  const issuer = findLabels(pages, /填开单位|售票单位/)[0];
  const stops = ['填开日期', '购买方', '统一社会信用代码', '电子客票号码'];
  if (issuer) d.set('seller.name', normText(textRightOf(issuer, stops)), src, c * 0.9);
  d.set('issueDate', normDate(labelValue(/填开日期|开票日期/, DATE)), src, c);
  const buyer = findLabels(pages, /购买方名称/)[0];
  if (buyer) d.set('buyer.name', normText(textRightOf(buyer, ['统一社会信用代码', '纳税人识别号'])), src, c * 0.9);
  const buyerId = findLabels(pages, /纳税人识别号/).at(-1);
  if (buyerId) d.set('buyer.taxId', normTaxId(valueNear(buyerId, /([0-9A-Z]{15,20})(?![0-9A-Z])/)), src, c * 0.9);
  let fare: string | null;
  let tax: string | null;
  let total: string | null;
  if (kind === '61') {
    const base = money(cellBelow(pages, /^票价|票价/));
    const fuel = money(cellBelow(pages, /燃油附加费/));
    fare = base && fuel ? normMoney(String((toCents(base) + toCents(fuel)) / 100)) : base;
    tax = money(cellBelow(pages, /增值税税额/));
    total = money(cellBelow(pages, /合计/));
  } else {
    fare = money(labelValue(/票价/, /[¥￥]?(-?\d[\d,]*\.\d{2})/));
    tax = money(labelValue(/税额/, /[¥￥]?(-?\d[\d,]*\.\d{2})/));
    total = fare;
  }
  d.set('totals.total', total, src, c);
  d.set('totals.tax', tax, src, c * 0.9);
  const from = findLabels(pages, /^自[:：]?/)[0];
  const to = findLabels(pages, /^至[:：]?/).at(-1);
  d.setPassenger(
    {
      name: normText(cellBelow(pages, /旅客姓名|乘车人|姓名/)),
      idNumber: normText(cellBelow(pages, /有效身份证件号码|证件号码/)),
      travelDate: normDate(cellBelow(pages, /日期/)),
      from: from ? normText(textRightOf(from, [])) : normText(labelValue(/出发站|始发站/, /(\p{Script=Han}+)/u)),
      to: to ? normText(textRightOf(to, [])) : normText(labelValue(/到达站|终点站/, /(\p{Script=Han}+)/u)),
      trip: normText(cellBelow(pages, /航班号|车次/)),
      seatClass: normText(cellBelow(pages, /座位等级|席别|座位类型/)),
      fare,
      tax,
    },
    src,
    c * 0.8,
  );
}
