/**
 * OFD (GB/T 33190) invoices: a ZIP whose OFD.xml names the document. Read in order of trust (tax-rules §9.2):
 * the embedded invoice XML under Doc_0/Attachs (数电 EInvoice, legacy eInvoice, XBRL tickets), the CustomData of
 * OFD.xml, the CustomTag map (field → text object ids), and the page text layer (templates + pages) as the
 * positional fallback anchored on the printed labels.
 */
import { receivedKindOfLegacyCode } from '../tax/index.js';
import type { InvoiceDraft } from './draft.js';
import { ParseFailure } from './errors.js';
import { readInvoiceXml } from './invoice-xml.js';
import { buildPage, type Glyph, type PageText } from './layout.js';
import { normDate, normMoney, normTaxId, normText } from './normalize.js';
import { readPageText } from './text-fields.js';
import { child, childrenNamed, findAll, parseXml, textAt, type XNode } from './xml-tree.js';
import { ZipArchive as Zip, type ZipArchive, type ZipLimits } from './zip.js';

export interface OfdReadOptions {
  readonly zipLimits?: ZipLimits;
  /** Skip the embedded XML and CustomData (tests of the text-layer fallback). */
  readonly textLayerOnly?: boolean;
  /** Most pages whose text is read. */
  readonly maxPages?: number;
}

/** True when the ZIP is an OFD package. */
export function isOfd(zip: ZipArchive): boolean {
  return zip.has('OFD.xml');
}

export function readOfd(bytes: Uint8Array, d: InvoiceDraft, options: OfdReadOptions = {}): void {
  const zip = new Zip(bytes, options.zipLimits);
  if (!isOfd(zip)) throw new ParseFailure('NOT_AN_INVOICE', '压缩包不是 OFD 文件（缺少 OFD.xml）');
  const ofd = parseXml(zip.read('OFD.xml')!, 'OFD.xml');
  const body = child(ofd, 'DocBody');
  const docRoot = resolve('', textAt(body, 'DocRoot') ?? 'Doc_0/Document.xml');
  const docDir = dirOf(docRoot);
  const documentBytes = zip.read(docRoot);
  if (!documentBytes) throw new ParseFailure('CORRUPT', 'OFD 文件已损坏：缺少 Document.xml');
  const document = parseXml(documentBytes, 'Document.xml');

  if (!options.textLayerOnly) {
    readAttachments(zip, document, docDir, d);
    readCustomData(body, d);
  }
  if (d.isComplete()) return;
  const pages = readPages(zip, document, docDir, options.maxPages ?? 20);
  if (!options.textLayerOnly) readCustomTags(zip, document, docDir, pages.objects, d);
  readPageText(pages.texts, d, 'ofd', 0.8);
}

function readAttachments(zip: ZipArchive, document: XNode, docDir: string, d: InvoiceDraft): void {
  const listPath = textAt(document, 'Attachments');
  const candidates = new Set<string>();
  if (listPath) {
    const listFile = resolve(docDir, listPath);
    const bytes = zip.read(listFile);
    if (bytes) {
      const list = parseXml(bytes, 'Attachments.xml');
      for (const a of childrenNamed(list, 'Attachment')) {
        const loc = textAt(a, 'FileLoc');
        if (loc && /xml$/i.test(a.attrs.Format ?? loc)) candidates.add(resolve(dirOf(listFile), loc));
      }
    }
  }
  for (const name of zip.names()) {
    if (/\/Attachs\/.+\.xml$/i.test(name) && !/Attachments\.xml$/i.test(name)) candidates.add(name);
  }
  for (const name of candidates) {
    const bytes = zip.read(name);
    if (!bytes) continue;
    try {
      if (readInvoiceXml(parseXml(bytes, name), d, 'xml', 1)) return;
    } catch (err) {
      if (err instanceof ParseFailure && err.code === 'CORRUPT') {
        d.warn({ code: 'FIELD_MISSING', message: `OFD 附件 ${name} 无法解析，已改用页面文字` });
        continue;
      }
      throw err;
    }
  }
}

