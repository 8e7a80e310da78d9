/**
 * Test-only generator of 数电 invoice PDFs laid out the way other issuers differ, drawn with pdf-lib directly (our
 * product's renderer is not touched): the standard labels and values with random page sizes and offsets, font sizes
 * 8–14 pt, label/value gaps, full-width / half-width / no colons, values on the label's baseline or slightly below,
 * text drawn as whole strings, per-character runs or random chunks (with or without letter-spacing), buyer/seller
 * blocks side by side or one above the other (vertical block labels, headings or 购买方-prefixed labels), item
 * tables with random column positions and alignments and wrapped names, 1–2 pages.
 *
 * The font is a non-embedded Type0/CIDFontType2 with Identity-H codes, a W array (CJK 1 em, ASCII ½ em) and a
 * ToUnicode CMap, as many issuers' PDFs carry: the text layer is all the parser can read.
 */
import {
  beginText,
  degrees,
  endText,
  PDFDocument,
  PDFHexString,
  PDFName,
  type PDFPage,
  type PDFRef,
  PDFString,
  popGraphicsState,
  pushGraphicsState,
  setCharacterSpacing,
  setFontAndSize,
  setTextMatrix,
  showText,
} from 'pdf-lib';
import type { InvoiceDocument } from '../../src/modules/documents/render/invoice-document.js';

/** mulberry32: a small seeded PRNG (the seed comes from fast-check, so failures replay). */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    range: (lo: number, hi: number) => lo + next() * (hi - lo),
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof prng>;

export interface LayoutChoice {
  readonly pageSize: 'a4' | 'landscape';
  readonly size: number;
  readonly colon: '：' | ':' | '';
  readonly runs: 'whole' | 'chars' | 'chunks';
  readonly spacing: number;
  readonly gap: number;
  readonly drop: number;
  readonly parties: 'left-right' | 'stacked' | 'legacy';
  readonly roleLabel: 'vertical' | 'heading' | 'prefixed';
  readonly taxIdLabel: string;
  readonly dateStyle: 'cn' | 'cn-spaced' | 'iso' | 'slash';
  /** Short labels letter-spaced with blanks (名  称, 发 票 号 码). */
  readonly spacedLabels: boolean;
  /** Thousands separators in money (1,234.56). */
  readonly commas: boolean;
  /** ⊗/ⓧ before the amount in words. */
  readonly wordsMark: string;
  /** Baseline wobble of table cells (em). */
  readonly cellJitter: number;
  /** Item table header words: 数电, legacy VAT (货物或应税劳务、服务名称 … 税率), or letter-spaced (数 量). */
  readonly tableHeader: '数电' | 'legacy' | 'spaced';
  /** Spec and unit price cells filled in. */
  readonly fullRows: boolean;
  /** /Rotate of every page (a scan-like landscape sheet stored turned). */
  readonly rotate: 0 | 90 | 180 | 270;
  readonly pages: 1 | 2;
  readonly moneyAlign: 'right' | 'center' | 'left';
}

/** Text width in em: CJK and full-width forms 1, ASCII ½. */
const emWidth = (ch: string) => (ch.codePointAt(0)! < 0x2e80 ? 0.5 : 1);
const textWidth = (s: string, size: number, spacing = 0) =>
  [...s].reduce((w, ch) => w + emWidth(ch) * size + spacing, 0);

class Canvas {
  private readonly cids = new Map<string, number>();
  readonly fontRef: PDFRef;
  constructor(
    readonly doc: PDFDocument,
    private readonly rng: Rng,
    private readonly runs: LayoutChoice['runs'],
    private readonly spacingEm: number,
    private readonly rotate = 0,
  ) {
    this.fontRef = doc.context.nextRef();
  }

  addPage(w: number, h: number): PDFPage {
    const page = this.doc.addPage([w, h]);
    if (this.rotate) page.setRotation(degrees(this.rotate));
    page.node.setFontDictionary(PDFName.of('F1'), this.fontRef);
    return page;
  }

