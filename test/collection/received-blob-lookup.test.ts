/**
 * The orphan-blob sweep's question "is a file of any tenant stored in this blob" (docs/collection.md#orphan-blobs):
 * answered across tenants, and by one probe of `received_files_sha_idx` (migration 0041), not a scan of the files or
 * a walk over the tenants. Both dialects.
 */
import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileOfBlobQuery, isBlobOfAnyFile } from '../../src/modules/collection/received.repo.js';
import type { Db } from '../../src/platform/db/create-db.js';
import { createTestDb, TEST_DIALECTS } from '../helpers/test-db.js';

const TENANTS = 40;
const FILES_PER_TENANT = 50;
const shaOf = (tenant: number, file: number) => `${String(tenant).padStart(4, '0')}${String(file).padStart(60, '0')}`;
/** A blob two tenants both recorded (the store is content-addressed and shared). */
const SHARED = 'f'.repeat(64);

/** EXPLAIN of a compiled statement, as one string (SQLite: `explain query plan`; PostgreSQL: `explain`). */
async function plan(db: Db, query: CompiledQuery): Promise<string> {
  const prefix = db.dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
  const result = await db.kysely.executeQuery({ ...query, sql: prefix + query.sql });
  return result.rows.map((row) => Object.values(row as object).join(' ')).join('\n');
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: is a blob any tenant's file`, () => {
    let t: Awaited<ReturnType<typeof createTestDb>>;
    beforeAll(async () => {
      t = await createTestDb(dialect);
      const db = t.db.kysely;
      const tenantIds = Array.from({ length: TENANTS }, (_, i) => `tnt_${String(i).padStart(4, '0')}`);
      await db
        .insertInto('tenants')
        .values(tenantIds.map((id) => ({ id, name: id, is_demo: 0, created_at: 0 })))
        .execute();
      const file = (tenant: number, sha256: string, n: number) => ({
        id: `rf_${tenant}_${n}`,
        tenant_id: tenantIds[tenant] as string,
        sha256,
        size: 1,
        file_name: 'a.pdf',
        content_type: 'application/pdf',
        format: 'pdf',
        parent_id: null,
        entries_json: null,
        source: 'upload' as const,
        source_ref: null,
        brought_by: null,
        buyer_org_id: null,
        note: null,
        parse_status: 'ok' as const,
        error_code: null,
        error_message: null,
        created_at: 0,
      });
      for (let tenant = 0; tenant < TENANTS; tenant++) {
        const rows = Array.from({ length: FILES_PER_TENANT }, (_, n) => file(tenant, shaOf(tenant, n), n));
        if (tenant === 7 || tenant === 31) rows.push(file(tenant, SHARED, FILES_PER_TENANT));
        await db.insertInto('received_files').values(rows).execute();
      }
      await sql`analyze`.execute(db);
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it("finds the blob of the first, a middle and the last tenant's file, one two tenants share, and no other", async () => {
      const db = t.db.kysely;
      for (const sha256 of [shaOf(0, 0), shaOf(17, 23), shaOf(TENANTS - 1, FILES_PER_TENANT - 1), SHARED])
        expect(await isBlobOfAnyFile(db, sha256), sha256).toBe(true);
      for (const sha256 of [shaOf(TENANTS, 0), shaOf(17, FILES_PER_TENANT), 'e'.repeat(64)])
        expect(await isBlobOfAnyFile(db, sha256), sha256).toBe(false);
    });

    it('probes received_files_sha_idx instead of scanning the files or walking the tenants', async () => {
      const text = await plan(t.db, fileOfBlobQuery(t.db.kysely, shaOf(17, 23)).compile());
      expect(text).toContain('received_files_sha_idx');
      if (t.db.dialect === 'sqlite') expect(text).not.toMatch(/SCAN/);
      else expect(text).not.toMatch(/Seq Scan|Full/);
    });
  });
}
