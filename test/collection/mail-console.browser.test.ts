/**
 * 收票邮箱 in headless Chromium against a real `openfapiao serve` with its SMTP receiver on (COLLECT_SMTP_PORT): the
 * collection address shown on the page receives a mail sent with nodemailer, an IMAP mailbox on a throw-away
 * Dovecot is added through the form and polled, and the recent mails list shows both with their outcome.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type ConsoleHarness, HAS_CHROMIUM, startConsole } from '../console/console-kit.js';
import { freePort } from '../helpers/processes.js';
import { describeBrowser } from '../scan/browser-kit.js';
import { type Dovecot, dovecotMissing, startDovecot } from './dovecot-kit.js';
import { rawMail, sendMail } from './mail-kit.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/real-invoices');
const PDF = fs.readFileSync(path.join(FIXTURES, 'renoyuan__easyofd/test.pdf'));
const OFD = fs.readFileSync(path.join(FIXTURES, 'ofdrw__ofdrw/1.ofd'));

if (!HAS_CHROMIUM) console.warn('收票邮箱 browser test skipped: /usr/bin/chromium is not installed');
if (dovecotMissing) console.warn(`收票邮箱 browser test skipped: ${dovecotMissing}`);

describeBrowser('console 收票邮箱 in headless Chromium', { skipIf: dovecotMissing !== null }, () => {
  let h: ConsoleHarness;
  let dovecot: Dovecot;
  let context: BrowserContext;
  let page: Page;
  let smtpPort = 0;
  // The first parse starts the parse pool's worker threads (seconds on a loaded machine).
  const WAIT = { timeout: 60_000 };

  beforeAll(async () => {
    smtpPort = await freePort();
    dovecot = await startDovecot();
    h = await startConsole({
      COLLECT_SMTP_PORT: String(smtpPort),
      COLLECT_MAIL_DOMAIN: 'fapiao.example.test',
      OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
    });
    ({ context, page } = await h.newPage());
  }, 180_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await h.shot(page, `failed-mail-${ctx.task.name.slice(0, 12)}`);
  });
  afterAll(async () => {
    await context?.close();
    await h?.stop();
    await dovecot?.stop();
  });

  it('shows the collection addresses; a mail sent to one is imported and listed', { timeout: 120_000 }, async () => {
    await h.login(page);
    await page.goto(`${h.baseUrl}/console/received/mailboxes`);
    const address = page.getByTestId('collection-address').first();
    await expect.poll(() => address.isVisible(), WAIT).toBe(true);
    const to = ((await address.textContent()) ?? '').trim();
    expect(to).toMatch(/^inv-[0-9a-z]{16}@fapiao\.example\.test$/);
    const sent = await sendMail(smtpPort, {
      from: '"某某供应商" <billing@supplier.example.test>',
      to,
      subject: '电子发票 - 6 月',
      attachments: [
        { filename: '发票.pdf', content: PDF },
        { filename: '说明.txt', content: '请查收' },
      ],
    });
    expect(sent.response).toMatch(/^250/);
    const mails = page.getByTestId('received-mails');
    await expect
      .poll(async () => {
        await page.getByTestId('mails-refresh').click();
        return mails.textContent();
      }, WAIT)
      .toContain('已导入');
    expect(await mails.textContent()).toContain('电子发票 - 6 月');
    expect(await mails.textContent()).toContain('已跳过');
  });

  it('adds an IMAP mailbox through the form, polls it now and lists its mail', { timeout: 120_000 }, async () => {
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await imap.connect();
    await imap.append(
      'INBOX',
      await rawMail({
        from: 'noreply@tax.example.test',
        to: 'finance@buyer.example.test',
        subject: '您收到一张数电发票',
        attachments: [{ filename: 'invoice.ofd', content: OFD }],
      }),
    );
    await imap.logout();

    await page.getByTestId('mailbox-add').click();
    const modal = page.getByRole('dialog');
    await modal.getByLabel('名称').fill('财务邮箱');
    await modal.getByLabel('IMAP 服务器').fill('127.0.0.1');
    await modal.getByLabel('端口').fill(String(dovecot.port));
    await modal.getByLabel('SSL/TLS').uncheck();
    await modal.getByLabel('账号').fill(dovecot.user);
    await modal.getByLabel('密码（或授权码）').fill(dovecot.password);
    await modal.getByLabel('启用定时收取').uncheck();
    await modal.getByRole('button', { name: /保\s*存/ }).click();
    await expect.poll(() => page.locator('.ant-modal-wrap:visible').count(), WAIT).toBe(0);
    const rows = page.getByTestId('mailboxes').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count(), WAIT).toBe(1);
    // What the page was given (the API answer) never carries the password.
    const listed = await page.evaluate(() => fetch('/api/v1/received-mailboxes').then((r) => r.text()));
    expect(listed).toContain(dovecot.user);
    expect(listed).not.toContain(dovecot.password);

    await page.getByTestId('mailbox-poll').click();
    await expect.poll(() => page.getByTestId('last-poll').textContent(), WAIT).toContain('成功，1 封');
    const mails = page.getByTestId('received-mails');
    await expect
      .poll(async () => {
        await page.getByTestId('mails-refresh').click();
        return mails.locator('tbody tr.ant-table-row').count();
      }, WAIT)
      .toBe(2);
    await expect.poll(() => mails.textContent(), WAIT).toContain('您收到一张数电发票');
    await page.waitForTimeout(3500); // the toasts fade, for the screenshot
    await h.shot(page, 'received-mailboxes');
    expect(h.cspViolations).toEqual([]);
  });
});
