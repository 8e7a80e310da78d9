/**
 * 发票行性质 (line nature): normal line, discount line (折扣行) and discounted line (被折扣行).
 * 乐企 `fphxz` uses 00/01/02; legacy and vendor APIs use 0/1/2 with the same meaning; a few old
 * integrations swap 1 and 2 (tax-rules §5.6) — {@link parseLineNatureCode} can undo that.
 */

/** Canonical line natures used in our API. */
export const LINE_NATURES = ['normal', 'discount', 'discounted'] as const;

/** A line nature. */
export type LineNature = (typeof LINE_NATURES)[number];

/** 乐企 `fphxz` code of each nature (tax-rules §5.6). */
export const LINE_NATURE_CODES: Readonly<Record<LineNature, '00' | '01' | '02'>> = {
  normal: '00',
  discount: '01',
  discounted: '02',
};

/** Chinese names. */
export const LINE_NATURE_NAMES: Readonly<Record<LineNature, string>> = {
  normal: '正常行',
  discount: '折扣行',
  discounted: '被折扣行',
};

/** True when `value` is one of {@link LINE_NATURES}. */
export function isLineNature(value: unknown): value is LineNature {
  return typeof value === 'string' && (LINE_NATURES as readonly string[]).includes(value);
}

/**
 * Maps a `fphxz`/`lineProperty` code ("00"/"0", "01"/"1", "02"/"2") to a nature; null when unknown.
 * `swapDiscountCodes` handles integrations that use 1 = 被折扣行 and 2 = 折扣行.
 */
export function parseLineNatureCode(code: string, options: { swapDiscountCodes?: boolean } = {}): LineNature | null {
  const normalized = code.trim().padStart(2, '0');
  const byCode: Record<string, LineNature> = options.swapDiscountCodes
    ? { '00': 'normal', '01': 'discounted', '02': 'discount' }
    : { '00': 'normal', '01': 'discount', '02': 'discounted' };
  return byCode[normalized] ?? null;
}
