import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../platform/db/database.js';
import { migrateToLatest } from '../../platform/db/migrate.js';
import { getIssuingSellerOrThrow, getSellerOrThrow } from './sellers.js';

const SELLER = '91110108MA01A2B3C4';
const open: Kysely<Database>[] = [];

function memoryDb(): Kysely<Database> {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) });
  open.push(db);
  return db;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.destroy()));
});

describe('getSellerOrThrow', () => {
  it('answers 422 SELLER_NOT_FOUND only when the tenant has no such org', async () => {
    const db = memoryDb();
    await migrateToLatest(db);
    await expect(getSellerOrThrow(db, 'tnt_1', SELLER)).rejects.toMatchObject({
      code: 'SELLER_NOT_FOUND',
      statusCode: 422,
      details: { taxId: SELLER },
    });
  });

  it('lets a database failure propagate instead of reporting it as SELLER_NOT_FOUND', async () => {
    const db = memoryDb(); // no migrations: every query fails with "no such table"
    const failure = await getSellerOrThrow(db, 'tnt_1', SELLER).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toMatchObject({ code: 'SELLER_NOT_FOUND' });
    expect((failure as Error).message).toMatch(/no such table/);
    const issuing = await getIssuingSellerOrThrow(db, 'tnt_1', SELLER).catch((err: unknown) => err);
    expect(issuing).not.toMatchObject({ code: 'SELLER_NOT_FOUND' });
  });
});
