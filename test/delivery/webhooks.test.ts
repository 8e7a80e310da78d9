import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/index.js';
import { WEBHOOK_MAX_ATTEMPTS } from '../../src/modules/delivery/index.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor, waitForValue } from '../helpers/wait.js';
import { blueRequest, get, post, waitForStatus } from '../invoicing/invoicing-kit.js';
import { createReceiver, createSystem, type Receiver } from './delivery-kit.js';

const KEY = 'test-secret-encryption-key-0123456789abcdef';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: webhooks`, () => {
    let t: TestApp;
    let a: SeededTenant;
    const receivers: Receiver[] = [];

    beforeAll(async () => {
      t = await buildTestApp(dialect, { SECRET_ENCRYPTION_KEY: KEY, OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' }, undefined, {
        worker: true,
      });
      a = await seedTenant(t, 'A');
    });
    afterAll(async () => {
      for (const r of receivers) await r.stop();
      await t?.close();
    });

    async function receiver(options: Parameters<typeof createReceiver>[0] = {}) {
      const r = await createReceiver(options);
      receivers.push(r);
      return r;
    }

    const delivery = async (id: string) => (await get(t, a, `/api/v1/webhook-deliveries/${id}`)).json();
    const deliveriesOf = async (serialNo: string, code: string) =>
      (await get(t, a, `/api/v1/webhook-deliveries?serialNo=${serialNo}&businessSystemCode=${code}`)).json().items;

    it('retries a receiver that is down, then failing, until it answers 2xx — same delivery id, signed', async () => {
      const r = await receiver({ listen: false });
      const system = await createSystem(t, a, {
        code: 'ERP',
        name: 'ERP',
        callbackUrl: r.url,
        events: ['invoice.issued'],
      });
      const req = blueRequest(a, { businessSystemCode: 'ERP' });
      await post(t, a, '/api/v1/invoices', req);
      const [first] = await waitForValue('a failed attempt', async () => {
        const items = await deliveriesOf(req.serialNo, 'ERP');
        return items[0]?.attempts >= 1 ? items : undefined;
      });
      expect(first.lastError).toMatch(/ECONNREFUSED/);
      r.answer = (_req, i) => (i === 0 ? 500 : 200);
      await r.start();
      const done = await waitForValue('delivered', async () => {
        const d = await delivery(first.id);
        return d.status === 'delivered' ? d : undefined;
      });
      expect(r.received).toHaveLength(2);
      expect(new Set(r.received.map((x) => x.headers['x-openfapiao-delivery']))).toEqual(new Set([first.id]));
      const log = done.attemptLog;
      expect(log.length).toBe(done.attempts);
      expect(log.slice(0, -2).every((x: { error: string }) => /ECONNREFUSED/.test(x.error))).toBe(true);
      expect(log.at(-2)).toMatchObject({
        statusCode: 500,
        error: 'HTTP 500',
        responseExcerpt: 'failing 0',
        address: '127.0.0.1',
      });
      expect(log.at(-1)).toMatchObject({ statusCode: 200, error: null, responseExcerpt: 'ok' });

      const got = r.received[1]!;
      expect(got.headers).toMatchObject({
        'x-openfapiao-event': 'invoice.issued',
        'content-type': expect.stringMatching(/json/),
      });
      const ts = got.headers['x-openfapiao-timestamp'] as string;
      const sig = got.headers['x-openfapiao-signature'] as string;
      const now = t.clock.now();
      expect(verifyWebhookSignature(system.secret, ts, got.body, sig, { now })).toBe(true);
      expect(verifyWebhookSignature(system.secret, ts, got.body.replace('"issued"', '"failed"'), sig, { now })).toBe(
        false,
      );
      const payload = JSON.parse(got.body);
      expect(payload).toMatchObject({ id: expect.stringMatching(/^evt_/), type: 'invoice.issued', version: 1 });
      expect(payload.data).toMatchObject({ serialNo: req.serialNo, status: 'issued', businessSystemCode: 'ERP' });
      expect(payload.data.downloadLinks.pdf).toMatch(/\/d\//);
      expect(payload.createdAt).toMatch(/\+08:00$/);
    });

    it('gives up after the last attempt (dead) and redelivers on request', async () => {
      const r = await receiver();
      r.answer = () => 503;
      await createSystem(t, a, { code: 'POS', name: 'POS', callbackUrl: r.url, events: ['invoice.issued'] });
      const req = blueRequest(a, { businessSystemCode: 'POS' });
      await post(t, a, '/api/v1/invoices', req);
      const [dead] = await waitForValue('dead', async () => {
        const items = await deliveriesOf(req.serialNo, 'POS');
        return items[0]?.status === 'dead' ? items : undefined;
      });
      expect(dead.attempts).toBe(WEBHOOK_MAX_ATTEMPTS);
      expect(
        (await get(t, a, '/api/v1/webhook-deliveries?status=dead&businessSystemCode=POS')).json().items,
      ).toHaveLength(1);

      r.answer = () => 204;
      const again = await post(t, a, `/api/v1/webhook-deliveries/${dead.id}/redeliver`);
      expect(again.statusCode, again.body).toBe(202);
      expect(again.json()).toMatchObject({ id: dead.id, status: 'pending', redeliveries: 1 });
      const done = await waitForValue('redelivered', async () => {
        const d = await delivery(dead.id);
        return d.status === 'delivered' ? d : undefined;
      });
      expect(done.attempts).toBe(WEBHOOK_MAX_ATTEMPTS + 1);
      expect(r.received.at(-1)?.headers['x-openfapiao-delivery']).toBe(dead.id);
      expect(new Set(r.received.map((x) => x.body)).size).toBe(1); // the same body on every attempt
    });

    it('a job that dies late does not kill the redelivery that replaced it; the redelivery’s own job does', async () => {
      // The POS delivery of the test above: dead, then redelivered and delivered.
      const [dead] = (await get(t, a, '/api/v1/webhook-deliveries?businessSystemCode=POS')).json().items;
      const delivered = await delivery(dead.id);
      expect(delivered).toMatchObject({ status: 'delivered', redeliveries: 1 });
      // Redelivered (series 1), its job not yet run — while the queue records the death of series 0's job.
      await t.runtime.deps.db.kysely
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', redeliveries: delivered.redeliveries + 1 })
        .where('id', '=', dead.id)
        .execute();
      const task = t.runtime.deps.jobs.registry.get('delivery/deliver-webhook');
      const info = { job: {} as never, lastError: 'lease expired' };
      await task?.onDead?.({ deliveryId: dead.id }, info);
      await task?.onDead?.({ deliveryId: dead.id, redeliveries: delivered.redeliveries }, info);
      expect((await delivery(dead.id)).status).toBe('pending');
      await task?.onDead?.({ deliveryId: dead.id, redeliveries: delivered.redeliveries + 1 }, info);
      expect(await delivery(dead.id)).toMatchObject({ status: 'dead', lastError: 'lease expired' });
    });

    it('refuses to redeliver what is still in flight, and hides other tenants’ deliveries', async () => {
      const b = await seedTenant(t, 'B');
      const mine = (await get(t, a, '/api/v1/webhook-deliveries?limit=1')).json().items[0];
      const cross = await post(t, b, `/api/v1/webhook-deliveries/${mine.id}/redeliver`);
      expect(errorOf(cross).code).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
      await t.runtime.deps.db.kysely
        .updateTable('webhook_deliveries')
        .set({ status: 'retrying' })
        .where('id', '=', mine.id)
        .execute();
      const busy = await post(t, a, `/api/v1/webhook-deliveries/${mine.id}/redeliver`);
      expect(errorOf(busy).code).toBe('WEBHOOK_DELIVERY_IN_PROGRESS');
      await t.runtime.deps.db.kysely
        .updateTable('webhook_deliveries')
        .set({ status: 'delivered' })
        .where('id', '=', mine.id)
        .execute();
    });

    it('sends to the owning system and to systems that receive all invoices, only for subscribed events', async () => {
      const own = await receiver();
      const all = await receiver();
      const other = await receiver();
      await createSystem(t, a, { code: 'OWN', name: 'own', callbackUrl: own.url, events: ['invoice.issued'] });
      await createSystem(t, a, { code: 'ALL', name: 'all', callbackUrl: all.url, receiveAllInvoices: true });
      await createSystem(t, a, { code: 'OTHER', name: 'other', callbackUrl: other.url });
      await createSystem(t, a, {
        code: 'FAILS',
        name: 'fails only',
        callbackUrl: other.url,
        events: ['invoice.failed'],
        receiveAllInvoices: true,
      });
      const req = blueRequest(a, { businessSystemCode: 'OWN' });
      await post(t, a, '/api/v1/invoices', req);
      await waitForStatus(t, a, req.serialNo, (s) => s === 'issued');
      await waitFor('both deliveries', () => own.received.length >= 1 && all.received.length >= 1);
      const items = (await get(t, a, `/api/v1/webhook-deliveries?serialNo=${req.serialNo}`)).json().items;
      expect(items.map((d: { businessSystemCode: string }) => d.businessSystemCode).sort()).toEqual(['ALL', 'OWN']);
      expect(other.received).toHaveLength(0);
    });

    it('enqueues no fan-out job for an event no business system wants (decided when it is published)', async () => {
      const c = await seedTenant(t, 'C');
      await createSystem(t, c, {
        code: 'FAILS',
        name: 'failed only',
        callbackUrl: 'http://127.0.0.1:9/',
        events: ['invoice.failed'],
      });
      const fanOuts = async (serialNo: string) => {
        const invoice = (await get(t, c, `/api/v1/invoices/${serialNo}`)).json();
        expect(invoice.status).toBe('issued');
        const jobs = await t.runtime.deps.db.kysely
          .selectFrom('jobs')
          .select('id')
          .where('task', '=', 'delivery/fan-out-event')
          .where('payload', 'like', `%"serialNo":"${serialNo}"%`)
          .execute();
        return jobs.length;
      };
      const unwanted = blueRequest(c);
      expect((await post(t, c, '/api/v1/invoices?wait=10', unwanted)).json().status).toBe('issued');
      expect(await fanOuts(unwanted.serialNo)).toBe(0);
      await createSystem(t, c, {
        code: 'ALL',
        name: 'all',
        callbackUrl: 'http://127.0.0.1:9/',
        receiveAllInvoices: true,
      });
      const wanted = blueRequest(c);
      expect((await post(t, c, '/api/v1/invoices?wait=10', wanted)).json().status).toBe('issued');
      expect(await fanOuts(wanted.serialNo)).toBe(1);
    });

    it('checks the address again at send time (a URL that now points to a refused address)', async () => {
      const r = await receiver({ host: '127.0.0.2' });
      await createSystem(t, a, {
        code: 'REBIND',
        name: 'r',
        callbackUrl: 'http://127.0.0.1:1/cb',
        events: ['invoice.issued'],
      });
      // As if DNS changed after the URL was saved: 127.0.0.2 is loopback and not allowlisted.
      await t.runtime.deps.db.kysely
        .updateTable('business_systems')
        .set({ callback_url: r.url })
        .where('code', '=', 'REBIND')
        .execute();
      const req = blueRequest(a, { businessSystemCode: 'REBIND' });
      await post(t, a, '/api/v1/invoices', req);
      const [d] = await waitForValue('refused attempt', async () => {
        const items = await deliveriesOf(req.serialNo, 'REBIND');
        return items[0]?.attempts >= 1 ? items : undefined;
      });
      expect(d.lastError).toBe('refused by SSRF guard: loopback (127.0.0.2)');
      expect(r.received).toHaveLength(0);
      await t.runtime.deps.db.kysely
        .updateTable('business_systems')
        .set({ enabled: 0 })
        .where('code', '=', 'REBIND')
        .execute();
    });
  });
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: a webhook job that dies while its worker is stuck`, () => {
    let t: TestApp;
    let a: SeededTenant;
    const sockets: net.Socket[] = [];
    // Accepts connections and never answers: the attempt hangs until WEBHOOK_TIMEOUT_MS.
    const hanging = net.createServer((socket) => sockets.push(socket));

    beforeAll(async () => {
      t = await buildTestApp(
        dialect,
        { SECRET_ENCRYPTION_KEY: KEY, OUTBOUND_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_TIMEOUT_MS: '1500' },
        undefined,
        { worker: true },
      );
      a = await seedTenant(t, 'A');
      await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
      await t?.close();
    });

    it('is swept to dead, its onDead hook marks the delivery dead, and the late failed attempt does not revive it', async () => {
      const { port } = hanging.address() as net.AddressInfo;
      await createSystem(t, a, {
        code: 'ERP',
        name: 'ERP',
        callbackUrl: `http://127.0.0.1:${port}/hooks`,
        events: ['invoice.issued'],
      });
      const req = blueRequest(a, { businessSystemCode: 'ERP' });
      await post(t, a, '/api/v1/invoices', req);
      await waitFor('the attempt to hang', () => sockets.length > 0);
      const db = t.runtime.deps.db.kysely;
      const job = await db
        .selectFrom('jobs')
        .selectAll()
        .where('task', '=', 'delivery/deliver-webhook')
        .where('state', '=', 'running')
        .executeTakeFirstOrThrow();
      // As if its worker had stalled past the lease of the last attempt (a crash looks the same to the others).
      await db
        .updateTable('jobs')
        .set({ attempts: job.max_attempts, locked_by: 'stalled-worker', locked_until: t.clock.now() - 1 })
        .where('id', '=', job.id)
        .execute();
      t.clock.advance(2000);
      t.runtime.deps.jobs.notify();

      const list = await get(t, a, `/api/v1/webhook-deliveries?serialNo=${req.serialNo}&businessSystemCode=ERP`);
      const id = list.json().items[0].id as string;
      const view = async () => (await get(t, a, `/api/v1/webhook-deliveries/${id}`)).json();
      const dead = await waitForValue('the onDead hook', async () => {
        const d = await view();
        return d.status === 'dead' ? d : undefined;
      });
      expect(dead.lastError).toContain('lease expired');
      expect((await db.selectFrom('jobs').select('state').where('id', '=', job.id).executeTakeFirst())?.state).toBe(
        'dead',
      );
      // The stuck attempt times out and is logged, but the delivery stays dead (no job would retry it).
      const late = await waitForValue('the late attempt', async () => {
        const d = await view();
        return d.attempts === 1 ? d : undefined;
      });
      expect(late.status).toBe('dead');
    });
  });
}
