/**
 * The orphan-blob sweep (docs/collection.md#orphan-blobs): an intake that stored its files' bytes and never recorded
 * them (the parse pool closed under it: 503, nothing recorded) leaves blobs that the sweep removes once older than
 * the grace period — never before, never one a file row of any tenant references, never one a later intake recorded.
 * Both dialects, both blob stores.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { closeParsePool, getParsePool, receivedBlobs, sweepOrphanBlobs } from '../../src/modules/collection/index.js';
import { errorOf, seedTenant } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { issueBlue } from '../invoicing/invoicing-kit.js';
import { fixture, get, HANGING_PICTURE as hang, parsePoolHookApps, upload, zipOf } from './received-kit.js';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MINUTE = 60_000;

for (const dialect of TEST_DIALECTS) {
  for (const store of ['fs', 'db'] as const) {
    describe.skipIf(dialect.skip)(`${dialect.name}, BLOB_STORE=${store}: the orphan-blob sweep`, () => {
      const buildApp = parsePoolHookApps(dialect);

      it('removes what a failed intake stored after the grace period, and nothing referenced', async () => {
        const app = await buildApp({ BLOB_STORE: store });
        const deps = app.runtime.deps;
        const [a, b] = [await seedTenant(app, 'A'), await seedTenant(app, 'B')];
        const shared = fixture('ofdrw__ofdrw/1.ofd');
        const later = fixture('ofdrw__ofdrw/999.ofd');
        const zip = zipOf({ '1.ofd': shared, '999.ofd': later, 'h.png': hang });

        // Tenant A records 1.ofd; tenant B's ZIP (holding it too) is stored, then the pool closes under it.
        const recorded = await upload(app, a, [{ name: '1.ofd', data: shared }]);
        expect(recorded.statusCode).toBe(201);
        const intake = upload(app, b, [{ name: 'scans.zip', data: zip }]);
        await expect.poll(() => getParsePool().state().picture.busy, { timeout: 60_000 }).toBe(1);
        // In flight: nothing is stale.
        expect(await sweepOrphanBlobs(deps)).toEqual({ removed: 0, kept: 0 });
        await closeParsePool();
        const failed = await intake;
        expect(failed.statusCode).toBe(503);
        expect(errorOf(failed).code).toBe('INVOICE_FILE_PARSE_STOPPED');
        const files = await deps.db.kysely
          .selectFrom('received_files')
          .select('id')
          .where('tenant_id', '=', b.tenantId)
          .execute();
        expect(files).toEqual([]);
        const stored = async () => {
          const blobs = receivedBlobs(deps);
          const out: Record<string, boolean> = {};
          for (const [name, bytes] of Object.entries({ zip, shared, later, hang }))
            out[name] = (await blobs.get(sha(bytes))) !== null;
          return out;
        };
        expect(await stored()).toEqual({ zip: true, shared: true, later: true, hang: true });

        // Within the grace period (60 min): kept.
        app.clock.set(app.clock.now() + 59 * MINUTE);
        expect(await sweepOrphanBlobs(deps)).toEqual({ removed: 0, kept: 0 });
        expect(await stored()).toEqual({ zip: true, shared: true, later: true, hang: true });

        // Past it: 999.ofd was recorded meanwhile by a later intake (its claim settled with its row), 1.ofd is tenant
        // A's; the ZIP and the picture nobody recorded are removed.
        app.clock.set(app.clock.now() + 2 * MINUTE);
        const again = await upload(app, b, [{ name: '999.ofd', data: later }]);
        expect(again.statusCode).toBe(201);
        expect(await sweepOrphanBlobs(deps)).toEqual({ removed: 2, kept: 1 });
        expect(await stored()).toEqual({ zip: false, shared: true, later: true, hang: false });
        expect(await sweepOrphanBlobs(deps)).toEqual({ removed: 0, kept: 0 });
        // Both recorded files are still served, byte for byte.
        for (const [who, res, bytes] of [
          [a, recorded, shared],
          [b, again, later],
        ] as const) {
          const file = await get(app, who, `/api/v1/received-files/${res.json().files[0].fileId}/file`);
          expect(file.statusCode).toBe(200);
          expect(file.rawPayload.equals(bytes)).toBe(true);
        }
      }, 120_000);

      it('keeps the blobs invoice documents are stored in: a bundle, and a file of its own (rows before bundles)', async () => {
        const app = await buildApp({ BLOB_STORE: store }, { worker: true });
        const deps = app.runtime.deps;
        const db = deps.db.kysely;
        const seller = await seedTenant(app, 'S');
        const { serialNo } = await issueBlue(app, seller);
        const pdf = await get(app, seller, `/api/v1/invoices/${serialNo}/files/pdf`);
        expect(pdf.statusCode).toBe(200);
        const rows = await db.selectFrom('invoice_documents').select(['format', 'sha256', 'blob_sha256']).execute();
        const bundle = rows[0]!.blob_sha256!;
        expect(rows.map((r) => r.blob_sha256)).toEqual([bundle, bundle, bundle]);
        // The PDF as a row from before bundles: stored as a blob of its own, under its own sha256.
        const blobs = receivedBlobs(deps);
        const own = sha(pdf.rawPayload);
        expect(rows.find((r) => r.format === 'pdf')?.sha256).toBe(own);
        await blobs.put(pdf.rawPayload);
        await db
          .updateTable('invoice_documents')
          .set({ blob_sha256: null, blob_offset: null })
          .where('format', '=', 'pdf')
          .execute();
        // Claims an intake left on both (the same bytes uploaded as received files, never recorded).
        await db
          .insertInto('received_blob_claims')
          .values([bundle, own].map((sha256) => ({ sha256, claimed_at: app.clock.now() })))
          .execute();

        app.clock.set(app.clock.now() + 61 * MINUTE);
        expect(await sweepOrphanBlobs(deps)).toEqual({ removed: 0, kept: 2 });
        expect(await blobs.get(bundle)).not.toBeNull();
        expect(await blobs.get(own)).not.toBeNull();
        for (const format of ['pdf', 'ofd', 'xml']) {
          const file = await get(app, seller, `/api/v1/invoices/${serialNo}/files/${format}`);
          expect(file.statusCode, format).toBe(200);
        }
        const again = await get(app, seller, `/api/v1/invoices/${serialNo}/files/pdf`);
        expect(again.rawPayload.equals(pdf.rawPayload)).toBe(true);
      }, 120_000);
    });
  }
}