/** CustomData names real OFD invoices carry (tax-rules §9.2 item 1). */
function readCustomData(body: XNode | undefined, d: InvoiceDraft): void {
  const values = new Map<string, string>();
  for (const cd of findAll(child(body, 'DocInfo'), 'CustomData')) {
    const name = cd.attrs.Name;
    if (name) values.set(name, cd.text.trim());
  }
  if (values.size === 0) return;
  const c = 0.95;
  const code = values.get('发票代码')?.replace(/\s+/g, '') || null;
  d.set('code', code && /^\d{10,12}$/.test(code) ? code : null, 'ofd', c);
  const number = values.get('发票号码')?.replace(/\s+/g, '') || null;
  d.set('number', number && /^\d+$/.test(number) ? number : null, 'ofd', c);
  if (code) d.set('kind', receivedKindOfLegacyCode(code), 'ofd', c * 0.9);
  d.set('issueDate', normDate(values.get('开票日期')), 'ofd', c);
  const check = values.get('校验码')?.replace(/\s+/g, '') || null;
  d.set('checkCode', check && /^\d{20}$/.test(check) ? check : null, 'ofd', c);
  d.set('totals.amount', normMoney(values.get('合计金额')), 'ofd', c);
  d.set('totals.tax', normMoney(values.get('合计税额')), 'ofd', c);
  d.set('totals.total', normMoney(values.get('价税合计')), 'ofd', c);
  d.set('buyer.name', normText(values.get('购买方名称')), 'ofd', c);
  d.set('seller.name', normText(values.get('销售方名称')), 'ofd', c);
  d.set('buyer.taxId', normTaxId(values.get('购买方纳税人识别号')), 'ofd', c);
  d.set('seller.taxId', normTaxId(values.get('销售方纳税人识别号')), 'ofd', c);
}

/** Tag name (local, as in CustomTag.xml) → field. */
const TAG_FIELDS: Readonly<Record<string, Parameters<InvoiceDraft['set']>[0]>> = {
  InvoiceNo: 'number',
  InvoiceCode: 'code',
  IssueDate: 'issueDate',
  InvoiceCheckCode: 'checkCode',
  BuyerName: 'buyer.name',
  BuyerTaxID: 'buyer.taxId',
  SellerName: 'seller.name',
  SellerTaxID: 'seller.taxId',
  TaxExclusiveTotalAmount: 'totals.amount',
  TaxTotalAmount: 'totals.tax',
  TaxInclusiveTotalAmount: 'totals.total',
};

function readCustomTags(
  zip: ZipArchive,
  document: XNode,
  docDir: string,
  objects: ReadonlyMap<string, string>,
  d: InvoiceDraft,
): void {
  const tagsPath = textAt(document, 'CustomTags');
  if (!tagsPath) return;
  const tagsFile = resolve(docDir, tagsPath);
  const bytes = zip.read(tagsFile);
  if (!bytes) return;
  for (const tag of childrenNamed(parseXml(bytes, 'CustomTags.xml'), 'CustomTag')) {
    const loc = textAt(tag, 'FileLoc');
    if (!loc) continue;
    const tagBytes = zip.read(resolve(dirOf(tagsFile), loc));
    if (!tagBytes) continue;
    const root = parseXml(tagBytes, 'CustomTag.xml');
    const walk = (n: XNode) => {
      const field = TAG_FIELDS[n.name];
      if (field) {
        const text = findAll(n, 'ObjectRef')
          .map((r) => objects.get(r.text.trim()) ?? '')
          .join('');
        const value = normaliseTagValue(field, text);
        d.set(field, value, 'ofd', 0.9);
      }
      for (const k of n.children) walk(k);
    };
    walk(root);
  }
}

function normaliseTagValue(field: string, text: string): string | null {
  if (field === 'issueDate') return normDate(text);
  if (field.startsWith('totals.')) return normMoney(text);
  if (field.endsWith('.taxId')) return normTaxId(text);
  if (field.endsWith('.name')) return normText(text);
  const digitsOnly = text.replace(/\s+/g, '');
  return /^\d+$/.test(digitsOnly) ? digitsOnly : null;
}

interface Pages {
  readonly texts: PageText[];
  /** TextObject id → its text, for the CustomTag map. */
  readonly objects: Map<string, string>;
}

