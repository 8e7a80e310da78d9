/**
 * Printed line names `*简称*名称` (tax-rules §6 "Line name format"): the 简称 comes from the tax code table,
 * the 名称 is the seller's wording, e.g. `*信息技术服务*软件开发服务`, `*餐饮服务*餐费`.
 */

/** Renders `*简称*名称`. */
export function renderItemName(shortName: string, name: string): string {
  return `*${shortName}*${name}`;
}

/** Parses `*简称*名称` back; null when the text does not have that form or the 简称 is empty. */
export function parseItemName(text: string): { shortName: string; name: string } | null {
  const match = /^\*([^*]+)\*([\s\S]*)$/.exec(text);
  if (!match) return null;
  return { shortName: match[1] as string, name: match[2] as string };
}
