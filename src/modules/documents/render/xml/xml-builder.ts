/** Escapes text for XML element content and attribute values. */
export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/** A child of {@link el}: an element string, or skipped when null/undefined/false. */
export type XmlChild = string | null | undefined | false;

/**
 * `<name>…</name>` with the children concatenated; a string child that is not markup is escaped. An element whose
 * value is null becomes `<name/>` (empty elements are kept so the structure is stable).
 */
export function el(name: string, ...children: XmlChild[]): string {
  const body = children.filter((c): c is string => typeof c === 'string').join('');
  return body === '' ? `<${name}/>` : `<${name}>${body}</${name}>`;
}

/** A leaf element with escaped text (`<name/>` when empty or null). */
export function leaf(name: string, value: string | null | undefined): string {
  return value === null || value === undefined || value === ''
    ? `<${name}/>`
    : `<${name}>${escapeXml(value)}</${name}>`;
}
