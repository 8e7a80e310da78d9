import type { Kysely } from 'kysely';

/**
 * Order webhooks stored before this migration hold the order's `/s/{token}` link in `webhook_deliveries.payload`.
 * The token is a bearer secret that only the order keeps (hashed, and encrypted): this puts the reference the code
 * now stores (`{order-link}`, resolved when the webhook is sent) in place of the link. Frozen once released: no
 * imports from the modules.
 */
const REF = '{order-link}';
const FIELDS: [string, string][] = [
  ['url', ''],
  ['qrPngUrl', '/qr.png'],
  ['qrSvgUrl', '/qr.svg'],
];
const LINK_RE = /\/s\/[0-9A-Za-z]{17}(\/qr\.(png|svg))?$/;
const BATCH = 500;

export async function up(db: Kysely<any>): Promise<void> {
  let after = '';
  for (;;) {
    const rows: { id: string; payload: string }[] = await db
      .selectFrom('webhook_deliveries')
      .select(['id', 'payload'])
      .where('event_type', 'like', 'order.%')
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const payload = withReferences(row.payload);
      if (payload !== null)
        await db.updateTable('webhook_deliveries').set({ payload }).where('id', '=', row.id).execute();
    }
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]?.id ?? after;
  }
}

/** The payload with its order links replaced by references, or null when there is nothing to replace. */
function withReferences(payload: string): string | null {
  let body: { data?: Record<string, unknown> };
  try {
    body = JSON.parse(payload);
  } catch {
    return null;
  }
  const data = body.data;
  if (!data || typeof data !== 'object') return null;
  let changed = false;
  for (const [field, suffix] of FIELDS) {
    const value = data[field];
    if (typeof value === 'string' && LINK_RE.test(value)) {
      data[field] = `${REF}${suffix}`;
      changed = true;
    }
  }
  return changed ? JSON.stringify(body) : null;
}

/** The links cannot be rebuilt here (the tokens are encrypted with a key the migration does not have): kept as is. */
export async function down(_db: Kysely<any>): Promise<void> {}
