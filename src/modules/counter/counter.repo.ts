import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { CounterSettingTable } from './counter.tables.js';

type Db = Kysely<Database>;
export type CounterSetting = Selectable<CounterSettingTable>;

export async function findCounterSetting(
  db: Db,
  tenantId: string,
  sellerTaxId: string,
): Promise<CounterSetting | undefined> {
  return db
    .selectFrom('counter_settings')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('seller_tax_id', '=', sellerTaxId)
    .executeTakeFirst();
}

/** Inserts or replaces the org's validity and receipt (the scan setting key is kept). */
export async function upsertCounterSetting(db: Db, row: CounterSetting): Promise<void> {
  await db
    .insertInto('counter_settings')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'seller_tax_id']).doUpdateSet({
        qr_validity_minutes: row.qr_validity_minutes,
        receipt_json: row.receipt_json,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

/**
 * Records the scan setting of the org's 码上开票 orders unless one is recorded already (first writer wins); answers
 * the key that is recorded after the call.
 */
export async function claimScanSettingKey(db: Db, row: CounterSetting, key: string): Promise<string> {
  await db
    .insertInto('counter_settings')
    .values({ ...row, scan_setting_key: key })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'seller_tax_id'])
        .doUpdateSet({ scan_setting_key: key, updated_at: row.updated_at })
        .where('counter_settings.scan_setting_key', 'is', null),
    )
    .execute();
  return (await findCounterSetting(db, row.tenant_id, row.seller_tax_id))?.scan_setting_key ?? key;
}
