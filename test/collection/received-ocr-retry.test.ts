/**
 * Intake while the on-box OCR is unavailable (its models do not load): a picture is kept with what its QR gave and
 * the warning OCR_UNAVAILABLE, a picture with nothing readable is kept waiting (`ocr_pending`, never recorded as
 * unreadable), the parse-only route answers 503 INVOICE_FILE_OCR_UNAVAILABLE; once OCR works again the reread job
 * (doubling delay on the job clock) completes the item and settles the waiting file, in the same pool: a try that
 * finds the engine in its retry delay (real time) is moved to the delay's end without being counted, and a file waits
 * at most two days. Both dialects.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setParsePoolTestHooks } from '../../src/modules/collection/index.js';
import { loginAs, seedUser } from '../auth/console-kit.js';
import {
  buildTestApp,
  errorOf,
  refreshToken,
  type SeededTenant,
  seedTenant,
  type TestApp,
} from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor, waitForValue } from '../helpers/wait.js';
import { fixture, get, multipart, upload, zipOf } from './received-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: intake while OCR is unavailable`, () => {
    let t: TestApp;
    let a: SeededTenant;
    /** The OCR test switch (ParsePoolOptions.testOcrSwitch) lives in a directory of this suite's own. */
    let dir: string | undefined;
    let ocrSwitch: string;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-ocr-switch-'));
      ocrSwitch = path.join(dir, 'switch');
      fs.writeFileSync(ocrSwitch, 'down');
      setParsePoolTestHooks({ testOcrSwitch: ocrSwitch });
      // (buildTestApp gives the app a data directory of its own and removes it when it closes.)
      t = await buildTestApp(dialect, {}, undefined, { worker: true });
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => {
      await t?.close();
      setParsePoolTestHooks(null);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /**
     * Moves the job clock to the next reread try when none is running (the clock also runs job leases: jumping while a
     * job reads would expire its lease).
     */
    const nextReread = async () => {
      const jobs = await t.runtime.deps.db.kysely
        .selectFrom('jobs')
        .select(['state', 'run_at'])
        .where('task', '=', 'collection/reread-received-file')
        .where('state', 'in', ['queued', 'retry', 'running'])
        .execute();
      if (jobs.some((j) => j.state === 'running')) return;
      const due = Math.min(...jobs.map((j) => Number(j.run_at)));
      if (Number.isFinite(due) && due > t.clock.now()) t.clock.set(due);
      t.runtime.deps.jobs.notify();
    };

    /**
     * OCR comes back: the switch says so, the pool stays. The pool loads the engine again once its retry delay (real
     * time, doubling per failed load) ends; the rereads that come before find it waiting and are moved to its end
     * without spending a try, however fast the job clock runs.
     */
    const ocrBack = () => {
      fs.writeFileSync(ocrSwitch, 'up');
    };

    /** The 收票箱 entries of these files: name, status, error code. */
    const files = async (ids: readonly string[]) =>
      Promise.all(
        ids.map(async (id) => {
          const f = (await get(t, a, `/api/v1/received-files/${id}`)).json();
          return [f.fileName, f.status, f.error?.code ?? null];
        }),
      );

    it('keeps pictures while OCR is down and completes them once it is back', async () => {
      const photo = fixture('guanshuicheng__invoice/电子发票.png');
      const blank = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#fff' } })
        .png()
        .toBuffer();

      // Parse only: a temporary 503, not a partial answer.
      const body = multipart([{ name: 'file', filename: 'p.png', type: 'image/png', data: photo }]);
      const parsed = await t.app.inject({
        method: 'POST',
        url: '/api/v1/invoice-files/parse',
        payload: body.payload,
        headers: { ...body.headers, ...a.auth },
      });
      expect(parsed.statusCode).toBe(503);
      expect(errorOf(parsed).code).toBe('INVOICE_FILE_OCR_UNAVAILABLE');

      // Intake: the photo's QR gives the item, flagged; the blank picture waits, with the temporary code.
      const res = await upload(t, a, [
        { name: 'photo.png', data: photo },
        { name: 'blank.png', data: blank },
      ]);
      expect(res.statusCode).toBe(201);
      const { items, files: results } = res.json();
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ number: '33207675', seller: { taxId: null } });
      expect(items[0].extraction.warnings.map((w: { code: string }) => w.code)).toContain('OCR_UNAVAILABLE');
      // Waiting, not failed: its own status, the reason in `pending`, no `error`.
      expect(
        results.map((f: { status: string; error?: unknown; pending?: { code: string } }) => [
          f.status,
          f.pending?.code,
          f.error,
        ]),
      ).toEqual([
        ['ocr_pending', 'INVOICE_FILE_OCR_UNAVAILABLE', undefined],
        ['ocr_pending', 'INVOICE_FILE_OCR_UNAVAILABLE', undefined],
      ]);
      const ids = results.map((f: { fileId: string }) => f.fileId);
      expect(await files(ids)).toEqual([
        ['photo.png', 'ocr_pending', 'INVOICE_FILE_OCR_UNAVAILABLE'],
        ['blank.png', 'ocr_pending', 'INVOICE_FILE_OCR_UNAVAILABLE'],
      ]);
      // The same bytes again: the same answer, nothing recorded as unreadable.
      const again = await upload(t, a, [{ name: 'blank-again.png', data: blank }]);
      expect(again.statusCode).toBe(200);
      expect(again.json().files[0]).toMatchObject({
        status: 'ocr_pending',
        pending: { code: 'INVOICE_FILE_OCR_UNAVAILABLE' },
      });
      expect(again.json().files[0].error).toBeUndefined();

      // OCR comes back; the reread jobs come due as the job clock moves (doubling delay, at most an hour).
      ocrBack();
      await expect
        .poll(
          async () => {
            await nextReread();
            const view = (await get(t, a, `/api/v1/received-invoices/${items[0].id}`)).json();
            return view.seller?.taxId ?? null;
          },
          { timeout: 200_000, interval: 200 },
        )
        .toBe('91120222079642398Y');
      const item = (await get(t, a, `/api/v1/received-invoices/${items[0].id}`)).json();
      expect(item.number).toBe('33207675');
      expect(item.extraction.fieldSources['seller.taxId']).toBe('ocr');
      expect(item.extraction.warnings.map((w: { code: string }) => w.code)).not.toContain('OCR_UNAVAILABLE');
      await expect
        .poll(
          async () => {
            await nextReread();
            return files(ids);
          },
          { timeout: 200_000, interval: 200 },
        )
        .toEqual([
          ['photo.png', 'ok', null],
          // Read with OCR: truly no invoice now, and only now recorded so.
          ['blank.png', 'failed', 'INVOICE_FILE_NOT_INVOICE'],
        ]);
      // The parse-only route reads the photo in full.
      const full = await t.app.inject({
        method: 'POST',
        url: '/api/v1/invoice-files/parse',
        payload: body.payload,
        headers: { ...body.headers, ...a.auth },
      });
      expect(full.statusCode).toBe(200);
      expect(full.json()).toMatchObject({ seller: { taxId: '91120222079642398Y' } });
    }, 400_000);

    it('completes only empty fields, never brings a deleted item back, relinks duplicates and verifies again', async () => {
      // OCR down again (a fresh pool: a child keeps an engine it has loaded).
      fs.writeFileSync(ocrSwitch, 'down');
      setParsePoolTestHooks({ testOcrSwitch: ocrSwitch });
      const c = await seedTenant(t, 'C');
      const photo = fixture('guanshuicheng__invoice/电子发票.png');
      // The same pixels in other bytes: three files of one invoice.
      const copies = await Promise.all(
        [9, 1, 4].map((level) => sharp(photo).png({ compressionLevel: level }).toBuffer()),
      );
      expect(new Set(copies.map((b) => b.toString('base64'))).size).toBe(3);
      const res = await upload(
        t,
        c,
        copies.map((data, i) => ({ name: `copy-${i}.png`, data })),
      );
      expect(res.statusCode).toBe(201);
      const [itemA, itemB, itemC] = res.json().items as Array<{ id: string }>;
      const fileIds = res.json().files.map((f: { fileId: string }) => f.fileId);

      // An employee's folder upload of a picture whose QR is covered (nothing read without OCR), and a ZIP holding a
      // blank picture: both wait.
      const employee = await loginAs(t, await seedUser(t, c.tenantId, 'employee'));
      const { width = 0, height = 0 } = await sharp(photo).metadata();
      const cover = await sharp({
        create: { width: Math.round(width * 0.2), height: Math.round(height * 0.3), channels: 3, background: '#fff' },
      })
        .png()
        .toBuffer();
      const noQr = await sharp(photo)
        .composite([{ input: cover, left: 0, top: 0 }])
        .png()
        .toBuffer();
      const folderBody = multipart([{ name: 'file', filename: 'no-qr.png', data: noQr }]);
      const folderUpload = await t.app.inject({
        method: 'POST',
        url: '/api/v1/folder/files',
        payload: folderBody.payload,
        headers: { ...folderBody.headers, ...employee.write },
      });
      expect(folderUpload.statusCode, folderUpload.body).toBe(201);
      expect(folderUpload.json()).toMatchObject({
        items: [],
        files: [
          { fileName: 'no-qr.png', sha256: createHash('sha256').update(noQr).digest('hex'), status: 'ocr_pending' },
        ],
      });
      const blank = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#fff' } })
        .png()
        .toBuffer();
      const zipped = await upload(t, c, [{ name: 'scans.zip', data: zipOf({ 'blank.png': blank }) }]);
      expect(zipped.json().files).toMatchObject([{ status: 'archive' }]);
      const zipId = zipped.json().files[0].fileId;
      const entries = async () => (await get(t, c, `/api/v1/received-files/${zipId}`)).json().entries;
      expect(await entries()).toMatchObject([{ name: 'blank.png', status: 'ocr_pending' }]);
      const view = async (id: string) => (await get(t, c, `/api/v1/received-invoices/${id}`)).json();
      // Processed and verified once (nothing else writes them meanwhile).
      await expect
        .poll(
          async () => Promise.all([itemA, itemB, itemC].map(async (i) => (await view(i!.id)).verification.status)),
          {
            timeout: 60_000,
          },
        )
        .not.toContain('pending');

      // Meanwhile: A's seller name came from verification (or an edit), and its QR gave no 发票代码 (so its identity
      // and its 查验 inputs are incomplete, and B is no duplicate of it yet); C is deleted.
      const db = t.runtime.deps.db.kysely;
      const rowA = await db
        .selectFrom('received_invoices')
        .selectAll()
        .where('id', '=', itemA!.id)
        .executeTakeFirstOrThrow();
      const extraction = JSON.parse(rowA.extraction_json);
      extraction.fieldSources['seller.name'] = 'verification';
      delete extraction.fieldSources.code;
      await db
        .updateTable('received_invoices')
        .set({ seller_name: '核对过的销售方', code: null, extraction_json: JSON.stringify(extraction) })
        .where('id', '=', itemA!.id)
        .execute();
      await db.updateTable('received_invoices').set({ duplicate_of: null }).where('id', '=', itemB!.id).execute();
      const deleted = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/received-invoices/${itemC!.id}`,
        headers: c.auth,
      });
      expect(deleted.statusCode).toBeLessThan(300);

      // What subscribers hear (a filter that records and enqueues nothing).
      const changed: Array<{ subjectId: string; filled: unknown }> = [];
      t.runtime.deps.events.subscribe('received.changed', 'delivery/fan-out-event', (event) => {
        if (event.tenantId === c.tenantId) changed.push({ subjectId: event.subjectId, filled: event.data?.filled });
        return false;
      });

      ocrBack();
      await expect
        .poll(
          async () => {
            await nextReread();
            return Promise.all(
              fileIds.map(async (id: string) => (await get(t, c, `/api/v1/received-files/${id}`)).json().status),
            );
          },
          { timeout: 200_000, interval: 200 },
        )
        .toEqual(['ok', 'ok', 'ok']);
      // The ZIP's entry is not stuck: read with OCR, it holds no invoice.
      await expect
        .poll(
          async () => {
            await nextReread();
            return (await entries())[0];
          },
          { timeout: 200_000, interval: 200 },
        )
        .toMatchObject({ status: 'failed', error: { code: 'INVOICE_FILE_NOT_INVOICE' } });
      // The folder upload's invoice, read only now, is in the employee's folder.
      const folderItems = async () =>
        (await t.app.inject({ method: 'GET', url: '/api/v1/folder', headers: employee.read })).json().items;
      await expect
        .poll(
          async () => {
            await nextReread();
            return (await folderItems()).map((i: { number: string }) => i.number);
          },
          { timeout: 200_000, interval: 200 },
        )
        .toEqual(['33207675']);
      const [folderItem] = await folderItems();

      const a = await view(itemA!.id);
      // Filled: what was empty, with the source it was read with; kept: what verification had put there.
      expect(a.seller).toMatchObject({ name: '核对过的销售方', taxId: '91120222079642398Y' });
      expect(a.extraction.fieldSources).toMatchObject({
        'seller.name': 'verification',
        'seller.taxId': 'ocr',
        code: 'qr',
      });
      expect(a.code).toBe('012001800311');
      expect(a.duplicateOf).toBeNull();
      // B has A's identity again: the duplicate of the older item.
      expect((await view(itemB!.id)).duplicateOf).toBe(itemA!.id);
      // C stays deleted: the pool holds A and B only.
      expect((await get(t, c, `/api/v1/received-invoices/${itemC!.id}`)).statusCode).toBe(404);
      const listed = (await get(t, c, '/api/v1/received-invoices?q=33207675')).json().items;
      expect(listed.map((i: { id: string }) => i.id).sort()).toEqual([itemA!.id, itemB!.id, folderItem.id].sort());
      // Completed items are announced (received.changed with the fields filled); the deleted one is not.
      const filledOf = (id: string) => changed.filter((e) => e.subjectId === id).map((e) => e.filled);
      expect(filledOf(itemA!.id)).toEqual([expect.arrayContaining(['code', 'seller.taxId'])]);
      expect(filledOf(itemA!.id)[0]).not.toContain('seller.name');
      expect(filledOf(itemB!.id)).toEqual([expect.arrayContaining(['seller.taxId'])]);
      expect(filledOf(itemC!.id)).toEqual([]);
      // A's 查验 inputs changed (its code): verified again; B's did not.
      const reverify = await db
        .selectFrom('jobs')
        .select('job_key')
        .where('task', '=', 'collection/verify-received')
        .where('job_key', 'like', '%:reread')
        .execute();
      expect(reverify.map((j) => j.job_key)).toEqual([`collection/verify-received:${itemA!.id}:reread`]);
    }, 400_000);

    it('a folder upload takes over a waiting file that is in no folder; one in a colleague’s folder stays theirs', async () => {
      fs.writeFileSync(ocrSwitch, 'down');
      setParsePoolTestHooks({ testOcrSwitch: ocrSwitch });
      const d = await seedTenant(t, 'D');
      const photo = fixture('guanshuicheng__invoice/电子发票.png');
      // Pictures of one invoice whose QR is covered (nothing read without OCR), in two different byte strings.
      const { width = 0, height = 0 } = await sharp(photo).metadata();
      const cover = await sharp({
        create: { width: Math.round(width * 0.2), height: Math.round(height * 0.3), channels: 3, background: '#fff' },
      })
        .png()
        .toBuffer();
      const [poolFirst, folderFirst] = (await Promise.all(
        [9, 1].map((level) =>
          sharp(photo)
            .composite([{ input: cover, left: 0, top: 0 }])
            .png({ compressionLevel: level })
            .toBuffer(),
        ),
      )) as [Buffer, Buffer];
      const [one, two] = await Promise.all([
        loginAs(t, await seedUser(t, d.tenantId, 'employee')),
        loginAs(t, await seedUser(t, d.tenantId, 'employee')),
      ]);
      const toFolder = async (who: typeof one, name: string, data: Buffer) => {
        const body = multipart([{ name: 'file', filename: name, data }]);
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/folder/files',
          payload: body.payload,
          headers: { ...body.headers, ...who.write },
        });
        expect(res.statusCode, res.body).toBe(201);
        return res.json();
      };
      const folderNumbers = async (who: typeof one) =>
        (await t.app.inject({ method: 'GET', url: '/api/v1/folder', headers: who.read }))
          .json()
          .items.map((i: { number: string }) => i.number);

      // To the pool first (no folder), then to employee one's folder while it still waits: one takes it over.
      const pooled = await upload(t, d, [{ name: 'pool.png', data: poolFirst }]);
      expect(pooled.json().files).toMatchObject([{ status: 'ocr_pending' }]);
      const poolFileId = pooled.json().files[0].fileId;
      expect(await toFolder(one, 'mine.png', poolFirst)).toMatchObject({
        items: [],
        files: [{ status: 'ocr_pending' }],
      });
      const taken = (await get(t, d, `/api/v1/received-files/${poolFileId}`)).json();
      expect(taken).toMatchObject({ status: 'ocr_pending', source: 'upload', broughtBy: one.info.user.id });
      // Into employee one's folder first, then uploaded by employee two: it stays one's.
      await toFolder(one, 'first.png', folderFirst);
      expect(await toFolder(two, 'second.png', folderFirst)).toMatchObject({
        items: [],
        files: [{ status: 'ocr_pending' }],
      });
      // A file read already (its items in the pool, in no folder) uploaded to a folder: its items go into that folder.
      const read = await upload(t, d, [{ name: '1.ofd', data: fixture('ofdrw__ofdrw/1.ofd') }]);
      expect(read.json().items).toHaveLength(1);
      expect((await toFolder(two, '1.ofd', fixture('ofdrw__ofdrw/1.ofd'))).items).toMatchObject([
        { id: read.json().items[0].id },
      ]);

      ocrBack();
      await expect
        .poll(
          async () => {
            await nextReread();
            return folderNumbers(one);
          },
          { timeout: 200_000, interval: 200 },
        )
        .toEqual(['33207675', '33207675']);
      expect(await folderNumbers(two)).toEqual([read.json().items[0].number]);
      // The taken-over file's item records who took it over.
      const items = (await get(t, d, '/api/v1/received-invoices?q=33207675')).json().items;
      expect(items.map((i: { source: string; broughtBy: string }) => [i.source, i.broughtBy])).toEqual([
        ['upload', one.info.user.id],
        ['upload', one.info.user.id],
      ]);
    }, 400_000);

    it('a reread that finds the engine in its retry delay spends no try; a file waits at most two days', async () => {
      // OCR down, and after a failed load the pool waits 10 minutes (real time) before it loads the engine again.
      fs.writeFileSync(ocrSwitch, 'down');
      setParsePoolTestHooks({ testOcrSwitch: ocrSwitch, ocrRetryDelayMs: 10 * 60_000 });
      const e = await seedTenant(t, 'E');
      const blank = await sharp({ create: { width: 360, height: 240, channels: 3, background: '#fff' } })
        .png()
        .toBuffer();
      // The first picture of the pool: the engine's load is tried for it and fails.
      const res = await upload(t, e, [{ name: 'blank.png', data: blank }]);
      expect(res.json().files).toMatchObject([{ status: 'ocr_pending' }]);
      const fileId: string = res.json().files[0].fileId;
      const rereads = async () =>
        (
          await t.runtime.deps.db.kysely
            .selectFrom('jobs')
            .select(['id', 'state', 'run_at', 'payload'])
            .where('task', '=', 'collection/reread-received-file')
            .where('tenant_id', '=', e.tenantId)
            .orderBy('created_at')
            .execute()
        ).map((j) => ({ id: j.id, state: j.state, runAt: Number(j.run_at), payload: JSON.parse(j.payload) }));
      const [first] = await rereads();
      expect(first).toMatchObject({ state: 'queued', payload: { fileId, attempt: 0 } });
      const since: number = first?.payload.since;

      // The try comes due within the retry delay: nothing is tried for the file, the try is not spent but moved to
      // the delay's end.
      t.clock.set(first?.runAt ?? 0);
      t.runtime.deps.jobs.notify();
      const next = await waitForValue(
        'the next reread of the file',
        async () => {
          const jobs = await rereads();
          return jobs.length > 1 && jobs[0]?.state === 'succeeded' ? jobs[1] : undefined;
        },
        { attempts: 1200, intervalMs: 50 },
      );
      expect(next).toMatchObject({ state: 'queued', payload: { fileId, attempt: 0, since } });
      expect(next.runAt - t.clock.now()).toBeGreaterThan(0);
      expect(next.runAt - t.clock.now()).toBeLessThanOrEqual(10 * 60_000);
      expect((await get(t, e, `/api/v1/received-files/${fileId}`)).json().status).toBe('ocr_pending');

      // Bounded: two days after the file began waiting, its next try settles it with what it gave (here nothing).
      t.clock.set(Math.max(next.runAt, since + 2 * 24 * 60 * 60_000));
      await refreshToken(t, e);
      t.runtime.deps.jobs.notify();
      await waitFor(
        'the file settled',
        async () => (await get(t, e, `/api/v1/received-files/${fileId}`)).json().status !== 'ocr_pending',
        { attempts: 1200, intervalMs: 50 },
      );
      expect((await get(t, e, `/api/v1/received-files/${fileId}`)).json()).toMatchObject({
        status: 'failed',
        error: { code: 'INVOICE_FILE_OCR_UNAVAILABLE' },
      });
      expect((await rereads()).filter((j) => j.state === 'queued')).toEqual([]);
    }, 120_000);
  });
}
