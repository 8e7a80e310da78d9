/**
 * Small SQL helpers every module uses, one version each: unique-violation detection on both dialects, and escaping
 * text for a LIKE pattern (with `escape '\'`).
 */

/** True for a unique-key violation on either dialect (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** `text` with LIKE's wildcards (`%`, `_`) and the escape character (`\`) escaped: use with `escape '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
