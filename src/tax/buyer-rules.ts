/**
 * Buyer (抬头) helpers (tax-rules §10): 个人 titles and the printed name of a natural-person buyer.
 */

/** True for a personal title: "个人", "个人（张三）" / "个人(张三)", or a name ending in "（个人）". */
export function isPersonalTitle(name: string): boolean {
  const text = name.trim();
  return text === '个人' || /^个人[（(].+[)）]$/.test(text) || /[（(]个人[)）]$/.test(text);
}

/** Printed buyer name: a natural person's name gets the （个人） suffix unless it already is a personal title. */
export function buyerDisplayName(name: string, naturalPerson: boolean): string {
  const text = name.trim();
  return naturalPerson && !isPersonalTitle(text) ? `${text}（个人）` : text;
}
