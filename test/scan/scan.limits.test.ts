import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { CATERING } from '../invoicing/invoicing-kit.js';
import { createScanSetting, get, post, SCAN_ENV, waitForOrder } from './scan-kit.js';

/** 码上开票: the consumer types the amount (up to 5000.00). */
const PRESET = { lines: [{ name: '餐费', taxCode: CATERING, taxRate: '0.06' }], maxAmount: '5000.00' };
const TITLE = { buyerType: 'personal', name: '张三' };

interface PreparedPost {
  headers: Record<string, string>;
  payload: string;
}

/** Opens the static link (as the client `ip` when given, through X-Forwarded-For) and prepares its form post. */
async function preparePost(t: TestApp, key: string, amount: string, ip?: string): Promise<PreparedPost> {
  const via: Record<string, string> = ip ? { 'x-forwarded-for': ip } : {};
  const page = await t.app.inject({ method: 'GET', url: `/q/${key}`, headers: via });
  expect(page.statusCode, page.body).toBe(200);
  const setCookie = page.headers['set-cookie'];
  const cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return {
    headers: { ...via, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, ...TITLE, amount }).toString(),
  };
}

const send = (t: TestApp, key: string, p: PreparedPost) =>
  t.app.inject({ method: 'POST', url: `/q/${key}`, headers: p.headers, payload: p.payload });

async function submitStatic(t: TestApp, key: string, amount: string, ip?: string): Promise<LightMyRequestResponse> {
  return send(t, key, await preparePost(t, key, amount, ip));
}

const statuses = (responses: LightMyRequestResponse[]) => responses.map((r) => r.statusCode);

function expectLimitPage(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(429);
  expect(res.headers['content-type']).toContain('text/html');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(res.body).toContain('提交过于频繁');
  expect(res.body).toContain('本次提交未开具发票');
  expect(res.body).toContain('SCAN_LINK_RATE_LIMITED');
}

interface Monitor {
  counts: Record<string, number>;
  exceptions: Array<{
    kind: string;
    code: string;
    message: string;
    sellerTaxId: string | null;
    subject: string;
    count: number;
    details: Record<string, string>;
  }>;
}
const monitorOf = async (t: TestApp, who: SeededTenant) =>
  (await get(t, who, '/api/v1/invoice-monitor')).json<Monitor>();

