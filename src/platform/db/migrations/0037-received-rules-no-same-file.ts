import type { Kysely } from 'kysely';

/**
 * The compliance duplicate rule loses its `sameFile` parameter (#14 review): intake is idempotent by content hash, so
 * the same file is never a second item and the check could never fire. Removes the key from every stored
 * `received_rules.rules` (the rules codec refuses unknown keys). Plain JSON text on both dialects, rewritten in
 * code, a page of rows at a time. Frozen once released.
 */
export async function up(db: Kysely<any>): Promise<void> {
  let after = '';
  for (;;) {
    const rows: Array<{ id: string; rules: string }> = await db
      .selectFrom('received_rules')
      .select(['id', 'rules'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .execute();
    for (const row of rows) {
      const rules = JSON.parse(row.rules) as { duplicate?: { params?: Record<string, unknown> } };
      const params = rules.duplicate?.params;
      if (!params || !('sameFile' in params)) continue;
      delete params.sameFile;
      await db
        .updateTable('received_rules')
        .set({ rules: JSON.stringify(rules) })
        .where('id', '=', row.id)
        .execute();
    }
    const last = rows.at(-1);
    if (!last || rows.length < 500) return;
    after = last.id;
  }
}

/** Puts the parameter back, on (its old default; it never had an effect). */
export async function down(db: Kysely<any>): Promise<void> {
  const rows: Array<{ id: string; rules: string }> = await db
    .selectFrom('received_rules')
    .select(['id', 'rules'])
    .execute();
  for (const row of rows) {
    const rules = JSON.parse(row.rules) as { duplicate?: { params?: Record<string, unknown> } };
    if (!rules.duplicate?.params) continue;
    rules.duplicate.params.sameFile = true;
    await db
      .updateTable('received_rules')
      .set({ rules: JSON.stringify(rules) })
      .where('id', '=', row.id)
      .execute();
  }
}
