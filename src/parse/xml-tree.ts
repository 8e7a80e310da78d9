/**
 * A small element tree over fast-xml-parser, for the invoice XML dialects (数电 EInvoice, legacy eInvoice, OFD parts,
 * XBRL). Namespace prefixes are dropped (the files disagree on them), entity expansion is OFF (only the five
 * predefined entities and character references are decoded; a DOCTYPE with entity declarations is refused) and
 * the input size is capped, so parsing is linear in the input.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ParseFailure } from './errors.js';

export interface XNode {
  /** Local name (no prefix). */
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XNode[];
  /** Concatenated direct text content (entities decoded, not trimmed). */
  readonly text: string;
}

/** Largest XML document we parse (8 MiB; invoice XML is a few KB, a 100-line 清单 ~100 KB). */
export const MAX_XML_BYTES = 8 * 1024 * 1024;
const MAX_DEPTH = 64;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
});

/** Decodes bytes to text: UTF-8 (BOM stripped), or the declared GBK/GB18030/GB2312 encoding. */
export function decodeXmlBytes(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = /encoding\s*=\s*["']([A-Za-z0-9_-]+)["']/.exec(head)?.[1]?.toLowerCase();
  const label = declared && /^(gbk|gb2312|gb18030)$/.test(declared) ? 'gb18030' : 'utf-8';
  return new TextDecoder(label, { fatal: false, ignoreBOM: false }).decode(bytes);
}

/** Parses an XML document into a tree; a malformed or oversized document is a ParseFailure (CORRUPT / TOO_LARGE). */
export function parseXml(input: Uint8Array | string, what = 'XML'): XNode {
  if (input.length > MAX_XML_BYTES) throw new ParseFailure('TOO_LARGE', `${what} 超过 8 MB，不予解析`);
  const text = typeof input === 'string' ? input : decodeXmlBytes(input);
  if (/<!ENTITY/i.test(text)) throw new ParseFailure('CORRUPT', `${what} 含实体声明（DOCTYPE ENTITY），不予解析`);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new ParseFailure('CORRUPT', `${what} 格式错误：第 ${valid.err.line} 行 ${valid.err.msg}`);
  let raw: unknown[];
  try {
    raw = parser.parse(text) as unknown[];
  } catch (err) {
    throw new ParseFailure('CORRUPT', `${what} 无法解析：${(err as Error).message}`);
  }
  const roots = convert(raw);
  const root = roots[0];
  if (!root) throw new ParseFailure('CORRUPT', `${what} 没有根元素`);
  return root;
}

function convert(items: unknown[]): XNode[] {
  const out: XNode[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const entries = Object.entries(item as Record<string, unknown>);
    const attrsRaw = (item as Record<string, unknown>)[':@'] as Record<string, unknown> | undefined;
    for (const [key, value] of entries) {
      if (key === ':@' || key === '#text' || key === '#comment' || key.startsWith('?')) continue;
      const kids = Array.isArray(value) ? (value as unknown[]) : [];
      let text = '';
      for (const k of kids) {
        if (k && typeof k === 'object' && '#text' in (k as object))
          text += String((k as { '#text': unknown })['#text']);
      }
      const attrs: Record<string, string> = {};
      for (const [a, v] of Object.entries(attrsRaw ?? {})) attrs[a.replace(/^.*:/, '')] = decodeEntities(String(v));
      out.push({ name: key.replace(/^.*:/, ''), attrs, children: convert(kids), text: decodeEntities(text) });
    }
  }
  return out;
}

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined entities and numeric character references; anything else stays as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(Number.parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith('#')) return safeCodePoint(Number.parseInt(ref.slice(1), 10)) ?? whole;
    return NAMED[ref] ?? whole;
  });
}

function safeCodePoint(cp: number): string | null {
  return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : null;
}

/** First child named `name`. */
export function child(node: XNode | undefined, name: string): XNode | undefined {
  return node?.children.find((c) => c.name === name);
}

/** Every child named `name`. */
export function childrenNamed(node: XNode | undefined, name: string): XNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** Follows a path of child names. */
export function at(node: XNode | undefined, ...path: string[]): XNode | undefined {
  let cur = node;
  for (const p of path) cur = child(cur, p);
  return cur;
}

/** Trimmed text at a path, or null when absent/empty. */
export function textAt(node: XNode | undefined, ...path: string[]): string | null {
  const t = at(node, ...path)?.text.trim();
  return t ? t : null;
}

/** Depth-first search for the first descendant named `name`. */
export function find(node: XNode | undefined, name: string): XNode | undefined {
  if (!node) return undefined;
  for (const c of node.children) {
    if (c.name === name) return c;
    const hit = find(c, name);
    if (hit) return hit;
  }
  return undefined;
}

/** Every descendant named `name`, in document order. */
export function findAll(node: XNode | undefined, name: string, out: XNode[] = []): XNode[] {
  if (!node) return out;
  for (const c of node.children) {
    if (c.name === name) out.push(c);
    findAll(c, name, out);
  }
  return out;
}