  private hex(s: string): PDFHexString {
    let out = '';
    for (const ch of s) {
      let cid = this.cids.get(ch);
      if (cid === undefined) {
        cid = this.cids.size + 1;
        this.cids.set(ch, cid);
      }
      out += cid.toString(16).padStart(4, '0');
    }
    return PDFHexString.of(out);
  }

  /** Draws `s` with its baseline at (x, y) in top-down page coordinates; returns the x after it. */
  text(page: PDFPage, s: string, x: number, y: number, size: number): number {
    const spacing = this.spacingEm * size;
    const pieces: string[] = [];
    const chars = [...s];
    if (this.runs === 'whole') pieces.push(s);
    else if (this.runs === 'chars') pieces.push(...chars);
    else
      for (let i = 0; i < chars.length; ) {
        const n = this.rng.int(1, 4);
        pieces.push(chars.slice(i, i + n).join(''));
        i += n;
      }
    const py = page.getHeight() - y;
    page.pushOperators(pushGraphicsState(), beginText(), setFontAndSize('F1', size), setCharacterSpacing(spacing));
    let cx = x;
    for (const piece of pieces) {
      page.pushOperators(setTextMatrix(1, 0, 0, 1, cx, py), showText(this.hex(piece)));
      cx += textWidth(piece, size, spacing);
    }
    page.pushOperators(endText(), popGraphicsState());
    return cx;
  }

  finish(): void {
    const ctx = this.doc.context;
    const entries = [...this.cids];
    const bf = entries.map(
      ([ch, cid]) => `<${cid.toString(16).padStart(4, '0')}> <${Buffer.from(ch, 'utf16le').swap16().toString('hex')}>`,
    );
    const blocks: string[] = [];
    for (let i = 0; i < bf.length; i += 100)
      blocks.push(`${bf.slice(i, i + 100).length} beginbfchar\n${bf.slice(i, i + 100).join('\n')}\nendbfchar`);
    const cmap = [
      '/CIDInit /ProcSet findresource begin 12 dict begin begincmap',
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
      '/CMapName /Adobe-Identity-UCS def /CMapType 2 def',
      '1 begincodespacerange <0000> <FFFF> endcodespacerange',
      ...blocks,
      'endcmap CMapName currentdict /CMap defineresource pop end end',
    ].join('\n');
    const toUnicode = ctx.register(ctx.flateStream(cmap));
    const descriptor = ctx.register(
      ctx.obj({
        Type: 'FontDescriptor',
        FontName: 'SimSun',
        Flags: 4,
        FontBBox: [0, -141, 1000, 859],
        ItalicAngle: 0,
        Ascent: 859,
        Descent: -141,
        CapHeight: 700,
        StemV: 80,
      }),
    );
    const cidFont = ctx.register(
      ctx.obj({
        Type: 'Font',
        Subtype: 'CIDFontType2',
        BaseFont: 'SimSun',
        CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
        FontDescriptor: descriptor,
        DW: 1000,
        W: ctx.obj(entries.flatMap(([ch, cid]) => [cid, [emWidth(ch) * 1000]])),
      }),
    );
    ctx.assign(
      this.fontRef,
      ctx.obj({
        Type: 'Font',
        Subtype: 'Type0',
        BaseFont: 'SimSun',
        Encoding: 'Identity-H',
        DescendantFonts: [cidFont],
        ToUnicode: toUnicode,
      }),
    );
  }
}

