import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/modules/documents/storage/blob-store.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { fetchFile, invoiceIdOf, issueBlue, tempDataDir } from './documents-kit.js';

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

    it('keeps the files in the database, content-addressed: one bundle blob per invoice', async () => {
      const blue = await issueBlue(t, a);
      const pdf = await fetchFile(t, a, `/api/v1/invoices/${blue.serialNo}/files/pdf`);
      const sha = String(pdf.headers.etag).replaceAll('"', '');
      const db = t.runtime.deps.db.kysely;
      const rows = await db
        .selectFrom('invoice_documents')
        .innerJoin('invoices', 'invoices.id', 'invoice_documents.invoice_id')
        .selectAll('invoice_documents')
        .where('invoices.serial_no', '=', blue.serialNo)
        .execute();
      expect(new Set(rows.map((r) => r.blob_sha256)).size).toBe(1);
      const pdfRow = rows.find((r) => r.format === 'pdf');
      expect(pdfRow?.sha256).toBe(sha);
      const blob = await db
        .selectFrom('document_blobs')
        .selectAll()
        .where('sha256', '=', String(pdfRow?.blob_sha256))
        .executeTakeFirstOrThrow();
      const bytes = Buffer.from(blob.bytes);
      expect(Number(blob.size)).toBe(bytes.length);
      expect(bytes.length).toBe(rows.reduce((sum, r) => sum + Number(r.size), 0));
      const offset = Number(pdfRow?.blob_offset);
      expect(bytes.subarray(offset, offset + pdf.rawPayload.length).equals(pdf.rawPayload)).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'blobs'))).toBe(false);
    });

    it('generated a signing key in DATA_DIR, readable by the owner only', () => {
      const stat = fs.statSync(path.join(dataDir, 'signing.key'));
      expect(stat.mode & 0o777).toBe(0o600);
    });
  });
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: BLOB_STORE=fs (default)`, () => {
    let t: TestApp;
    let a: SeededTenant;
    const dataDir = tempDataDir();

    beforeAll(async () => {
      t = await buildTestApp(dialect, { DATA_DIR: dataDir }, undefined, { worker: true });
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => t?.close());

    const blobFiles = () =>
      fs.existsSync(path.join(dataDir, 'blobs'))
        ? fs
            .readdirSync(path.join(dataDir, 'blobs'), { recursive: true, withFileTypes: true })
            .filter((e) => e.isFile())
        : [];

    it('stores one file per invoice (the bundle of its PDF, OFD and XML) and serves each format from it', async () => {
      const before = blobFiles().length;
      const blue = await issueBlue(t, a);
      const base = `/api/v1/invoices/${blue.serialNo}/files`;
      const [pdf, ofd, xml] = await Promise.all(['pdf', 'ofd', 'xml'].map((f) => fetchFile(t, a, `${base}/${f}`)));
      expect(blobFiles().length - before).toBe(1);
      expect(pdf?.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      expect(ofd?.rawPayload.subarray(0, 2).toString()).toBe('PK');
      expect(xml?.body).toContain(`<EIid>${blue.number}</EIid>`);
      for (const file of [pdf, ofd, xml]) {
        expect(file?.headers.etag).toBe(`"${sha256Hex(file?.rawPayload ?? Buffer.alloc(0))}"`);
      }
    });

    it('still serves files stored one blob per file, before bundles (rows without blob_sha256)', async () => {
      const blue = await issueBlue(t, a);
      const url = `/api/v1/invoices/${blue.serialNo}/files/xml`;
      const xml = await fetchFile(t, a, url);
      const db = t.runtime.deps.db.kysely;
      const invoiceId = await invoiceIdOf(t, blue.serialNo);
      // What the first layout left behind: the XML as a blob of its own, the row pointing at nothing else.
      const sha = sha256Hex(xml.rawPayload);
      fs.mkdirSync(path.join(dataDir, 'blobs', sha.slice(0, 2), sha.slice(2, 4)), { recursive: true });
      fs.writeFileSync(path.join(dataDir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha), xml.rawPayload);
      await db
        .updateTable('invoice_documents')
        .set({ blob_sha256: null, blob_offset: null })
        .where('invoice_id', '=', invoiceId)
        .where('format', '=', 'xml')
        .execute();
      const again = await fetchFile(t, a, url);
      expect(again.rawPayload.equals(xml.rawPayload)).toBe(true);
      expect(again.headers.etag).toBe(xml.headers.etag);
    });
  });
}