/** Polls the monitor until `done` (≈10 s of real time at most). */
async function waitForMonitor(t: TestApp, who: SeededTenant, done: (m: Monitor) => boolean): Promise<Monitor> {
  for (let i = 0; i < 500; i++) {
    const m = await monitorOf(t, who);
    if (done(m)) return m;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the monitor never showed the expected state');
}

const total = (m: Monitor) => Object.values(m.counts).reduce((a, b) => a + b, 0);

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: static scan link limits (behind a proxy)`, () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await buildTestApp(dialect, { ...SCAN_ENV, TRUST_PROXY: 'true' }, undefined, { worker: true });
    });
    afterAll(async () => t?.close());

    it('the reproduction: 20 anonymous posts of 2000.00 issue only the allowed number, the rest get a 429 page, and the monitor shows one exception', async () => {
      const r = await seedTenant(t, 'R');
      const s = await createScanSetting(t, r, { name: '一号店', allowedKinds: ['82'], preset: PRESET });
      expect(s.staticLimits).toEqual({
        settingPerMinute: 20,
        settingPerDay: 500,
        amountPerDay: '50000.00',
        clientPerMinute: 3,
        clientPerDay: 10,
      });
      expect(s.requireConfirmation).toBe(false);
      const results: LightMyRequestResponse[] = [];
      for (let i = 0; i < 20; i++) results.push(await submitStatic(t, s.key, '2000.00'));
      expect(statuses(results).filter((c) => c === 303)).toHaveLength(3);
      for (const res of results.slice(3)) expectLimitPage(res);
      const retryAfter = Number(results[3]!.headers['retry-after']);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(results[3]!.body).toContain(`请约 ${retryAfter} 秒后再试`);

      const m = await waitForMonitor(t, r, (x) => x.counts.issued === 3);
      expect(total(m)).toBe(3);
      expect(m.exceptions).toEqual([
        expect.objectContaining({
          kind: 'scan_link_limit',
          code: 'SCAN_LINK_RATE_LIMITED',
          sellerTaxId: r.sellerTaxId,
          subject: s.key,
          count: 17,
          details: expect.objectContaining({ settingKey: s.key, limit: 'clientPerMinute', limitValue: '3' }),
        }),
      ]);
      expect(m.exceptions[0]!.message).toContain('一号店');
      expect((await monitorOf(t, await seedTenant(t, 'O'))).exceptions).toEqual([]);

      // The next minute the client may submit again; a second refusal there raises a second exception (new window).
      t.clock.advance(61_000);
      const again = [];
      for (let i = 0; i < 4; i++) again.push(await submitStatic(t, s.key, '10.00'));
      expect(statuses(again)).toEqual([303, 303, 303, 429]);
      const later = await waitForMonitor(t, r, (x) => x.counts.issued === 6);
      expect(later.exceptions.map((e) => e.count)).toEqual([1, 17]);
    });

    it('counts clients apart (X-Forwarded-For with TRUST_PROXY) and the setting as a whole', async () => {
      const r = await seedTenant(t, 'C');
      const s = await createScanSetting(t, r, {
        scanType: 'title_only',
        allowedKinds: ['82'],
        preset: PRESET,
        staticLimits: { clientPerMinute: 2, settingPerMinute: 3 },
      });
      expect(s.staticLimits).toMatchObject({ clientPerMinute: 2, settingPerMinute: 3, clientPerDay: 10 });
      const first = [
        await submitStatic(t, s.key, '10.00', '192.0.2.1'),
        await submitStatic(t, s.key, '10.00', '192.0.2.1'),
        await submitStatic(t, s.key, '10.00', '192.0.2.1'),
      ];
      expect(statuses(first)).toEqual([303, 303, 429]);
      const second = [
        await submitStatic(t, s.key, '10.00', '192.0.2.2'),
        await submitStatic(t, s.key, '10.00', '192.0.2.3'),
      ];
      expect(statuses(second)).toEqual([303, 429]);
      expectLimitPage(second[1]!);
      const limits = (await monitorOf(t, r)).exceptions.map((e) => e.details.limit).sort();
      expect(limits).toEqual(['clientPerMinute', 'settingPerMinute']);
      const listed = await get(t, r, `/api/v1/scan/orders?settingKey=${s.key}&source=static`);
      expect(listed.json().items).toHaveLength(3);
    });

    it('caps the client and the setting per Asia/Shanghai day', async () => {
      const r = await seedTenant(t, 'D');
      const s = await createScanSetting(t, r, {
        scanType: 'title_only',
        allowedKinds: ['82'],
        preset: PRESET,
        staticLimits: { clientPerDay: 2, settingPerDay: 3, clientPerMinute: 100 },
      });
      const day1 = [];
      for (const ip of ['192.0.2.10', '192.0.2.10', '192.0.2.10', '192.0.2.11', '192.0.2.12']) {
        day1.push(await submitStatic(t, s.key, '10.00', ip));
      }
      expect(statuses(day1)).toEqual([303, 303, 429, 303, 429]);
      const retryAfter = Number(day1[4]!.headers['retry-after']);
      expect(day1[4]!.body).toContain('请明天再试');
      expect(retryAfter).toBeGreaterThan(60);
      expect(retryAfter).toBeLessThanOrEqual(86_400);
      const limits = (await monitorOf(t, r)).exceptions.map((e) => e.details.limit).sort();
      expect(limits).toEqual(['clientPerDay', 'settingPerDay']);
      // Shanghai midnight: a new day for both limits.
      t.clock.advance(retryAfter * 1000);
      expect((await submitStatic(t, s.key, '10.00', '192.0.2.10')).statusCode).toBe(303);
    });

    it('caps the amount per day: a submission that would pass it is refused, a smaller one still fits', async () => {
      const r = await seedTenant(t, 'M');
      const s = await createScanSetting(t, r, {
        scanType: 'title_only',
        allowedKinds: ['82'],
        preset: PRESET,
        staticLimits: { amountPerDay: '5000', clientPerMinute: 100 },
      });
      expect(s.staticLimits).toMatchObject({ amountPerDay: '5000.00' });
      const posts = [];
      for (const amount of ['2000.00', '2000.00', '1500.00', '1000.00', '0.01']) {
        posts.push(await submitStatic(t, s.key, amount));
      }
      expect(statuses(posts)).toEqual([303, 303, 429, 303, 429]);
      const [e] = (await monitorOf(t, r)).exceptions;
      expect(e).toMatchObject({ count: 2, details: { limit: 'amountPerDay', limitValue: '5000.00' } });
      t.clock.advance(Number(posts[4]!.headers['retry-after']) * 1000);
      expect((await submitStatic(t, s.key, '2000.00')).statusCode).toBe(303);
    });

    it('does not overshoot under concurrent submits', async () => {
      const r = await seedTenant(t, 'P');
      const s = await createScanSetting(t, r, {
        allowedKinds: ['82'],
        preset: PRESET,
        staticLimits: { settingPerMinute: 5 },
      });
      const prepared = await Promise.all(
        Array.from({ length: 20 }, (_, i) => preparePost(t, s.key, '100.00', `198.51.100.${i + 1}`)),
      );
      const results = await Promise.all(prepared.map((p) => send(t, s.key, p)));
      expect(statuses(results).filter((c) => c === 303)).toHaveLength(5);
      expect(statuses(results).filter((c) => c === 429)).toHaveLength(15);
      const m = await waitForMonitor(t, r, (x) => x.counts.issued === 5);
      expect(total(m)).toBe(5);
      expect(m.exceptions).toEqual([expect.objectContaining({ count: 15 })]);
    });

    // Several nodes share a PostgreSQL (SQLite serves one process: its concurrent case is the test above).
    it.skipIf(dialect.name !== 'postgres')(
      'does not overshoot with two nodes on one database: every limit holds across processes',
      async () => {
        const r = await seedTenant(t, 'Q');
        const s = await createScanSetting(t, r, {
          scanType: 'title_only',
          allowedKinds: ['82'],
          preset: PRESET,
          staticLimits: { settingPerMinute: 7, clientPerMinute: 2, amountPerDay: '1000.00' },
        });
        const other = await buildTestApp(dialect, { ...SCAN_ENV, TRUST_PROXY: 'true' }, undefined, {
          sameDatabaseAs: t,
        });
        try {
          other.clock.set(t.clock.now());
          // 24 posts of 100.00 from 8 clients, 3 each, half through each node, all at once.
          const posts = await Promise.all(
            Array.from({ length: 24 }, async (_, i) => {
              const node = i % 2 === 0 ? t : other;
              return { node, p: await preparePost(node, s.key, '100.00', `203.0.113.${(i % 8) + 1}`) };
            }),
          );
          const results = await Promise.all(posts.map(({ node, p }) => send(node, s.key, p)));
          expect(statuses(results).filter((c) => c === 303)).toHaveLength(7);
          expect(statuses(results).filter((c) => c === 429)).toHaveLength(17);
          // The counters agree with the orders: 7 for the setting, none of the 8 clients above 2.
          const counters = await t.runtime.deps.db.kysely
            .selectFrom('scan_static_counters')
            .innerJoin('scan_settings', 'scan_settings.id', 'scan_static_counters.setting_id')
            .select(['scan_static_counters.subject', 'scan_static_counters.day_count', 'scan_static_counters.day_fen'])
            .where('scan_settings.key', '=', s.key)
            .execute();
          const setting = counters.find((c) => c.subject === '')!;
          expect([Number(setting.day_count), Number(setting.day_fen)]).toEqual([7, 70_000]);
          const clients = counters.filter((c) => c.subject !== '').map((c) => Number(c.day_count));
          expect(clients.reduce((a, b) => a + b, 0)).toBe(7);
          for (const n of clients) expect(n).toBeLessThanOrEqual(2);
          const listed = await get(t, r, `/api/v1/scan/orders?settingKey=${s.key}&source=static`);
          expect(listed.json().items).toHaveLength(7);

          // The daily amount: 3 × 100.00 more fit (1 000.00), then nothing, from either node, whatever the minute.
          t.clock.advance(60_000);
          other.clock.set(t.clock.now());
          const more = await Promise.all(
            Array.from({ length: 10 }, async (_, i) => {
              const node = i % 2 === 0 ? t : other;
              return send(node, s.key, await preparePost(node, s.key, '100.00', `198.51.100.${i + 1}`));
            }),
          );
          expect(statuses(more).filter((c) => c === 303)).toHaveLength(3);
          const limits = (await monitorOf(t, r)).exceptions.map((e) => e.details.limit).sort();
          expect(limits).toContain('amountPerDay');
          expect(limits).toContain('settingPerMinute');
        } finally {
          await other.close();
        }
      },
    );

    it.skipIf(dialect.name !== 'postgres')(
      'checks and counts a submission in ONE statement, outside any transaction, with no row lock',
      async () => {
        const r = await seedTenant(t, 'S');
        const s = await createScanSetting(t, r, {
          scanType: 'title_only',
          allowedKinds: ['82'],
          preset: PRESET,
          staticLimits: { clientPerMinute: 1 },
        });
        /** The statements sent while `p` is posted, each with whether its connection was inside a transaction. */
        const capture = async (p: PreparedPost) => {
          const sent: { text: string; inTransaction: boolean }[] = [];
          const open = new WeakMap<object, boolean>();
          const original = pg.Client.prototype.query;
          pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
            const first = args[0];
            const text = typeof first === 'string' ? first : String((first as { text?: string }).text);
            if (/^\s*(begin|start transaction)/i.test(text)) open.set(this, true);
            else if (/^\s*(commit|rollback)/i.test(text)) open.set(this, false);
            else sent.push({ text, inTransaction: open.get(this) === true });
            return (original as (...a: unknown[]) => unknown).apply(this, args);
          } as typeof original;
          try {
            return { res: await send(t, s.key, p), sent };
          } finally {
            pg.Client.prototype.query = original;
          }
        };
        const isCount = (q: { text: string }) => /^\s*with c as \(insert into scan_static_counters/.test(q.text);
        const accepted = await capture(await preparePost(t, s.key, '10.00', '192.0.2.90'));
        expect(accepted.res.statusCode).toBe(303);
        // Both counters (client, then setting) in ONE statement sent on its own (autocommit): its row locks last
        // as long as the statement. The order and its jobs are one more statement. Nothing reads the setting's row
        // for update any more.
        expect(accepted.sent.filter((q) => q.text.includes('scan_static_counters'))).toEqual([
          { text: expect.stringMatching(/^\s*with c as \(insert into scan_static_counters/), inTransaction: false },
        ]);
        const mine = accepted.sent.filter((q) => /scan_(settings|orders|static)/.test(q.text));
        expect(mine.filter((q) => /for update/i.test(q.text) || q.inTransaction)).toEqual([]);
        expect(mine.filter((q) => /insert into "scan_orders"/.test(q.text))).toHaveLength(1);

        const refused = await capture(await preparePost(t, s.key, '10.00', '192.0.2.90'));
        expect(refused.res.statusCode).toBe(429);
        // The same one statement refuses; a read of the counters says which limit, one upsert records the exception.
        expect(refused.sent.filter(isCount)).toEqual([{ text: expect.any(String), inTransaction: false }]);
        expect(refused.sent.filter((q) => /insert into "scan_orders"/.test(q.text))).toEqual([]);
      },
    );

    it('with requireConfirmation the order waits (待商家确认) until the merchant confirms, once, or rejects it', async () => {
      const r = await seedTenant(t, 'K');
      const s = await createScanSetting(t, r, { allowedKinds: ['82'], preset: PRESET, requireConfirmation: true });
      expect(s.requireConfirmation).toBe(true);
      const submitted = await submitStatic(t, s.key, '300.00', '203.0.113.7');
      expect(submitted.statusCode, submitted.body).toBe(303);
      const statusPath = String(submitted.headers.location);
      const page = await t.app.inject({ method: 'GET', url: statusPath });
      expect(page.body).toContain('待商家确认');

      const waiting = (await get(t, r, `/api/v1/scan/orders?awaitingConfirmation=true&settingKey=${s.key}`)).json();
      expect(waiting.items).toHaveLength(1);
      const order = waiting.items[0];
      expect(order).toMatchObject({ source: 'static', status: 'submitted', awaitingConfirmation: true });
      expect(order.buyer).toMatchObject({ name: '张三', buyerType: 'personal' });

      // Not issued on its own: an order submitted later at a link without confirmation is invoiced meanwhile.
      const plain = await createScanSetting(t, r, { allowedKinds: ['82'], preset: PRESET });
      expect((await submitStatic(t, plain.key, '1.00', '203.0.113.8')).statusCode).toBe(303);
      await waitForMonitor(t, r, (x) => x.counts.issued === 1);
      expect((await get(t, r, `/api/v1/scan/orders/${order.orderNo}`)).json().status).toBe('submitted');

      // Confirming, even several times at once, issues exactly one invoice.
      const confirms = await Promise.all([1, 2, 3].map(() => post(t, r, `/api/v1/scan/orders/${order.orderNo}/issue`)));
      expect(statuses(confirms)).toEqual([200, 200, 200]);
      const done = await waitForOrder(t, r, order.orderNo, (st) => st === 'invoiced');
      expect(done).toMatchObject({
        awaitingConfirmation: false,
        invoices: [{ serialNo: `S-${order.orderNo}`, status: 'issued' }],
      });
      const m = await waitForMonitor(t, r, (x) => x.counts.issued === 2);
      expect(total(m)).toBe(2);
      expect((await t.app.inject({ method: 'GET', url: statusPath })).body).toContain('已开具');

      // Rejecting: the merchant withdraws the waiting order; the consumer sees it withdrawn, it can no longer issue.
      const second = await submitStatic(t, s.key, '50.00', '203.0.113.9');
      const pending = (await get(t, r, `/api/v1/scan/orders?awaitingConfirmation=true`)).json().items;
      expect(pending).toHaveLength(1);
      const rejected = await post(t, r, `/api/v1/scan/orders/${pending[0].orderNo}/withdraw`);
      expect(rejected.statusCode, rejected.body).toBe(200);
      expect(rejected.json().status).toBe('withdrawn');
      expect((await t.app.inject({ method: 'GET', url: String(second.headers.location) })).body).toContain(
        '订单已撤回',
      );
      const late = await post(t, r, `/api/v1/scan/orders/${pending[0].orderNo}/issue`);
      expect(late.json()).toMatchObject({ status: 'withdrawn', invoices: [] });
      // A confirmed (invoiced) order cannot be withdrawn.
      const tooLate = await post(t, r, `/api/v1/scan/orders/${order.orderNo}/withdraw`);
      expect(errorOf(tooLate).code).toBe('ORDER_ALREADY_SUBMITTED');
    });

    it('keeps only keyed hashes of client addresses, and prunes the counters of days before yesterday', async () => {
      const r = await seedTenant(t, 'H');
      const s = await createScanSetting(t, r, { scanType: 'title_only', allowedKinds: ['82'], preset: PRESET });
      const other = await createScanSetting(t, r, { scanType: 'title_only', allowedKinds: ['82'], preset: PRESET });
      expect((await submitStatic(t, s.key, '10.00', '192.0.2.77')).statusCode).toBe(303);
      expect((await submitStatic(t, other.key, '10.00', '192.0.2.77')).statusCode).toBe(303);
      const db = t.runtime.deps.db.kysely;
      const rows = async () =>
        db
          .selectFrom('scan_static_counters')
          .innerJoin('scan_settings', 'scan_settings.id', 'scan_static_counters.setting_id')
          .select(['scan_settings.key', 'scan_static_counters.subject', 'scan_static_counters.day_count'])
          .where('scan_settings.tenant_id', '=', r.tenantId)
          .orderBy('scan_settings.key')
          .execute();
      const stored = await rows();
      // Per setting: its own counter ('') and the client's.
      expect(stored).toHaveLength(4);
      const clients = stored.filter((row) => row.subject !== '');
      for (const row of clients) expect(row.subject).toMatch(/^[0-9a-f]{32}$/);
      expect(clients[0]!.subject).not.toBe(clients[1]!.subject);
      expect(stored.map((row) => Number(row.day_count))).toEqual([1, 1, 1, 1]);
      expect(JSON.stringify(stored)).not.toContain('192.0.2.77');
      // Three days later the day's first submission schedules the prune: only today's counters stay.
      t.clock.advance(3 * 86_400_000);
      expect((await submitStatic(t, s.key, '10.00', '192.0.2.78')).statusCode).toBe(303);
      for (let i = 0; i < 500 && (await rows()).length !== 2; i++) await new Promise((res) => setTimeout(res, 20));
      expect((await rows()).map((row) => row.key)).toEqual([s.key, s.key]);
    });

    it('stores limits on the setting: partial limits take the defaults, null resets them, bad values are 400', async () => {
      const r = await seedTenant(t, 'L');
      const s = await createScanSetting(t, r, { preset: PRESET, staticLimits: { settingPerDay: 50 } });
      expect(s.staticLimits).toMatchObject({ settingPerDay: 50, settingPerMinute: 20 });
      const patch = (body: unknown) =>
        t.app.inject({
          method: 'PATCH',
          url: `/api/v1/scan/settings/${s.key}`,
          headers: r.auth,
          payload: body as object,
        });
      const changed = await patch({ staticLimits: { amountPerDay: '800.50' }, requireConfirmation: true });
      expect(changed.json()).toMatchObject({
        staticLimits: { amountPerDay: '800.50', settingPerDay: 500 },
        requireConfirmation: true,
      });
      const reset = await patch({ staticLimits: null });
      expect(reset.json().staticLimits).toMatchObject({ amountPerDay: '50000.00' });
      expect(reset.json().requireConfirmation).toBe(true);
      for (const bad of [{ clientPerMinute: 0 }, { amountPerDay: '0.00' }, { amountPerDay: '1.5e3' }, { perHour: 1 }]) {
        const res = await patch({ staticLimits: bad });
        expect(res.statusCode, JSON.stringify(bad)).toBe(400);
        expect(errorOf(res).code).toBe('VALIDATION_FAILED');
      }
    });

    it("refuses a business-system code the tenant does not have (also another tenant's) with 422", async () => {
      const r = await seedTenant(t, 'B');
      const other = await seedTenant(t, 'O');
      expect((await post(t, other, '/api/v1/business-systems', { code: 'THEIRS', name: '别家' })).statusCode).toBe(201);
      for (const code of ['NOPE', 'THEIRS']) {
        const res = await post(t, r, '/api/v1/scan/settings', {
          sellerTaxId: r.sellerTaxId,
          businessSystemCode: code,
          scanType: 'issue',
          allowedKinds: ['82'],
          validityDays: 30,
        });
        expect(res.statusCode, res.body).toBe(422);
        expect(errorOf(res)).toMatchObject({
          code: 'SCAN_BUSINESS_SYSTEM_UNKNOWN',
          details: { businessSystemCode: code },
        });
      }
      const s = await createScanSetting(t, r);
      const patch = (code: string | null) =>
        t.app.inject({
          method: 'PATCH',
          url: `/api/v1/scan/settings/${s.key}`,
          headers: r.auth,
          payload: { businessSystemCode: code },
        });
      const refused = await patch('THEIRS');
      expect(refused.statusCode).toBe(422);
      expect(errorOf(refused).code).toBe('SCAN_BUSINESS_SYSTEM_UNKNOWN');
      expect((await post(t, r, '/api/v1/business-systems', { code: 'MINE', name: '自家' })).statusCode).toBe(201);
      expect((await patch('MINE')).json().businessSystemCode).toBe('MINE');
      expect((await patch(null)).json().businessSystemCode).toBeNull();
    });
  });

  describe.skipIf(dialect.skip)(`${dialect.name}: static scan link limits (no proxy)`, () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await buildTestApp(dialect, SCAN_ENV);
    });
    afterAll(async () => t?.close());

    it('ignores X-Forwarded-For without TRUST_PROXY: every post counts for the connecting address', async () => {
      const r = await seedTenant(t, 'N');
      const s = await createScanSetting(t, r, {
        scanType: 'title_only',
        allowedKinds: ['82'],
        preset: PRESET,
        staticLimits: { clientPerMinute: 2 },
      });
      const results = [
        await submitStatic(t, s.key, '10.00', '192.0.2.21'),
        await submitStatic(t, s.key, '10.00', '192.0.2.22'),
        await submitStatic(t, s.key, '10.00', '192.0.2.23'),
      ];
      expect(statuses(results)).toEqual([303, 303, 429]);
      expect((await get(t, r, '/api/v1/invoice-monitor')).json().exceptions).toMatchObject([
        { details: { limit: 'clientPerMinute' } },
      ]);
    });
  });
}