export function chooseLayout(rng: Rng): LayoutChoice {
  return {
    pageSize: rng.pick(['a4', 'landscape'] as const),
    size: rng.pick([8, 9, 10, 10.5, 11, 12, 13, 14]),
    colon: rng.pick(['：', ':', ''] as const),
    runs: rng.pick(['whole', 'chars', 'chunks'] as const),
    spacing: rng.chance(0.3) ? rng.range(0.05, 0.3) : 0,
    gap: rng.range(0, 3),
    drop: rng.chance(0.4) ? rng.range(0.1, 0.45) : 0,
    parties: rng.pick(['left-right', 'stacked', 'legacy'] as const),
    roleLabel: rng.pick(['vertical', 'heading', 'prefixed'] as const),
    taxIdLabel: rng.pick(['统一社会信用代码/纳税人识别号', '纳税人识别号', '统一社会信用代码']),
    dateStyle: rng.pick(['cn', 'cn-spaced', 'iso', 'slash'] as const),
    spacedLabels: rng.chance(0.3),
    commas: rng.chance(0.3),
    wordsMark: rng.pick(['', '⊗', 'ⓧ']),
    cellJitter: rng.chance(0.4) ? rng.range(0.03, 0.15) : 0,
    tableHeader: rng.pick(['数电', 'legacy', 'spaced'] as const),
    fullRows: rng.chance(0.5),
    rotate: rng.chance(0.2) ? rng.pick([90, 180, 270] as const) : 0,
    pages: rng.chance(0.3) ? 2 : 1,
    moneyAlign: rng.pick(['right', 'center', 'left'] as const),
  };
}

