import type { Kysely } from 'kysely';

/**
 * The console's invoice pool at scale (docs/benchmarks.md#console-scale): every list filter reads its first page from
 * an index in id order, and the dashboard sums issued invoices from a covering index, without touching the rows.
 *
 * - `(tenant_id, <column>, id)` for each equality filter (status, 票种, seller, buyer tax id, business system, origin,
 *   red/blue): the pool's `where tenant_id = ? and <column> = ? order by id desc limit n` walks the index backwards
 *   and stops after n entries. The status index replaces `invoices_tenant_status_idx` (its prefix).
 * - `(tenant_id, id, buyer_name)`: the unfiltered pool and 购方名称 contains — the `like '%…%'` is checked on the index
 *   entries in id order, and only the matching rows are read.
 * - `(tenant_id, total_fen, id)`: amount ranges.
 * - `(tenant_id, issued_at, kind, is_red, seller_tax_id, amount_fen, tax_fen, total_fen, id)`: covers the dashboard's
 *   today / month / 30-day sums and the pool's date-range filter (ids read from the index, then 20 rows). Replaces
 *   `invoices_tenant_issued_idx` (its prefix).
 * Both dialects. Frozen once released: no imports from the modules.
 */
const INDEXES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['invoices_pool_idx', ['tenant_id', 'id', 'buyer_name']],
  ['invoices_status_id_idx', ['tenant_id', 'status', 'id']],
  ['invoices_kind_id_idx', ['tenant_id', 'kind', 'id']],
  ['invoices_seller_id_idx', ['tenant_id', 'seller_tax_id', 'id']],
  ['invoices_buyer_tax_id_idx', ['tenant_id', 'buyer_tax_id', 'id']],
  ['invoices_system_id_idx', ['tenant_id', 'business_system_code', 'id']],
  ['invoices_origin_id_idx', ['tenant_id', 'origin', 'id']],
  ['invoices_red_id_idx', ['tenant_id', 'is_red', 'id']],
  ['invoices_total_id_idx', ['tenant_id', 'total_fen', 'id']],
  [
    'invoices_issued_cover_idx',
    ['tenant_id', 'issued_at', 'kind', 'is_red', 'seller_tax_id', 'amount_fen', 'tax_fen', 'total_fen', 'id'],
  ],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, columns] of INDEXES) {
    await db.schema
      .createIndex(name)
      .on('invoices')
      .columns([...columns])
      .execute();
  }
  await db.schema.dropIndex('invoices_tenant_status_idx').execute();
  await db.schema.dropIndex('invoices_tenant_issued_idx').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('invoices_tenant_status_idx').on('invoices').columns(['tenant_id', 'status']).execute();
  await db.schema
    .createIndex('invoices_tenant_issued_idx')
    .on('invoices')
    .columns(['tenant_id', 'issued_at'])
    .execute();
  for (const [name] of INDEXES) await db.schema.dropIndex(name).execute();
}
