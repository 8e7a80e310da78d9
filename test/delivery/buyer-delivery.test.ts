import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInvoiceDocument } from '../../src/modules/documents/index.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitForValue } from '../helpers/wait.js';
import { blueRequest, get, post, waitForStatus } from '../invoicing/invoicing-kit.js';
import { createReceiver, type Receiver } from './delivery-kit.js';

/** A real SMTP server on 127.0.0.1 that parses every message it accepts. */
async function startSmtp(): Promise<{
  url: string;
  mails: ParsedMail[];
  envelopes: string[][];
  stop(): Promise<void>;
}> {
  const mails: ParsedMail[] = [];
  const envelopes: string[][] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      envelopes.push(session.envelope.rcptTo.map((r) => r.address));
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, envelopes, stop: () => new Promise((r) => server.close(() => r())) };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: invoice to the buyer by e-mail and SMS`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let gateway: Receiver;

    beforeAll(async () => {
      smtp = await startSmtp();
      gateway = await createReceiver({ path: '/sms/send' });
      t = await buildTestApp(
        dialect,
        {
          SMTP_URL: smtp.url,
          MAIL_FROM: '发票中心 <invoices@example.test>',
          SMS_GATEWAY_URL: gateway.url,
          SMS_GATEWAY_BODY_TEMPLATE: '{"phone":"{{to}}","content":"{{text}}","sign":"OpenFapiao"}',
          SMS_GATEWAY_AUTH_HEADER: 'Authorization: Bearer sms-token',
        },
        undefined,
        { worker: true },
      );
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => {
      await t?.close();
      await smtp?.stop();
      await gateway?.stop();
    });

    it('mails the issued invoice with its stored PDF attached, and texts the download link', async () => {
      const req = blueRequest(a, {
        buyer: { ...blueRequest(a).buyer, email: 'buyer@example.test', mobile: '13800138000' },
      });
      await post(t, a, '/api/v1/invoices', req);
      const inv = await waitForStatus(t, a, req.serialNo, (s) => s === 'issued');
      const mail = await waitForValue('the mail', () => smtp.mails[0]);
      expect(smtp.envelopes[0]).toEqual(['buyer@example.test']);
      expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('buyer@example.test');
      expect(mail.from?.text).toContain('invoices@example.test');
      expect(mail.subject).toBe(`【电子发票】A 销方有限公司 为您开具的发票（号码 ${inv.number}，价税合计 ¥2190.00）`);
      expect(mail.text).toContain('A 销方有限公司');
      expect(mail.text).toContain(`发票号码：${inv.number}`);
      expect(mail.text).toContain('价税合计：¥2190.00（贰仟壹佰玖拾圆整）');
      expect(mail.text).toMatch(/下载链接：http:\/\/localhost:8080\/d\/\S+/);
      expect(mail.html).toContain(String(inv.number));

      expect(mail.attachments.map((x) => x.filename)).toEqual([`${inv.number}.pdf`]);
      const pdf = mail.attachments[0]!;
      expect(pdf.contentType).toBe('application/pdf');
      const stored = await getInvoiceDocument(t.runtime.deps, {
        tenantId: a.tenantId,
        invoiceId: await invoiceId(req.serialNo),
        format: 'pdf',
      });
      expect(sha256(pdf.content)).toBe(stored?.sha256);

      const sms = await waitForValue('the SMS', () => gateway.received[0]);
      expect(sms.headers.authorization).toBe('Bearer sms-token');
      const body = JSON.parse(sms.body);
      expect(body).toMatchObject({ phone: '13800138000', sign: 'OpenFapiao' });
      expect(body.content).toContain(String(inv.number));
      expect(body.content).toMatch(/下载：http:\/\/localhost:8080\/d\/\S+$/);

      const log = await waitForValue('both sent', async () => {
        const items = (await get(t, a, `/api/v1/invoices/${req.serialNo}/deliveries`)).json().items;
        return items.length === 2 && items.every((d: { status: string }) => d.status === 'sent') ? items : undefined;
      });
      expect(log.map((d: { transport: string }) => d.transport).sort()).toEqual(['sms_gateway', 'smtp']);
    });

    it('attaches OFD and XML when the tenant wants them, and re-sends on request (rate-limited)', async () => {
      const put = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/delivery/settings',
        headers: a.auth,
        payload: { attachOfd: true, attachXml: true },
      });
      expect(put.json()).toEqual({ emailOnIssue: true, smsOnIssue: true, attachOfd: true, attachXml: true });
      const req = blueRequest(a);
      await post(t, a, '/api/v1/invoices', req);
      const inv = await waitForStatus(t, a, req.serialNo, (s) => s === 'issued');
      const before = smtp.mails.length;
      const res = await post(t, a, `/api/v1/invoices/${req.serialNo}/deliver`, { email: 'again@example.test' });
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json().deliveries).toMatchObject([
        { channel: 'email', recipient: 'again@example.test', trigger: 'manual' },
      ]);
      const mail = await waitForValue('the re-sent mail', () => smtp.mails[before]);
      expect(mail.attachments.map((x) => x.filename)).toEqual([
        `${inv.number}.pdf`,
        `${inv.number}.ofd`,
        `${inv.number}.xml`,
      ]);

      for (let i = 1; i < 5; i++) {
        expect(
          (await post(t, a, `/api/v1/invoices/${req.serialNo}/deliver`, { mobile: '13900139000' })).statusCode,
        ).toBe(202);
      }
      const limited = await post(t, a, `/api/v1/invoices/${req.serialNo}/deliver`, { mobile: '13900139000' });
      expect(limited.statusCode).toBe(429);
      expect(errorOf(limited).code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('counts concurrent re-sends exactly: of 12 at once, 5 are accepted and 7 get 429', async () => {
      const req = blueRequest(a);
      await post(t, a, '/api/v1/invoices', req);
      await waitForStatus(t, a, req.serialNo, (s) => s === 'issued');
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          post(t, a, `/api/v1/invoices/${req.serialNo}/deliver`, { email: 'again@example.test' }),
        ),
      );
      const codes = answers.map((r) => r.statusCode).sort();
      expect(codes).toEqual([...Array(5).fill(202), ...Array(7).fill(429)]);
    });

    it('refuses to deliver an invoice without recipients or not yet issued', async () => {
      const req = blueRequest(a);
      await post(t, a, '/api/v1/invoices', req);
      await waitForStatus(t, a, req.serialNo, (s) => s === 'issued');
      expect(errorOf(await post(t, a, `/api/v1/invoices/${req.serialNo}/deliver`, {})).code).toBe(
        'DELIVERY_NO_RECIPIENT',
      );
      expect(errorOf(await post(t, a, '/api/v1/invoices/NOPE/deliver', { email: 'x@example.test' })).code).toBe(
        'INVOICE_NOT_FOUND',
      );
    });

    async function invoiceId(serialNo: string): Promise<string> {
      const row = await t.runtime.deps.db.kysely
        .selectFrom('invoices')
        .select('id')
        .where('tenant_id', '=', a.tenantId)
        .where('serial_no', '=', serialNo)
        .executeTakeFirstOrThrow();
      return row.id;
    }
  });
}

describe('without SMTP or an SMS gateway', () => {
  const dialect = TEST_DIALECTS[0]!;
  it('keeps mail and SMS in the tenant’s outbox', async () => {
    const t = await buildTestApp(dialect, {}, undefined, { worker: true });
    try {
      const a = await seedTenant(t, 'A');
      const b = await seedTenant(t, 'B');
      const req = blueRequest(a, {
        buyer: { ...blueRequest(a).buyer, email: 'buyer@example.test', mobile: '13800138000' },
      });
      await post(t, a, '/api/v1/invoices', req);
      const inv = await waitForStatus(t, a, req.serialNo, (s) => s === 'issued');
      const items = await waitForValue('outbox', async () => {
        const list = (await get(t, a, '/api/v1/outbox')).json().items;
        return list.length === 2 ? list : undefined;
      });
      const mail = items.find((m: { channel: string }) => m.channel === 'email');
      expect(mail).toMatchObject({
        recipient: 'buyer@example.test',
        subject: expect.stringContaining(String(inv.number)),
      });
      expect(mail.attachments).toEqual([
        expect.objectContaining({
          fileName: `${inv.number}.pdf`,
          contentType: 'application/pdf',
          sha256: expect.any(String),
        }),
      ]);
      const sms = items.find((m: { channel: string }) => m.channel === 'sms');
      expect(sms).toMatchObject({ recipient: '13800138000', body: expect.stringContaining('/d/') });
      expect((await get(t, b, '/api/v1/outbox')).json().items).toEqual([]);
      expect((await get(t, a, '/api/v1/outbox?channel=sms')).json().items).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});
