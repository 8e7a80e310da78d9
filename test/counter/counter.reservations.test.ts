import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/modules/orgs/index.js';
import { bindSandboxSeller } from '../../src/sandbox-binding.js';
import {
  buildTestApp,
  errorOf,
  makeUscc,
  refreshToken,
  type SeededTenant,
  seedTenant,
  type TestApp,
} from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { waitFor, waitForValue } from '../helpers/wait.js';
import { CATERING } from '../invoicing/invoicing-kit.js';
import { COMPANY_TITLE, COUNTER_ENV, createQr, get, patch, phone, post, reserve } from './counter-kit.js';

interface View {
  id: string;
  seqNo: number;
  status: string;
  mobile: string | null;
  email: string | null;
  buyer: { name: string; taxId?: string };
  entry: { amount?: string; remarks: { label: string; value: string }[] };
  suggestedLines: unknown[] | null;
  total: string | null;
  invoice: { serialNo: string; status: string; number: string | null } | null;
  rejectReason: string | null;
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`预约二维码 (${dialect.name})`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect, COUNTER_ENV, undefined, { worker: true });
      a = await seedTenant(t, 'counter-a');
      b = await seedTenant(t, 'counter-b');
    });
    afterAll(() => t?.close());

    const list = async (who: SeededTenant, q = '') =>
      (await get(t, who, `/api/v1/counter/reservations?q=${encodeURIComponent(q)}`)).json<{ items: View[] }>().items;

    it('creates a QR with its configuration, images and poster; another tenant gets 404', async () => {
      const qr = await createQr(t, a, { fixedAmount: null, expiryHours: 48 });
      expect(qr.url).toMatch(/\/r\/[0-9A-Za-z]{11}$/);
      expect(qr.config).toMatchObject({ entryMode: 'amount', expiryHours: 48, allowedKinds: ['82', '81'] });
      expect(qr.limits).toEqual({ clientPerMinute: 3, clientPerDay: 20, qrPerMinute: 30, qrPerDay: 2000 });
      const png = await t.app.inject({ method: 'GET', url: `/r/${qr.key}/qr.png` });
      expect(png.headers['content-type']).toBe('image/png');
      const svg = await t.app.inject({ method: 'GET', url: `/r/${qr.key}/qr.svg` });
      expect(svg.body).toContain('<svg');
      const poster = await get(t, a, `/api/v1/counter/reservation-qrs/${qr.key}/poster.pdf?size=a5`);
      expect(poster.headers['content-type']).toBe('application/pdf');
      expect(poster.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      expect((await get(t, b, `/api/v1/counter/reservation-qrs/${qr.key}`)).statusCode).toBe(404);
      expect((await get(t, b, `/api/v1/counter/reservation-qrs/${qr.key}/poster.pdf`)).statusCode).toBe(404);
      expect((await patch(t, b, `/api/v1/counter/reservation-qrs/${qr.key}`, { enabled: false })).statusCode).toBe(404);
      const listed = (await get(t, b, '/api/v1/counter/reservation-qrs')).json<{ items: { key: string }[] }>().items;
      expect(listed.map((q) => q.key)).not.toContain(qr.key);
    });

    it('takes a reservation with its title, contacts and fields; 序号 counts per org per day', async () => {
      const qr = await createQr(t, a);
      const page = await phone(t).open(`/r/${qr.key}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('预约开票');
      expect(page.body).toContain('桌号');
      expect(page.body).toContain(`data-suggest="/r/${qr.key}/titles"`);
      const first = await reserve(t, qr.key, {}, '198.51.100.1');
      const second = await reserve(
        t,
        qr.key,
        { name: '上海第二测试有限公司', taxId: makeUscc('91310000MA1FL1MM0') },
        '198.51.100.2',
      );
      expect(second.seqNo).toBe(first.seqNo + 1);
      const status = await t.app.inject({ method: 'GET', url: `/r/t/${first.token}` });
      expect(status.body).toContain('已预约，等待开票');
      expect(status.body).toContain(COMPANY_TITLE.name);
      const [latest] = await list(a);
      expect(latest).toMatchObject({
        seqNo: second.seqNo,
        status: 'submitted',
        mobile: '13800138000',
        email: 'buyer@example.com',
        entry: { amount: '106.00', remarks: [{ label: '桌号', value: 'A12' }] },
      });
      expect(latest!.suggestedLines).toEqual([
        { name: '餐费', taxCode: CATERING, taxRate: '0.06', amount: '106.00', priceIncludesTax: true },
      ]);
    });

    it('序号 is per seller org: a second org of the same tenant starts at 1', async () => {
      const taxId = makeUscc('91310115MA1K4Q9X0');
      await createOrg({ db: t.runtime.deps.db.kysely, clock: t.clock }, a.tenantId, { taxId, name: '二号店有限公司' });
      await bindSandboxSeller(t.runtime.deps, a.tenantId, taxId);
      const first = await createQr(t, a);
      await reserve(t, first.key, {}, '198.51.100.90');
      const res = await post(t, a, '/api/v1/counter/reservation-qrs', { sellerTaxId: taxId, name: '二号店' });
      expect(res.statusCode, res.body).toBe(201);
      const second = await reserve(t, res.json<{ key: string }>().key, {}, '198.51.100.91');
      expect(second.seqNo).toBe(1);
    });

    it('refuses a form without contacts, a missing required field or a bad tax id, writing nothing', async () => {
      const qr = await createQr(t, a);
      const p = phone(t, '198.51.100.9');
      const { mobile: _m, email: _e, ...noContacts } = COMPANY_TITLE;
      const res = await p.submit(`/r/${qr.key}`, { ...noContacts, amount: '10.00', remark0: 'x' });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('请留下手机号或邮箱');
      const missing = await p.submit(`/r/${qr.key}`, { ...COMPANY_TITLE, amount: '10.00' });
      expect(missing.statusCode).toBe(422);
      expect(missing.body).toContain('请填写桌号');
      const badTax = await p.submit(`/r/${qr.key}`, {
        ...COMPANY_TITLE,
        taxId: '91110000600037341X',
        amount: '1',
        remark0: 'x',
      });
      expect(badTax.statusCode).toBe(422);
      expect(badTax.body).toContain('纳税人识别号');
      const qrRows = (await get(t, a, `/api/v1/counter/reservations?qrKey=${qr.key}`)).json<{ items: View[] }>();
      expect(qrRows.items).toEqual([]);
    });

    it('hostile input: over-long fields are refused as form errors, an over-large body with 413, never a 500', async () => {
      const qr = await createQr(t, a, { entryMode: 'quantity_price' });
      const p = phone(t, '198.51.100.80');
      const long = await p.submit(`/r/${qr.key}`, {
        ...COMPANY_TITLE,
        quantity: '9'.repeat(2000),
        unitPrice: '1e400',
        remark0: '房'.repeat(600),
      });
      expect(long.statusCode).toBe(422);
      expect(long.body).toContain('请填写数量');
      expect(long.body).not.toContain('9'.repeat(100));
      const huge = await t.app.inject({
        method: 'POST',
        url: `/r/${qr.key}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `name=${'x'.repeat(40_000)}`,
      });
      expect(huge.statusCode).toBe(413);
      const tooMuch = await p.submit(`/r/${qr.key}`, {
        ...COMPANY_TITLE,
        quantity: '1000',
        unitPrice: '99999.99',
        remark0: 'x',
      });
      expect(tooMuch.statusCode).toBe(422);
      expect(tooMuch.body).toContain('金额过大');
      const ok = await p.submit(`/r/${qr.key}`, { ...COMPANY_TITLE, quantity: '2', unitPrice: '318.00', remark0: 'x' });
      expect(ok.statusCode).toBe(303);
      const [view] = (await get(t, a, `/api/v1/counter/reservations?qrKey=${qr.key}`)).json<{ items: View[] }>().items;
      expect(view!.suggestedLines).toEqual([
        {
          name: '餐费',
          taxCode: CATERING,
          taxRate: '0.06',
          amount: '636',
          priceIncludesTax: true,
          quantity: '2',
          unitPrice: '318.00',
        },
      ]);
    });

    it('finds a reservation by 序号, phone, e-mail and buyer name; never another tenant’s', async () => {
      const qr = await createQr(t, a);
      const name = '杭州搜索专用测试有限公司';
      const r = await reserve(
        t,
        qr.key,
        { name, mobile: '13911112222', email: 'find.me@example.com' },
        '198.51.100.20',
      );
      const ids = async (q: string) => (await list(a, q)).map((v) => v.buyer.name);
      expect(await ids(String(r.seqNo))).toContain(name);
      expect(await ids('13911112222')).toEqual([name]);
      expect(await ids('FIND.me@example.com')).toEqual([name]);
      expect(await ids('搜索专用')).toEqual([name]);
      expect(await ids('100%_')).toEqual([]);
      expect((await list(b, '13911112222')).length).toBe(0);
      expect((await list(b, '搜索专用')).length).toBe(0);
    });

    it('issues exactly once through invoicing; the status page then shows the invoice and the pickup code', async () => {
      const qr = await createQr(t, a);
      const r = await reserve(t, qr.key, { mobile: '13700001111' }, '198.51.100.30');
      const [view] = await list(a, '13700001111');
      expect((await post(t, b, `/api/v1/counter/reservations/${view!.id}/issue`, {})).statusCode).toBe(404);
      const [one, two] = await Promise.all([
        post(t, a, `/api/v1/counter/reservations/${view!.id}/issue`, {}),
        post(t, a, `/api/v1/counter/reservations/${view!.id}/issue`, {}),
      ]);
      expect([one.statusCode, two.statusCode]).toEqual([200, 200]);
      const serialNo = one.json<View>().invoice?.serialNo ?? two.json<View>().invoice!.serialNo;
      expect(serialNo).toMatch(/^R-/);
      const done = await waitForValue('the reservation invoiced', async () => {
        const v = (await get(t, a, `/api/v1/counter/reservations/${view!.id}`)).json<View>();
        return v.status === 'invoiced' ? v : undefined;
      });
      expect(done.total).toBe('106.00');
      expect(done.invoice).toMatchObject({ serialNo, status: 'issued' });
      const invoices = (await get(t, a, `/api/v1/invoices?origin=counter_reservation`)).json<{
        items: { serialNo: string }[];
      }>();
      expect(invoices.items.filter((i) => i.serialNo === serialNo)).toHaveLength(1);
      // Issuing again changes nothing.
      const again = await post(t, a, `/api/v1/counter/reservations/${view!.id}/issue`, {});
      expect(again.json<View>().invoice?.serialNo).toBe(serialNo);
      const page = await t.app.inject({ method: 'GET', url: `/r/t/${r.token}` });
      expect(page.body).toContain('已开具');
      expect(page.body).toContain(done.invoice!.number!);
      expect(page.body).toMatch(/下载 PDF/);
      expect(page.body).toMatch(/id="pickup-code">[2-9A-HJ-NP-Z]{8}</);
      // The invoice went to the consumer's contacts: the request carries them.
      const deliveries = await waitForValue('both deliveries', async () => {
        const { items } = (await get(t, a, `/api/v1/invoices/${serialNo}/deliveries`)).json<{
          items: Record<string, unknown>[];
        }>();
        return items.length >= 2 ? items : undefined;
      });
      expect(deliveries.map((d) => d.channel).sort()).toEqual(['email', 'sms']);
      expect((await post(t, a, `/api/v1/counter/reservations/${view!.id}/reject`, { reason: '晚了' })).statusCode).toBe(
        409,
      );
    });

    it('issues with lines the clerk completes; tax rule failures answer 422 and leave it submitted', async () => {
      const qr = await createQr(t, a, { items: [], entryMode: 'none', remarkFields: [] });
      await reserve(t, qr.key, { mobile: '13600002222' }, '198.51.100.40');
      const [view] = await list(a, '13600002222');
      expect(view!.suggestedLines).toBeNull();
      const none = await post(t, a, `/api/v1/counter/reservations/${view!.id}/issue`, {});
      expect(none.statusCode).toBe(422);
      expect(errorOf(none).code).toBe('RESERVATION_LINES_REQUIRED');
      const bad = await post(t, a, `/api/v1/counter/reservations/${view!.id}/issue`, {
        lines: [{ name: '住宿费', taxCode: '3070402000000000000', amount: '300.00', taxRate: '0.5' }],
      });
      expect(bad.statusCode).toBe(422);
      expect((await get(t, a, `/api/v1/counter/reservations/${view!.id}`)).json<View>().status).toBe('submitted');
      const ok = await post(t, a, `/api/v1/counter/reservations/${view!.id}/issue`, {
        lines: [
          { name: '住宿费', taxCode: '3070402000000000000', amount: '318.00', taxRate: '0.06', priceIncludesTax: true },
        ],
        remark: '房号 808',
      });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json<View>().total).toBe('318.00');
    });

    it('rejects with a reason the consumer sees; expires after the configured time', async () => {
      const qr = await createQr(t, a, { expiryHours: 2 });
      const rejected = await reserve(t, qr.key, { mobile: '13500003333' }, '198.51.100.50');
      const [view] = await list(a, '13500003333');
      expect((await post(t, b, `/api/v1/counter/reservations/${view!.id}/reject`, { reason: 'x' })).statusCode).toBe(
        404,
      );
      const res = await post(t, a, `/api/v1/counter/reservations/${view!.id}/reject`, {
        reason: '请到前台开具纸质发票',
      });
      expect(res.json<View>()).toMatchObject({ status: 'rejected', rejectReason: '请到前台开具纸质发票' });
      const page = await t.app.inject({ method: 'GET', url: `/r/t/${rejected.token}` });
      expect(page.body).toContain('请到前台开具纸质发票');
      expect((await post(t, a, `/api/v1/counter/reservations/${view!.id}/issue`, {})).statusCode).toBe(409);

      const expiring = await reserve(t, qr.key, { mobile: '13500004444' }, '198.51.100.51');
      const [ev] = await list(a, '13500004444');
      t.clock.advance(2 * 3600_000 + 1000);
      // New access tokens: the manual clock jumped past the old ones' lifetime.
      await refreshToken(t, a);
      await refreshToken(t, b);
      t.runtime.deps.jobs.notify();
      await waitFor(
        'the reservation expired',
        async () => (await get(t, a, `/api/v1/counter/reservations/${ev!.id}`)).json<View>().status === 'expired',
      );
      const expiredPage = await t.app.inject({ method: 'GET', url: `/r/t/${expiring.token}` });
      expect(expiredPage.body).toContain('预约已过期');
      expect((await post(t, a, `/api/v1/counter/reservations/${ev!.id}/issue`, {})).statusCode).toBe(409);
    });

    it('limits submissions per client and per QR (429, nothing written)', async () => {
      const qr = await createQr(t, a, {}, { limits: { clientPerMinute: 2, qrPerMinute: 3 } });
      await reserve(t, qr.key, {}, '203.0.113.1');
      await reserve(t, qr.key, {}, '203.0.113.1');
      const third = await phone(t, '203.0.113.1').submit(`/r/${qr.key}`, {
        ...COMPANY_TITLE,
        amount: '1.00',
        remark0: 'x',
      });
      expect(third.statusCode).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect(third.body).toContain('COUNTER_RATE_LIMITED');
      await reserve(t, qr.key, {}, '203.0.113.2');
      const overQr = await phone(t, '203.0.113.3').submit(`/r/${qr.key}`, {
        ...COMPANY_TITLE,
        amount: '1.00',
        remark0: 'x',
      });
      expect(overQr.statusCode).toBe(429);
      const rows = (await get(t, a, `/api/v1/counter/reservations?qrKey=${qr.key}`)).json<{ items: View[] }>();
      expect(rows.items).toHaveLength(3);
      t.clock.advance(60_000);
      await reserve(t, qr.key, {}, '203.0.113.3');
    });

    it('shows a status page only to its token; another consumer’s or a made-up token is refused', async () => {
      const qr = await createQr(t, a);
      const mine = await reserve(t, qr.key, { name: '甲方私密测试有限公司' }, '198.51.100.60');
      const theirs = await reserve(t, qr.key, { name: '乙方私密测试有限公司' }, '198.51.100.61');
      const page = await t.app.inject({ method: 'GET', url: `/r/t/${mine.token}` });
      expect(page.body).toContain('甲方私密测试有限公司');
      expect(page.body).not.toContain('乙方私密测试有限公司');
      const forged = `${theirs.token.slice(0, 16)}${theirs.token.endsWith('A') ? 'B' : 'A'}`;
      const refused = await t.app.inject({ method: 'GET', url: `/r/t/${forged}` });
      expect(refused.statusCode).toBe(404);
      expect(refused.body).not.toContain('乙方私密测试有限公司');
      const json = await t.app.inject({ method: 'GET', url: `/r/t/${forged}/status.json` });
      expect(json.statusCode).toBe(404);
      expect(json.json<{ error: { code: string } }>().error.code).toBe('COUNTER_LINK_INVALID');
      // A disabled QR takes nothing.
      await patch(t, a, `/api/v1/counter/reservation-qrs/${qr.key}`, { enabled: false });
      expect((await t.app.inject({ method: 'GET', url: `/r/${qr.key}` })).statusCode).toBe(409);
    });

    it('the clerk page waits for changes: ?wait answers once a reservation arrives', async () => {
      const qr = await createQr(t, a);
      const { version } = (await get(t, a, '/api/v1/counter/reservations/changes')).json<{ version: number }>();
      const waiting = get(t, a, `/api/v1/counter/reservations/changes?after=${version}&wait=20`);
      t.clock.advance(1000);
      await reserve(t, qr.key, {}, '198.51.100.70');
      const woke = (await waiting).json<{ version: number }>();
      expect(woke.version).toBeGreaterThan(version);
      // A second reservation in the same millisecond (the test clock stands still) is a new version too.
      const again = get(t, a, `/api/v1/counter/reservations/changes?after=${woke.version}&wait=20`);
      await reserve(t, qr.key, {}, '198.51.100.71');
      expect((await again).json<{ version: number }>().version).toBeGreaterThan(woke.version);
      // Another tenant's version does not move with it (so its waiters have nothing to wake for).
      const other = (await get(t, b, '/api/v1/counter/reservations/changes')).json<{ version: number }>();
      expect(other.version).toBe(0);
    });
  });
}
