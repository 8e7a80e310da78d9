/**
 * Failure codes: what a resource records when its background work failed (an invoice's `failure.code`), as opposed
 * to the error codes an HTTP answer carries. Declared per field in the module's `*.errors.ts` like error codes, and
 * listed in docs/errors.md from this registry.
 */
export interface FailureCodeSet {
  /** The field that holds the code, as the API shows it, e.g. "`failure.code` of an invoice". */
  readonly field: string;
  /** What else the field may hold besides the declared codes (English, for docs/errors.md). */
  readonly note: string;
  readonly codes: readonly { readonly code: string; readonly description: string }[];
}

const registry = new Map<string, FailureCodeSet>();

/** Declares the codes a field may hold; returns them as a map of literal codes (`X.CODE === 'CODE'`). */
export function defineFailureCodes<const T extends Record<string, string>>(
  field: string,
  note: string,
  defs: T,
): { readonly [K in keyof T]: K } {
  const out: Record<string, string> = {};
  for (const code of Object.keys(defs)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw new Error(`failure code ${code} is not UPPER_SNAKE`);
    out[code] = code;
  }
  registry.set(field, {
    field,
    note,
    codes: Object.entries(defs).map(([code, description]) => ({ code, description })),
  });
  return Object.freeze(out) as { readonly [K in keyof T]: K };
}

/** Every failure-code set declared so far (modules must have been imported). */
export function listFailureCodeSets(): FailureCodeSet[] {
  return [...registry.values()].sort((a, b) => a.field.localeCompare(b.field));
}
