/**
 * E-mail intake on both dialects with real servers on loopback: mails sent with nodemailer to the in-process SMTP
 * receiver, links served by a loopback HTTP server, the collection addresses and the received-mails API.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailReceiver, setParsePoolTestHooks, startMailReceiver } from '../../src/modules/collection/index.js';
import { tempDataDir } from '../documents/documents-kit.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { listMails, nestedMultipartMail, openSmtp, sendMail, startFileServer, waitForMails } from './mail-kit.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/real-invoices');
const PDF = fs.readFileSync(path.join(FIXTURES, 'renoyuan__easyofd/test.pdf')); // 数电 23512000000005197325
const OFD = fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/1.ofd')); // 033002000211 / 83089647
const OFD_IN_ZIP = fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/999.ofd')); // 050001700111 / 12235358
const ZIP = Buffer.from(zipSync({ 'invoices/999.ofd': new Uint8Array(OFD_IN_ZIP) }));
const DOMAIN = 'collect.example.test';

interface Address {
  id: string;
  ownerType: string;
  ownerId: string;
  address: string | null;
  localPart: string;
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: invoice mail through the SMTP receiver`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let receiver: MailReceiver;
    let files: Awaited<ReturnType<typeof startFileServer>>;

    const addresses = async (who: SeededTenant) => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/received-addresses', headers: who.auth });
      expect(res.statusCode).toBe(200);
      return res.json<{ receiverEnabled: boolean; domain: string | null; items: Address[] }>();
    };
    const orgAddress = async (who: SeededTenant) => {
      const found = (await addresses(who)).items.find((x) => x.ownerType === 'org');
      if (!found?.address) throw new Error('no org address');
      return found;
    };
    const receivedInvoices = async (who: SeededTenant) => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/v1/received-invoices?source=mail&limit=200',
        headers: who.auth,
      });
      expect(res.statusCode).toBe(200);
      return res.json<{ items: Array<{ id: string; number: string; source: string; broughtBy: string }> }>().items;
    };

    beforeAll(async () => {
      files = await startFileServer({ '/dl/invoice.pdf': PDF, '/dl/other.ofd': OFD });
      t = await buildTestApp(
        dialect,
        {
          DATA_DIR: tempDataDir(),
          COLLECT_SMTP_PORT: '0',
          COLLECT_MAIL_DOMAIN: DOMAIN,
          COLLECT_MAIL_MAX_BYTES: '3000000',
          // The loopback file server stands in for the tax platform's download host.
          COLLECT_LINK_HOSTS: '127.0.0.1',
          OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
        },
        undefined,
        { worker: true },
      );
      a = await seedTenant(t, 'MailA');
      b = await seedTenant(t, 'MailB');
      receiver = await startMailReceiver(t.runtime.deps, { port: 0, host: '127.0.0.1' });
    });
    afterAll(async () => {
      await receiver?.close();
      await t?.close();
      await files?.stop();
    });

    it('gives every org a collection address on the configured domain, stable until rotated', async () => {
      const first = await addresses(a);
      expect(first.receiverEnabled).toBe(true);
      expect(first.domain).toBe(DOMAIN);
      const org = first.items.find((x) => x.ownerType === 'org');
      expect(org?.address).toMatch(new RegExp(`^inv-[0-9a-z]{16}@${DOMAIN.replace(/\./g, '\\.')}$`));
      const again = await addresses(a);
      expect(again.items.map((x) => x.address)).toEqual(first.items.map((x) => x.address));
      const other = await orgAddress(b);
      expect(other.address).not.toBe(org?.address);
    });

    it('imports the PDF, OFD and ZIP attachments of a mail into the pool and skips the rest', async () => {
      const to = (await orgAddress(a)).address as string;
      await sendMail(receiver.port, {
        from: '"供应商" <billing@supplier.example.test>',
        to,
        subject: '发票：六月账单',
        messageId: '<june-invoices@supplier.example.test>',
        text: '您好，附件是发票。',
        attachments: [
          { filename: '发票.pdf', content: PDF },
          { filename: 'invoice.ofd', content: OFD },
          { filename: 'batch.zip', content: ZIP },
          { filename: 'readme.txt', content: 'not an invoice' },
        ],
      });
      const [mail] = await waitForMails(t, a, 1);
      expect(mail).toMatchObject({
        channel: 'smtp',
        outcome: 'imported',
        from: 'billing@supplier.example.test',
        subject: '发票：六月账单',
        messageId: 'june-invoices@supplier.example.test',
      });
      const byName = Object.fromEntries((mail?.detail?.files ?? []).map((f) => [f.name, f]));
      expect(byName['发票.pdf']).toMatchObject({ origin: 'attachment', result: 'imported' });
      expect(byName['invoice.ofd']).toMatchObject({ origin: 'attachment', result: 'imported' });
      expect(byName['batch.zip']).toMatchObject({ origin: 'attachment', result: 'imported' });
      expect(byName['readme.txt']).toMatchObject({ result: 'skipped' });

      const items = await receivedInvoices(a);
      expect(items.map((i) => i.number).sort()).toEqual(['12235358', '23512000000005197325', '83089647']);
      expect(items.every((i) => i.source === 'mail' && i.broughtBy === 'billing@supplier.example.test')).toBe(true);
      // Tenants are walls: the other tenant received nothing.
      expect(await receivedInvoices(b)).toEqual([]);
      expect(await listMails(t, b)).toEqual([]);
    });

    it('imports a Message-ID once: the same mail again is recorded as a duplicate and adds nothing', async () => {
      const to = (await orgAddress(a)).address as string;
      const before = (await receivedInvoices(a)).length;
      await sendMail(receiver.port, {
        from: 'billing@supplier.example.test',
        to,
        subject: '发票：六月账单',
        messageId: '<june-invoices@supplier.example.test>',
        attachments: [{ filename: '发票.pdf', content: PDF }],
      });
      const mails = await waitForMails(t, a, 2);
      const original = mails.find((m) => m.outcome === 'imported');
      expect(mails[0]).toMatchObject({ outcome: 'duplicate', detail: { duplicateOf: original?.id } });
      expect((await receivedInvoices(a)).length).toBe(before);
    });

    it('refuses recipients that are no collection address, and rotated addresses', async () => {
      await expect(
        sendMail(receiver.port, { from: 'x@example.test', to: `inv-nobody@${DOMAIN}`, text: 'hi' }),
      ).rejects.toMatchObject({ responseCode: 550 });
      await expect(
        sendMail(receiver.port, { from: 'x@example.test', to: 'someone@elsewhere.example.test', text: 'hi' }),
      ).rejects.toMatchObject({ responseCode: 550 });

      const old = await orgAddress(b);
      const rotated = await t.app.inject({
        method: 'POST',
        url: `/api/v1/received-addresses/${old.id}/rotate`,
        headers: b.auth,
      });
      expect(rotated.statusCode).toBe(200);
      expect(rotated.json().address).not.toBe(old.address);
      await expect(
        sendMail(receiver.port, { from: 'x@example.test', to: old.address as string, text: 'hi' }),
      ).rejects.toMatchObject({ responseCode: 550 });
      // Another tenant's address id: 404.
      const cross = await t.app.inject({
        method: 'POST',
        url: `/api/v1/received-addresses/${old.id}/rotate`,
        headers: a.auth,
      });
      expect(cross.statusCode).toBe(404);
      expect(errorOf(cross).code).toBe('RECEIVED_ADDRESS_NOT_FOUND');
    });

    it('follows links to allowed hosts through the outbound guard, and not to other hosts', async () => {
      const to = (await orgAddress(b)).address as string;
      await sendMail(receiver.port, {
        from: 'noreply@tax.example.test',
        to,
        subject: '您收到一张数电发票',
        html:
          `<p>点击下载：<a href="http://127.0.0.1:${files.port}/dl/invoice.pdf?token=abc">PDF</a></p>` +
          // `localhost` is loopback too, but not on COLLECT_LINK_HOSTS: never requested.
          `<p><a href="http://localhost:${files.port}/dl/other.ofd">OFD</a></p>`,
      });
      const [mail] = await waitForMails(t, b, 1);
      expect(mail?.outcome).toBe('imported');
      expect(mail?.detail?.files).toEqual([
        expect.objectContaining({
          origin: 'link',
          name: `http://127.0.0.1:${files.port}/dl/invoice.pdf`,
          result: 'imported',
        }),
      ]);
      expect(mail?.detail?.ignoredLinks).toBe(1);
      expect(files.requests).toEqual(['/dl/invoice.pdf?token=abc']);
      expect((await receivedInvoices(b)).map((i) => i.number)).toEqual(['23512000000005197325']);
    });

    it('records a mail without invoices as no_invoice', async () => {
      const to = (await orgAddress(b)).address as string;
      await sendMail(receiver.port, {
        from: 'friend@example.test',
        to,
        subject: 'lunch?',
        text: 'no invoices here',
        messageId: '<lunch@example.test>',
      });
      const mails = await waitForMails(t, b, 2);
      expect(mails.find((m) => m.messageId === 'lunch@example.test')).toMatchObject({
        outcome: 'no_invoice',
        detail: { files: [] },
      });
    });

    it('refuses a mail over the size limit', async () => {
      const to = (await orgAddress(b)).address as string;
      const huge = Buffer.alloc(t.config.collectMail.maxMessageBytes + 1024, 65);
      await expect(
        sendMail(receiver.port, { from: 'x@example.test', to, attachments: [{ filename: 'x.pdf', content: huge }] }),
      ).rejects.toMatchObject({ responseCode: 552 });
    });

    it('bounds memory by bytes in flight: a mail that does not fit now gets a temporary 4xx, and goes through later', async () => {
      const to = (await orgAddress(b)).address as string;
      // A receiver whose buffer holds 300 kB (the configured one holds COLLECT_SMTP_BUFFER_BYTES).
      const small = await startMailReceiver(t.runtime.deps, { port: 0, host: '127.0.0.1', bufferBytes: 300_000 });
      const slow = await openSmtp(small.port);
      try {
        // A slow sender is in the middle of a 250 kB mail: its bytes are held.
        await slow.command('EHLO slow.example.test', '250');
        await slow.command('MAIL FROM:<slow@example.test>', '250');
        await slow.command(`RCPT TO:<${to}>`, '250');
        await slow.command('DATA', '354');
        slow.write(`From: slow@example.test\r\nTo: ${to}\r\nSubject: slow\r\n\r\n${'A'.repeat(998)}\r\n`.repeat(250));
        await expect.poll(() => small.bytesInFlight()).toBeGreaterThanOrEqual(250_000);

        // Another mail of 100 kB would go over the budget: refused for now (4xx), so the sender retries later.
        const mail = {
          from: 'other@example.test',
          to,
          subject: 'retry later',
          attachments: [{ filename: 'a.txt', content: Buffer.alloc(100_000, 66) }],
        };
        const refused = await sendMail(small.port, mail).then(
          () => null,
          (err: { responseCode?: number }) => err.responseCode,
        );
        expect([451, 452]).toContain(refused);
        expect(small.bytesInFlight()).toBeLessThanOrEqual(300_000);

        // The slow mail ends and is stored; its bytes are released, and the retry goes through.
        await slow.command('.', '250');
        expect(small.bytesInFlight()).toBe(0);
        expect((await sendMail(small.port, mail)).response).toMatch(/^250/);
        expect(small.bytesInFlight()).toBe(0);
      } finally {
        slow.close();
        await small.close();
      }
    });

    it('refuses a hostile mail (multiparts nested 5000 deep) on the parse pool, and imports the next mail', async () => {
      const to = (await orgAddress(b)).address as string;
      const hostile = Buffer.concat([Buffer.from('Message-ID: <nested@example.test>\r\n'), nestedMultipartMail(5000)]);
      await sendMail(receiver.port, { envelope: { from: 'x@example.test', to }, raw: hostile });
      await sendMail(receiver.port, {
        from: 'billing@supplier.example.test',
        to,
        subject: 'after',
        messageId: '<after-nested@example.test>',
        attachments: [{ filename: 'invoice.ofd', content: OFD }],
      });
      const mails = await waitForMails(t, b, 4);
      const bad = mails.find((m) => m.messageId === 'nested@example.test');
      expect(bad?.outcome).toBe('failed');
      expect(bad?.detail?.error).toContain('多部分');
      expect(mails.find((m) => m.messageId === 'after-nested@example.test')).toMatchObject({ outcome: 'imported' });
    });

    it('lists mails with filters and answers another tenant’s mail id with 404', async () => {
      const [mail] = await listMails(t, a, '?outcome=imported&channel=smtp');
      expect(mail?.outcome).toBe('imported');
      const own = await t.app.inject({ method: 'GET', url: `/api/v1/received-mails/${mail?.id}`, headers: a.auth });
      expect(own.statusCode).toBe(200);
      const cross = await t.app.inject({ method: 'GET', url: `/api/v1/received-mails/${mail?.id}`, headers: b.auth });
      expect(cross.statusCode).toBe(404);
      expect(errorOf(cross).code).toBe('RECEIVED_MAIL_NOT_FOUND');
    });

    it('records a picture that waits for OCR as ocr_pending, not as no invoice, and the mail as imported', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-mail-ocr-'));
      try {
        const ocrSwitch = path.join(dir, 'switch');
        fs.writeFileSync(ocrSwitch, 'down');
        setParsePoolTestHooks({ testOcrSwitch: ocrSwitch });
        const c = await seedTenant(t, 'MailC');
        const blank = await sharp({ create: { width: 360, height: 240, channels: 3, background: '#fff' } })
          .png()
          .toBuffer();
        await sendMail(receiver.port, {
          from: 'scanner@supplier.example.test',
          to: (await orgAddress(c)).address as string,
          subject: '扫描件',
          attachments: [{ filename: 'scan.png', content: blank }],
        });
        const [mail] = await waitForMails(t, c, 1);
        expect(mail?.outcome).toBe('imported');
        expect(mail?.detail?.files).toMatchObject([
          { name: 'scan.png', result: 'ocr_pending', itemIds: [], reason: expect.stringContaining('文字识别') },
        ]);
      } finally {
        setParsePoolTestHooks(null);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  });
}
