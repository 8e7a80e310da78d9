import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { fetchFile, issueBlue, tempDataDir } from './documents-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: BLOB_STORE=db and the signing key`, () => {
    let t: TestApp;
    let a: SeededTenant;
    const dataDir = tempDataDir();

    beforeAll(async () => {
      t = await buildTestApp(dialect, { DATA_DIR: dataDir, BLOB_STORE: 'db' }, undefined, { worker: true });
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => t?.close());

    it('keeps the files in the database, content-addressed', async () => {
      const blue = await issueBlue(t, a);
      const pdf = await fetchFile(t, a, `/api/v1/invoices/${blue.serialNo}/files/pdf`);
      const sha = String(pdf.headers.etag).replaceAll('"', '');
      const row = await t.runtime.deps.db.kysely
        .selectFrom('document_blobs')
        .selectAll()
        .where('sha256', '=', sha)
        .executeTakeFirstOrThrow();
      expect(Buffer.from(row.bytes).equals(pdf.rawPayload)).toBe(true);
      expect(Number(row.size)).toBe(pdf.rawPayload.length);
      expect(fs.existsSync(path.join(dataDir, 'blobs'))).toBe(false);
    });

    it('generated a signing key in DATA_DIR, readable by the owner only', () => {
      const stat = fs.statSync(path.join(dataDir, 'signing.key'));
      expect(stat.mode & 0o777).toBe(0o600);
    });
  });
}
