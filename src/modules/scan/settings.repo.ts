import type { Kysely, Updateable } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { ScanSetting } from './scan.tables.js';

export async function insertSetting(db: Kysely<Database>, setting: ScanSetting): Promise<void> {
  await db.insertInto('scan_settings').values(setting).execute();
}

export async function findSettingsOfTenant(db: Kysely<Database>, tenantId: string): Promise<ScanSetting[]> {
  return db
    .selectFrom('scan_settings')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findSettingRowByKey(db: Kysely<Database>, key: string): Promise<ScanSetting | undefined> {
  return db.selectFrom('scan_settings').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function findSettingRowById(db: Kysely<Database>, id: string): Promise<ScanSetting | undefined> {
  return db.selectFrom('scan_settings').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateSettingRow(
  db: Kysely<Database>,
  id: string,
  set: Updateable<Database['scan_settings']>,
): Promise<void> {
  await db.updateTable('scan_settings').set(set).where('id', '=', id).execute();
}
