import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';

type SettingsColumns = {
  email_on_issue: 0 | 1;
  sms_on_issue: 0 | 1;
  attach_ofd: 0 | 1;
  attach_xml: 0 | 1;
  updated_at: number;
};

export async function findDeliverySettingsRow(db: Kysely<Database>, tenantId: string) {
  return db.selectFrom('delivery_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
}

/** Inserts the tenant's settings row or replaces its columns. */
export async function saveDeliverySettingsRow(
  db: Kysely<Database>,
  tenantId: string,
  row: SettingsColumns,
): Promise<void> {
  await db
    .insertInto('delivery_settings')
    .values({ tenant_id: tenantId, ...row })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(row))
    .execute();
}