function readPages(zip: ZipArchive, document: XNode, docDir: string, maxPages: number): Pages {
  const common = child(document, 'CommonData');
  const box = boxOf(textAt(common, 'PageArea', 'PhysicalBox')) ?? [0, 0, 210, 140];
  const templates = new Map<string, string>();
  for (const t of childrenNamed(common, 'TemplatePage')) {
    if (t.attrs.ID && t.attrs.BaseLoc) templates.set(t.attrs.ID, resolve(docDir, t.attrs.BaseLoc));
  }
  const objects = new Map<string, string>();
  const texts: PageText[] = [];
  const runs = { n: 0 };
  const pages = childrenNamed(child(document, 'Pages'), 'Page').slice(0, maxPages);
  for (const page of pages) {
    if (!page.attrs.BaseLoc) continue;
    const pagePath = resolve(docDir, page.attrs.BaseLoc);
    const bytes = zip.read(pagePath);
    if (!bytes) continue;
    const content = parseXml(bytes, pagePath);
    const pageBox = boxOf(textAt(content, 'Area', 'PhysicalBox')) ?? box;
    const glyphs: Glyph[] = [];
    for (const tpl of childrenNamed(content, 'Template')) {
      const tplPath = templates.get(tpl.attrs.TemplateID ?? '');
      const tplBytes = tplPath ? zip.read(tplPath) : null;
      if (tplBytes) collectText(parseXml(tplBytes, tplPath), glyphs, objects, runs);
    }
    collectText(content, glyphs, objects, runs);
    texts.push(buildPage(glyphs, pageBox[2], pageBox[3]));
  }
  return { texts, objects };
}

/** Glyphs of every TextObject under `node` (CTM and DeltaX applied); fills the id → text map. */
function collectText(node: XNode, out: Glyph[], objects: Map<string, string>, runs: { n: number }): void {
  for (const obj of findAll(node, 'TextObject')) {
    const b = boxOf(obj.attrs.Boundary);
    if (!b) continue;
    const size = Number(obj.attrs.Size ?? '3.5') || 3.5;
    const ctm = (obj.attrs.CTM ?? '').trim().split(/\s+/).map(Number);
    const m = ctm.length === 6 && ctm.every(Number.isFinite) ? ctm : [1, 0, 0, 1, 0, 0];
    const scale = Math.hypot(m[0]!, m[1]!) || 1;
    let text = '';
    let lastX = 0;
    let lastY = 0;
    for (const code of childrenNamed(obj, 'TextCode')) {
      const run = ++runs.n;
      const chars = [...code.text];
      text += code.text;
      let x = code.attrs.X !== undefined ? Number(code.attrs.X) : lastX;
      const y = code.attrs.Y !== undefined ? Number(code.attrs.Y) : lastY;
      const dx = expandDeltas(code.attrs.DeltaX, chars.length - 1);
      chars.forEach((ch, i) => {
        const adv = dx[i] ?? (ch.charCodeAt(0) <= 0xff ? size * 0.5 : size);
        const px = m[0]! * x + m[2]! * y + m[4]!;
        const py = m[1]! * x + m[3]! * y + m[5]!;
        out.push({ ch, x: b[0] + px, y: b[1] + py, w: Math.abs(adv * scale), h: size * scale, run });
        x += adv;
      });
      lastX = x;
      lastY = y;
    }
    if (obj.attrs.ID) objects.set(obj.attrs.ID, text);
  }
}

/** OFD DeltaX: numbers, with `g n v` meaning n times v. */
function expandDeltas(raw: string | undefined, count: number): number[] {
  if (!raw) return [];
  const tokens = raw.trim().split(/\s+/);
  const out: number[] = [];
  for (let i = 0; i < tokens.length && out.length < count + 1; i++) {
    if (tokens[i] === 'g') {
      const n = Math.min(Number(tokens[i + 1]), count + 1 - out.length);
      const v = Number(tokens[i + 2]);
      for (let k = 0; k < n; k++) out.push(v);
      i += 2;
    } else {
      out.push(Number(tokens[i]));
    }
  }
  return out;
}

function boxOf(raw: string | null | undefined): [number, number, number, number] | null {
  if (!raw) return null;
  const n = raw.trim().split(/\s+/).map(Number);
  return n.length === 4 && n.every(Number.isFinite) ? [n[0]!, n[1]!, n[2]!, n[3]!] : null;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Resolves an OFD location: absolute (leading /) from the package root, else relative to `dir`. */
function resolve(dir: string, loc: string): string {
  const clean = loc.replace(/\\/g, '/');
  const parts = (clean.startsWith('/') ? clean.slice(1) : dir ? `${dir}/${clean}` : clean).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p && p !== '.') out.push(p);
  }
  return out.join('/');
}
