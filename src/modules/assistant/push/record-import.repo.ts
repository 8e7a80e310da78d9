import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { AssistantImportTable } from '../assistant.tables.js';

/** Inserts one import waiting for its expense system (asst-core's stand-in until the push helper's repo lands). */
export async function insertImport(db: Kysely<Database>, row: AssistantImportTable): Promise<void> {
  await db.insertInto('assistant_imports').values(row).execute();
}