/** Renders `doc` in a random foreign layout chosen from `seed`; returns the PDF and the layout (for messages). */
export async function renderForeignLayout(
  doc: InvoiceDocument,
  seed: number,
): Promise<{ pdf: Uint8Array; layout: LayoutChoice }> {
  const rng = prng(seed);
  const L = chooseLayout(rng);
  const pdfDoc = await PDFDocument.create();
  const cv = new Canvas(pdfDoc, rng, L.runs, L.spacing, L.rotate);
  const S = L.size;
  /** Width as drawn (with the layout's letter-spacing). */
  const drawnW = (t: string, size: number) => textWidth(t, size, L.spacing * size);
  // Room for what is drawn (top-down: header, two party blocks, rows with wrapped names, totals).
  const need = S * (12 + 16 + doc.lines.length * 4.5 + 10) + 80;
  const [W, H] =
    L.pageSize === 'a4' ? [595, Math.max(842, need)] : [rng.range(640, 842), Math.max(need, rng.range(396, 595))];
  const jitter = (v: number) => v + rng.range(-0.15, 0.15) * S;
  const lineGap = () => S * rng.range(1.5, 2.2);
  const mx = rng.range(18, 50);
  const contentW = W - 2 * mx;

  /** Label, colon, gap, value (on the baseline or slightly below, maybe another size); returns the end x. */
  const labelled = (page: PDFPage, label: string, value: string, x: number, y: number) => {
    const shown = L.spacedLabels && [...label].length <= 4 ? [...label].join(rng.pick([' ', '  ', '\u3000'])) : label;
    const end = cv.text(page, shown + L.colon, x, y, S);
    const vs = rng.chance(0.3) ? Math.max(8, Math.min(14, S + rng.pick([-1, 1, 2]))) : S;
    return cv.text(page, value, end + L.gap * S * 0.5 + rng.range(0, 0.3) * S, y + L.drop * S, vs);
  };

  const date = new Date(doc.issuedAt + 8 * 3600_000).toISOString().slice(0, 10);
  const [yy, mm, dd] = date.split('-');
  const dateText = {
    cn: `${yy}年${mm}月${dd}日`,
    'cn-spaced': `${yy} 年 ${mm} 月 ${dd} 日`,
    iso: date,
    slash: `${yy}/${mm}/${dd}`,
  }[L.dateStyle];
  const money = (v: string) => (L.commas ? v.replace(/\B(?=(\d{3})+(?!\d))(?=[\d]*\.)/g, ',') : v);

  /** Title and number/date; returns y below. */
  const header = (page: PDFPage, y0: number) => {
    const titleSize = Math.min(18, S + rng.range(2, 6));
    const tw = drawnW(doc.kindName, titleSize);
    const tx = W / 2 - tw / 2 + rng.range(-30, 30);
    const ty = y0 + titleSize;
    cv.text(page, doc.kindName, tx, ty, titleSize);
    const hw =
      drawnW(`发票号码${L.colon}`, S) +
      drawnW(doc.number, S + 2) +
      L.gap * S * 0.5 +
      0.3 * S +
      (L.spacedLabels ? 3 * S : 0);
    const hx = W - mx - hw - rng.range(0, S * 6);
    // Beside the title where there is room (no overlap), else below it.
    let y = hx > tx + tw + S ? ty + titleSize * rng.range(-0.2, 1.2) : ty + titleSize * 0.6 + lineGap();
    labelled(page, '发票号码', doc.number, hx, y);
    y += lineGap();
    labelled(page, '开票日期', dateText, hx + rng.range(-S, 0), y);
    return Math.max(ty + titleSize, y) + lineGap();
  };

  /** A party block at (x, y) of width w; returns y below. */
  const party = (page: PDFPage, role: 'buyer' | 'seller', x: number, y: number) => {
    const p = role === 'buyer' ? doc.buyer : doc.seller;
    const roleName = role === 'buyer' ? '购买方' : '销售方';
    let lx = x;
    let cy = y;
    if (L.roleLabel === 'vertical') {
      const chars = [...`${roleName}信息`];
      const top = y - S * 0.3;
      for (const [i, ch] of chars.entries()) cv.text(page, ch, x, top + i * S * 1.15, S);
      lx = x + S * rng.range(1.6, 3);
    } else if (L.roleLabel === 'heading') {
      cv.text(page, `${roleName}信息`, x, cy, S);
      cy += lineGap();
    }
    const prefix = L.roleLabel === 'prefixed' ? roleName : '';
    labelled(page, `${prefix}名称`, p.name, lx, jitter(cy));
    cy += lineGap();
    labelled(page, `${prefix}${L.taxIdLabel}`, p.taxId ?? '', lx, jitter(cy));
    cy += lineGap();
    const minBottom = L.roleLabel === 'vertical' ? y + 5 * S * 1.15 : cy;
    return Math.max(cy, minBottom) + S * 0.5;
  };

  // Item table geometry: random column widths (name column wide), random alignment of money.
  const colNames = {
    数电: ['项目名称', '规格型号', '单位', '数量', '单价', '金额', '税率/征收率', '税额'],
    legacy: ['货物或应税劳务、服务名称', '规格型号', '单位', '数量', '单价', '金额', '税率', '税额'],
    spaced: ['项 目 名 称', '规格型号', '单 位', '数 量', '单 价', '金 额', '税率/征收率', '税 额'],
  }[L.tableHeader];
  const weights = [rng.range(2.2, 3.6), rng.range(0.8, 1.4), rng.range(0.5, 0.9), rng.range(0.6, 1.1)];
  weights.push(rng.range(0.9, 1.4), rng.range(1.1, 1.6), rng.range(0.8, 1.3), rng.range(1, 1.5));
  const tableX = mx + rng.range(0, 20);
  const tableW = contentW - rng.range(0, 30);
  const sumW = weights.reduce((a, b) => a + b, 0);
  const colX: number[] = [];
  let acc = tableX;
  for (const w of weights) {
    colX.push(acc);
    acc += (w / sumW) * tableW;
  }
  colX.push(acc);
  const colW = (i: number) => colX[i + 1]! - colX[i]!;
  const headerSize = S;
  const cell = (page: PDFPage, i: number, s: string, y: number, align: 'left' | 'right' | 'center') => {
    // A value wider than its cell is set smaller (as issuers do), never over its neighbour.
    const size = Math.min(S, (S * (colW(i) - S * 0.6)) / drawnW(s, S));
    const tw = drawnW(s, size);
    const pad = S * 0.3;
    const x =
      align === 'left' ? colX[i]! + pad : align === 'right' ? colX[i + 1]! - pad - tw : colX[i]! + (colW(i) - tw) / 2;
    cv.text(page, s, Math.max(colX[i]! + 0.5, x), y + rng.range(-1, 1) * L.cellJitter * S, size);
  };
  const tableHeader = (page: PDFPage, y: number) => {
    const align = rng.pick(['left', 'center'] as const);
    colNames.forEach((h, i) => {
      // A header wider than its column is set smaller (as issuers do), never over its neighbour.
      const size = Math.min(headerSize, (headerSize * (colW(i) - S * 0.4)) / drawnW(h, headerSize));
      const tw = drawnW(h, size);
      cv.text(page, h, align === 'left' ? colX[i]! + S * 0.2 : colX[i]! + Math.max(0, (colW(i) - tw) / 2), y, size);
    });
    return y + lineGap();
  };
  const nameFits = Math.max(3, Math.floor((colW(0) - S * 0.6) / (S + L.spacing * S)));
  const row = (page: PDFPage, l: InvoiceDocument['lines'][number], y: number) => {
    const wrap = rng.chance(0.35) || [...l.name].length > nameFits;
    const chars = [...l.name];
    const cut = wrap ? Math.min(nameFits, Math.max(2, chars.length - rng.int(1, 4))) : chars.length;
    cell(page, 0, chars.slice(0, cut).join(''), y, 'left');
    if (L.fullRows) cell(page, 1, rng.pick(['V1.0', '500g', 'A4/70g', '标准版', 'XL-20']), y, 'left');
    if (l.unit) cell(page, 2, l.unit, y, 'center');
    if (L.fullRows && l.quantity) {
      const fen = Math.round(Number(l.amount) * 100);
      cell(page, 4, (fen / 100 / Number(l.quantity)).toFixed(rng.pick([2, 6, 8])), y, L.moneyAlign);
    }
    if (l.quantity) cell(page, 3, l.quantity, y, L.moneyAlign);
    cell(page, 5, money(l.amount), y, L.moneyAlign);
    cell(page, 6, l.taxRateLabel, y, 'center');
    cell(page, 7, money(l.taxLabel), y, L.moneyAlign);
    let ny = y + S * rng.range(1.3, 1.8);
    let rest = chars.slice(cut);
    while (rest.length > 0) {
      cell(page, 0, rest.slice(0, nameFits).join(''), ny, 'left');
      rest = rest.slice(nameFits);
      ny += S * rng.range(1.2, 1.5);
    }
    return ny + S * rng.range(0, 0.6);
  };
  const totals = (page: PDFPage, y: number) => {
    cv.text(page, rng.pick(['合计', '合 计', '合　计']), colX[0]! + rng.range(S * 0.3, colW(0) / 2), y, S);
    cell(page, 5, `¥${money(doc.totals.amount)}`, y, L.moneyAlign);
    cell(page, 7, `¥${money(doc.totals.tax)}`, y, L.moneyAlign);
    let ny = y + lineGap();
    const words = `${L.wordsMark}${doc.isRed ? '（负数）' : ''}${doc.totals.totalInWords}`;
    const bx = cv.text(page, `价税合计（大写）`, tableX + rng.range(0, S), ny, S);
    cv.text(page, words, bx + rng.range(S, S * 4), ny + L.drop * S, S);
    const small = `（小写）¥${money(doc.totals.total)}`;
    const sx = Math.max(bx + drawnW(words, S) + S * 4, colX[5]! + rng.range(-S * 2, S));
    // No room right of the words: the figures go just below, right-aligned (as narrow layouts set them).
    if (sx + drawnW(small, S) <= W - mx) cv.text(page, small, sx, ny, S);
    else {
      ny += S * 1.3;
      cv.text(page, small, W - mx - drawnW(small, S), ny, S);
    }
    ny += lineGap();
    return ny;
  };

  // Pages.
  const split = L.pages === 2 ? rng.int(0, doc.lines.length) : doc.lines.length;
  const page1 = cv.addPage(W, H);
  let y = header(page1, rng.range(18, 50));
  // Side by side only where both blocks fit their half (issuers with long labels stack them).
  const labelW = drawnW(`${L.roleLabel === 'prefixed' ? '购买方' : ''}${L.taxIdLabel}${L.colon}`, S);
  const blockW =
    labelW + L.gap * S * 0.5 + 0.3 * S + drawnW('X'.repeat(18), 14) + (L.roleLabel === 'vertical' ? 3 * S : 0);
  const parties = L.parties === 'left-right' && blockW + 30 > contentW / 2 ? 'stacked' : L.parties;
  if (parties === 'left-right') {
    const sellerX = mx + contentW / 2 + rng.range(-20, 20);
    const yb = party(page1, 'buyer', mx + rng.range(0, 10), y);
    const ys = party(page1, 'seller', sellerX, y + rng.range(-0.2, 0.2) * S);
    y = Math.max(yb, ys) + S * 0.5;
  } else {
    y = party(page1, 'buyer', mx + rng.range(0, 10), y) + S * 0.3;
    if (parties === 'stacked') y = party(page1, 'seller', mx + rng.range(0, 10), y) + S * 0.3;
  }
  y = tableHeader(page1, y);
  for (const l of doc.lines.slice(0, split)) y = row(page1, l, y);
  let last = page1;
  if (L.pages === 2) {
    last = cv.addPage(W, H);
    y = header(last, rng.range(18, 50));
    y = tableHeader(last, y);
    for (const l of doc.lines.slice(split)) y = row(last, l, y);
  }
  y = totals(last, y + S * 0.5);
  // 备注: below the totals, or (legacy) right of the seller block; label inline or written downwards.
  const remarkY = y;
  if (parties === 'legacy') y = party(last, 'seller', mx + rng.range(0, 10), y) + S * 0.3;
  if (doc.remark) {
    // Right of the legacy seller block where it fits beside it, else below everything.
    const nameW =
      drawnW(`${L.roleLabel === 'prefixed' ? '销售方' : ''}名称${L.colon}`, S) +
      L.gap * S * 0.5 +
      0.3 * S +
      drawnW(doc.seller.name, S + 2) +
      (L.roleLabel === 'vertical' ? 3 * S : 0);
    const besideX = Math.max(mx + contentW / 2, mx + 10 + Math.max(blockW, nameW) + S) + rng.range(0, 20);
    const longest = Math.max(...doc.remark.split('\n').map((t) => drawnW(t, S)));
    const beside = parties === 'legacy' && besideX + drawnW('备注：', S) + S * 2 + longest < W - mx;
    const rx = beside ? besideX : mx + rng.range(0, 20);
    let ry = beside ? remarkY : y;
    const vertical = rng.chance(0.5);
    if (vertical) {
      cv.text(last, '备', rx, ry, S);
      cv.text(last, '注', rx, ry + S * 1.3, S);
    }
    const lines = doc.remark.split('\n');
    lines.forEach((t, i) => {
      const label = !vertical && i === 0 ? `备注${L.colon}` : '';
      const x0 = vertical ? rx + S * 2 : rx;
      const end = label
        ? cv.text(last, label, x0, ry, S) + S * 0.5
        : x0 + (vertical ? 0 : drawnW(`备注${L.colon}`, S) + S * 0.5);
      cv.text(last, t, end, ry, S);
      ry += S * 1.4;
    });
    y = Math.max(y, ry + S * (vertical ? 1.3 : 0.3));
  }
  labelled(last, '开票人', doc.drawer ?? '张三', mx + rng.range(0, 60), y + S);
  cv.finish();
  return { pdf: await pdfDoc.save(), layout: { ...L, parties } };
}
