/**
 * IMAP polling on both dialects against a real Dovecot started on loopback (skipped with a message when Dovecot is
 * not installed): mailboxes CRUD, poll now, move/flag after import, no re-import, the scheduled poll, the guard.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '../documents/documents-kit.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { type Dovecot, dovecotMissing, startDovecot } from './dovecot-kit.js';
import { listMails, rawMail, waitForMails } from './mail-kit.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/real-invoices');
const PDF = fs.readFileSync(path.join(FIXTURES, 'renoyuan__easyofd/test.pdf'));
const OFD = fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/1.ofd'));

const skipReason = dovecotMissing;
if (skipReason !== null) {
  describe('IMAP intake', () => {
    it.skip(skipReason, () => {});
  });
}

interface MailboxBody {
  id: string;
  afterImport: string;
  enabled: boolean;
  lastUid: number;
  uidValidity: string | null;
  lastPoll: { at: string; ok: boolean; error: string | null; count: number } | null;
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip || dovecotMissing !== null)(`${dialect.name}: IMAP mailbox polling`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let dovecot: Dovecot;
    let imap: ImapFlow;
    let mailboxId: string;

    const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who: SeededTenant, payload?: object) =>
      t.app.inject({ method, url, headers: who.auth, ...(payload ? { payload } : {}) });
    const append = async (
      folder: string,
      messageId: string,
      attachments: Array<{ filename: string; content: Buffer }>,
    ) =>
      imap.append(
        folder,
        await rawMail({
          from: 'billing@supplier.example.test',
          to: 'ap@buyer.example.test',
          subject: messageId,
          messageId: `<${messageId}>`,
          text: 'x',
          attachments,
        }),
      );
    const folderUids = async (folder: string) => {
      const lock = await imap.getMailboxLock(folder);
      try {
        const found: Array<{ uid: number; flags: string[]; messageId: string | undefined }> = [];
        if (imap.mailbox && imap.mailbox.exists > 0) {
          for await (const m of imap.fetch('1:*', { uid: true, flags: true, envelope: true })) {
            found.push({ uid: m.uid, flags: [...(m.flags ?? [])].sort(), messageId: m.envelope?.messageId });
          }
        }
        return found;
      } finally {
        lock.release();
      }
    };
    const receivedNumbers = async (who: SeededTenant) => {
      const res = await api('GET', '/api/v1/received-invoices?source=mail&limit=200', who);
      expect(res.statusCode).toBe(200);
      return res
        .json<{ items: Array<{ number: string }> }>()
        .items.map((i) => i.number)
        .sort();
    };

    beforeAll(async () => {
      dovecot = await startDovecot();
      imap = new ImapFlow({
        host: '127.0.0.1',
        port: dovecot.port,
        secure: false,
        auth: { user: dovecot.user, pass: dovecot.password },
        logger: false,
      });
      await imap.connect();
      t = await buildTestApp(dialect, { DATA_DIR: tempDataDir(), OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' }, undefined, {
        worker: true,
      });
      a = await seedTenant(t, 'ImapA');
      b = await seedTenant(t, 'ImapB');
    }, 60_000);
    afterAll(async () => {
      await imap?.logout().catch(() => {});
      await t?.close();
      await dovecot?.stop();
    });

    it('adds a mailbox without ever returning its password, and refuses hosts the outbound guard refuses', async () => {
      const refused = await api('POST', '/api/v1/received-mailboxes', a, {
        host: '127.0.0.2',
        port: dovecot.port,
        secure: false,
        user: dovecot.user,
        password: dovecot.password,
        enabled: false,
      });
      expect(refused.statusCode).toBe(422);
      expect(errorOf(refused)).toMatchObject({
        code: 'RECEIVED_MAILBOX_HOST_REFUSED',
        details: { reason: 'loopback' },
      });

      const foreignOrg = await api('POST', '/api/v1/received-mailboxes', a, {
        host: '127.0.0.1',
        port: dovecot.port,
        user: dovecot.user,
        password: dovecot.password,
        buyerOrgId: 'org_of_someone_else',
      });
      expect(errorOf(foreignOrg).code).toBe('RECEIVED_MAILBOX_ORG_NOT_FOUND');

      const noMoveTo = await api('POST', '/api/v1/received-mailboxes', a, {
        host: '127.0.0.1',
        port: dovecot.port,
        user: dovecot.user,
        password: dovecot.password,
        afterImport: 'move',
      });
      expect(errorOf(noMoveTo).code).toBe('RECEIVED_MAILBOX_MOVE_TO_REQUIRED');

      const res = await api('POST', '/api/v1/received-mailboxes', a, {
        name: '财务收票',
        host: '127.0.0.1',
        port: dovecot.port,
        secure: false,
        user: dovecot.user,
        password: dovecot.password,
        folder: 'INBOX',
        pollIntervalSeconds: 300,
        afterImport: 'move',
        moveTo: 'Imported',
        enabled: false,
      });
      expect(res.statusCode).toBe(201);
      expect(res.body).not.toContain(dovecot.password);
      expect(res.json()).not.toHaveProperty('password');
      mailboxId = res.json<MailboxBody>().id;
      const test = await api('POST', `/api/v1/received-mailboxes/${mailboxId}/test`, a);
      expect(test.json()).toMatchObject({ ok: true, error: null });
      // Stored encrypted: the row does not hold the password in clear.
      const row = await t.runtime.deps.db.kysely
        .selectFrom('received_mailboxes')
        .select('password_enc')
        .where('id', '=', mailboxId)
        .executeTakeFirstOrThrow();
      expect(row.password_enc).not.toContain(dovecot.password);
    });

    it('polls now: imports every new message, moves it, and never imports it twice', async () => {
      await append('INBOX', 'imap-1@supplier.example.test', [{ filename: 'a.pdf', content: PDF }]);
      await append('INBOX', 'imap-2@supplier.example.test', [{ filename: 'b.ofd', content: OFD }]);
      const polled = await api('POST', `/api/v1/received-mailboxes/${mailboxId}/poll`, a);
      expect(polled.statusCode).toBe(200);
      expect(polled.json<MailboxBody>().lastPoll).toMatchObject({ ok: true, error: null, count: 2 });
      expect(polled.json<MailboxBody>().lastUid).toBe(2);
      const mails = await waitForMails(t, a, 2);
      expect(mails.map((m) => [m.channel, m.mailboxId, m.outcome])).toEqual([
        ['imap', mailboxId, 'imported'],
        ['imap', mailboxId, 'imported'],
      ]);
      expect(await folderUids('INBOX')).toEqual([]);
      expect((await folderUids('Imported')).map((m) => m.messageId).sort()).toEqual([
        '<imap-1@supplier.example.test>',
        '<imap-2@supplier.example.test>',
      ]);
      expect(await receivedNumbers(a)).toEqual(['23512000000005197325', '83089647']);

      const again = await api('POST', `/api/v1/received-mailboxes/${mailboxId}/poll`, a);
      expect(again.json<MailboxBody>().lastPoll).toMatchObject({ ok: true, count: 0 });
      expect((await listMails(t, a)).length).toBe(2);
    });

    it('flags instead of moving, and records a message seen again as a duplicate', async () => {
      const patched = await api('PATCH', `/api/v1/received-mailboxes/${mailboxId}`, a, { afterImport: 'flag' });
      expect(patched.statusCode).toBe(200);
      expect(patched.json<MailboxBody>().afterImport).toBe('flag');
      await append('INBOX', 'imap-1@supplier.example.test', [{ filename: 'a.pdf', content: PDF }]);
      const polled = await api('POST', `/api/v1/received-mailboxes/${mailboxId}/poll`, a);
      expect(polled.json<MailboxBody>().lastPoll).toMatchObject({ ok: true, count: 1 });
      const inbox = await folderUids('INBOX');
      expect(inbox).toHaveLength(1);
      expect(inbox[0]?.flags).toEqual(['\\Flagged', '\\Seen']);
      const mails = await waitForMails(t, a, 3);
      expect(mails[0]).toMatchObject({ outcome: 'duplicate', messageId: 'imap-1@supplier.example.test' });
      expect(await receivedNumbers(a)).toEqual(['23512000000005197325', '83089647']);
    });

    it('polls on its schedule once enabled', async () => {
      await append('INBOX', 'imap-3@supplier.example.test', [{ filename: 'c.txt', content: Buffer.from('hello') }]);
      const enabled = await api('PATCH', `/api/v1/received-mailboxes/${mailboxId}`, a, { enabled: true });
      expect(enabled.json<MailboxBody>().enabled).toBe(true);
      const mails = await waitForMails(t, a, 4);
      expect(mails[0]).toMatchObject({ messageId: 'imap-3@supplier.example.test', outcome: 'no_invoice' });
      const view = await api('GET', `/api/v1/received-mailboxes/${mailboxId}`, a);
      expect(view.json<MailboxBody>().lastPoll).toMatchObject({ ok: true });
    });

    it('records a failed login as the poll result', async () => {
      const patched = await api('PATCH', `/api/v1/received-mailboxes/${mailboxId}`, a, {
        password: 'wrong',
        enabled: false,
      });
      expect(patched.statusCode).toBe(200);
      const polled = await api('POST', `/api/v1/received-mailboxes/${mailboxId}/poll`, a);
      expect(polled.json<MailboxBody>().lastPoll).toMatchObject({ ok: false });
      expect(polled.json<MailboxBody>().lastPoll?.error).toContain('登录失败');
      const test = await api('POST', `/api/v1/received-mailboxes/${mailboxId}/test`, a);
      expect(test.json()).toMatchObject({ ok: false });
    });

    it('keeps mailboxes within their tenant', async () => {
      expect((await api('GET', `/api/v1/received-mailboxes/${mailboxId}`, b)).statusCode).toBe(404);
      expect((await api('POST', `/api/v1/received-mailboxes/${mailboxId}/poll`, b)).statusCode).toBe(404);
      expect((await api('PATCH', `/api/v1/received-mailboxes/${mailboxId}`, b, { enabled: true })).statusCode).toBe(
        404,
      );
      expect((await api('DELETE', `/api/v1/received-mailboxes/${mailboxId}`, b)).statusCode).toBe(404);
      expect((await api('GET', '/api/v1/received-mailboxes', b)).json().items).toEqual([]);
      expect(await listMails(t, b)).toEqual([]);
      const deleted = await api('DELETE', `/api/v1/received-mailboxes/${mailboxId}`, a);
      expect(deleted.statusCode).toBe(204);
      expect((await api('GET', `/api/v1/received-mailboxes/${mailboxId}`, a)).statusCode).toBe(404);
    });
  });
}
