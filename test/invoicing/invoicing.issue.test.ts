import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { BUYER_USCC, blueRequest, CATERING, get, nextSerial, post, waitForStatus } from './invoicing-kit.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: issuing blue invoices`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;

    beforeAll(async () => {
      t = await buildTestApp(dialect, {}, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
    });
    afterAll(async () => t?.close());

    it('issues a 数电普票 and answers with it when asked to wait', async () => {
      const req = blueRequest(a);
      const res = await post(t, a, '/api/v1/invoices?wait=10', req);
      expect(res.statusCode, res.body).toBe(200);
      const inv = res.json();
      expect(inv).toMatchObject({
        serialNo: req.serialNo,
        status: 'issued',
        origin: 'direct',
        kind: '82',
        kindName: '电子发票（普通发票）',
        number: expect.stringMatching(/^\d{20}$/),
        seller: { taxId: a.sellerTaxId, name: 'A 销方有限公司' },
        buyer: { name: '北京测试科技有限公司', taxId: BUYER_USCC, naturalPerson: false },
        totals: { amount: '2000.00', tax: '190.00', total: '2190.00', totalInWords: '贰仟壹佰玖拾圆整' },
        failure: null,
        red: null,
      });
      expect(inv.lines).toEqual([
        expect.objectContaining({
          lineNo: 1,
          name: '*餐饮服务*工作餐',
          amount: '1000.00',
          taxAmount: '60.00',
          taxRateLabel: '6%',
        }),
        expect.objectContaining({
          lineNo: 2,
          name: '*有色金属冶炼压延品*铝锭',
          quantity: '2',
          unitPrice: '500',
          taxAmount: '130.00',
        }),
      ]);
      expect(inv.issuedAt).toMatch(/\+08:00$/);
    });

    it('records a direct request as direct, whatever its serial number (S- is no scan order)', async () => {
      const req = blueRequest(a, { serialNo: nextSerial('S-') });
      const res = await post(t, a, '/api/v1/invoices?wait=5', req);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ serialNo: req.serialNo, status: 'issued', origin: 'direct' });
    });

    it('accepts without waiting (202) and issues in the background', async () => {
      const req = blueRequest(a);
      const res = await post(t, a, '/api/v1/invoices', req);
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ serialNo: req.serialNo, status: 'pending' });
      const inv = await waitForStatus(t, a, req.serialNo, (s) => s === 'issued');
      expect(inv.number).toMatch(/^\d{20}$/);
    });

    it('is idempotent by serialNo: same payload → same invoice, other payload → 409', async () => {
      const req = blueRequest(a);
      const first = (await post(t, a, '/api/v1/invoices?wait=10', req)).json();
      const again = await post(t, a, '/api/v1/invoices?wait=10', req);
      expect(again.statusCode).toBe(200);
      expect(again.json().number).toBe(first.number);
      const changed = await post(t, a, '/api/v1/invoices', { ...req, remark: '不同的内容' });
      expect(changed.statusCode).toBe(409);
      expect(errorOf(changed).code).toBe('IDEMPOTENCY_CONFLICT');
    });

    it('turns fifty concurrent identical requests into one invoice', async () => {
      const req = blueRequest(a);
      const answers = await Promise.all(Array.from({ length: 50 }, () => post(t, a, '/api/v1/invoices?wait=10', req)));
      expect(answers.map((r) => r.statusCode).filter((c) => c !== 200 && c !== 202)).toEqual([]);
      const inv = await waitForStatus(t, a, req.serialNo, (s) => s === 'issued');
      const db = t.runtime.deps.db.kysely;
      const rows = await db.selectFrom('invoices').select('id').where('serial_no', '=', req.serialNo).execute();
      expect(rows).toHaveLength(1);
      const ledger = await db
        .selectFrom('sandbox_ledger')
        .select('number')
        .where('request_id', 'like', `${rows[0]!.id}%`)
        .execute();
      expect(ledger.map((l) => l.number)).toEqual([inv.number]);
    });

    it('refuses totals that do not match the lines, naming the expected values', async () => {
      const res = await post(
        t,
        a,
        '/api/v1/invoices',
        blueRequest(a, { totals: { amount: '2000.00', tax: '190.00', total: '2191.00' } }),
      );
      expect(res.statusCode).toBe(422);
      const err = errorOf(res);
      expect(err.code).toBe('TOTAL_MISMATCH');
      expect(JSON.stringify(err.details)).toContain('2190.00');
    });

    it('requires the buyer tax id on a 专票', async () => {
      const res = await post(
        t,
        a,
        '/api/v1/invoices',
        blueRequest(a, { kind: '81', buyer: { name: '上海某某有限公司' } }),
      );
      expect(res.statusCode).toBe(422);
      expect(errorOf(res).code).toBe('BUYER_TAX_ID_REQUIRED');
    });

    it('refuses a buyer tax id with a wrong USCC check character', async () => {
      const res = await post(
        t,
        a,
        '/api/v1/invoices',
        blueRequest(a, { buyer: { name: '北京测试科技有限公司', taxId: '91110000600037341A' } }),
      );
      expect(res.statusCode).toBe(422);
      expect(errorOf(res)).toMatchObject({ code: 'BUYER_TAX_ID_INVALID' });
    });

    it('refuses a seller that is not an org of the tenant', async () => {
      const res = await post(t, a, '/api/v1/invoices', blueRequest(a, { seller: { taxId: b.sellerTaxId } }));
      expect(res.statusCode).toBe(422);
      expect(errorOf(res).code).toBe('SELLER_NOT_FOUND');
    });

    const ruleCases: [string, Record<string, unknown>, string, string][] = [
      ['unknown kind', { kind: '99' }, 'VALIDATION_FAILED', '/body/kind'],
      [
        'amount as a JSON number',
        { lines: [{ name: 'x', taxCode: CATERING, amount: 100, taxRate: '0.06' }] },
        'VALIDATION_FAILED',
        '/body/lines/0/amount',
      ],
      [
        'rate written as a percentage',
        { lines: [{ name: '餐', taxCode: CATERING, amount: '100.00', taxRate: '6%' }] },
        'TAX_RATE_FORMAT_INVALID',
        '/lines/0/taxRate',
      ],
      [
        'rate not allowed',
        { lines: [{ name: '餐', taxCode: CATERING, amount: '100.00', taxRate: '0.07' }] },
        'TAX_RATE_NOT_ALLOWED',
        '/lines/0/taxRate',
      ],
      [
        'unknown tax code',
        { lines: [{ name: '餐', taxCode: '3070401999999999999', amount: '100.00', taxRate: '0.06' }] },
        'TAX_CODE_UNKNOWN',
        '/lines/0/taxCode',
      ],
      [
        'malformed tax code',
        { lines: [{ name: '餐', taxCode: '30704', amount: '100.00', taxRate: '0.06' }] },
        'TAX_CODE_INVALID',
        '/lines/0/taxCode',
      ],
      [
        'three decimals on an amount',
        { lines: [{ name: '餐', taxCode: CATERING, amount: '100.001', taxRate: '0.06' }] },
        'PRECISION_EXCEEDED',
        '/lines/0/amount',
      ],
      [
        'tax out of tolerance',
        { lines: [{ name: '餐', taxCode: CATERING, amount: '100.00', taxRate: '0.06', taxAmount: '6.50' }] },
        'LINE_TAX_OUT_OF_TOLERANCE',
        '/lines/0/taxAmount',
      ],
      [
        'quantity × price ≠ amount',
        {
          lines: [{ name: '铝', taxCode: CATERING, quantity: '3', unitPrice: '10', amount: '31.00', taxRate: '0.06' }],
        },
        'LINE_AMOUNT_INCONSISTENT',
        '/lines/0/amount',
      ],
      [
        'negative amount on a blue invoice',
        { lines: [{ name: '餐', taxCode: CATERING, amount: '-100.00', taxRate: '0.06' }] },
        'LINE_AMOUNT_SIGN_INVALID',
        '/lines/0/amount',
      ],
      [
        'discount line first',
        { lines: [{ name: '折扣', taxCode: CATERING, amount: '-10.00', taxRate: '0.06', lineNature: 'discount' }] },
        'DISCOUNT_LINE_MISPLACED',
        '/lines/0/lineNature',
      ],
    ];
    for (const [what, override, code, path] of ruleCases) {
      it(`refuses ${what} with ${code}`, async () => {
        const res = await post(t, a, '/api/v1/invoices', blueRequest(a, override));
        expect(res.statusCode, res.body).toBe(code === 'VALIDATION_FAILED' ? 400 : 422);
        const err = errorOf(res);
        expect(err.code).toBe(code);
        const paths = JSON.stringify(err.details);
        expect(paths).toContain(path);
        expect(err.message).toMatch(/[\u4e00-\u9fa5]/);
      });
    }

    it('lists the pool with filters, cursor pages and a CSV export', async () => {
      const tag = nextSerial('POOL');
      for (let i = 0; i < 3; i++) {
        await post(
          t,
          a,
          '/api/v1/invoices?wait=10',
          blueRequest(a, { serialNo: `${tag}-${i}`, buyer: { name: `${tag} 买方${i}有限公司`, taxId: BUYER_USCC } }),
        );
      }
      const first = (await get(t, a, `/api/v1/invoices?buyerName=${encodeURIComponent(tag)}&limit=2`)).json();
      expect(first.items.map((i: { serialNo: string }) => i.serialNo)).toEqual([`${tag}-2`, `${tag}-1`]);
      const second = (
        await get(t, a, `/api/v1/invoices?buyerName=${encodeURIComponent(tag)}&limit=2&cursor=${first.nextCursor}`)
      ).json();
      expect(second.items.map((i: { serialNo: string }) => i.serialNo)).toEqual([`${tag}-0`]);
      expect(second.nextCursor).toBeNull();
      const byStatus = (
        await get(
          t,
          a,
          `/api/v1/invoices?status=issued&totalMin=2190&totalMax=2190.00&buyerName=${encodeURIComponent(tag)}`,
        )
      ).json();
      expect(byStatus.items).toHaveLength(3);
      const none = (await get(t, a, `/api/v1/invoices?status=failed&buyerName=${encodeURIComponent(tag)}`)).json();
      expect(none.items).toHaveLength(0);
      const csv = await get(t, a, `/api/v1/invoices?format=csv&buyerName=${encodeURIComponent(tag)}`);
      expect(csv.headers['content-type']).toContain('text/csv');
      const rows = csv.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(rows[0]).toContain('发票号码');
      expect(rows).toHaveLength(4);
      expect(rows[1]).toContain('"2190.00"');
    });

    it('keeps tenants apart: B sees none of A’s invoices', async () => {
      const req = blueRequest(a);
      await post(t, a, '/api/v1/invoices?wait=10', req);
      const res = await get(t, b, `/api/v1/invoices/${req.serialNo}`);
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).code).toBe('INVOICE_NOT_FOUND');
      expect((await get(t, b, '/api/v1/invoices')).json().items).toEqual([]);
      const sameSerial = await post(t, b, '/api/v1/invoices?wait=10', { ...blueRequest(b), serialNo: req.serialNo });
      expect(sameSerial.statusCode).toBe(200);
      expect(sameSerial.json().seller.taxId).toBe(b.sellerTaxId);
      expect((await post(t, b, `/api/v1/invoices/${req.serialNo}/cancel`)).statusCode).toBe(409);
      expect((await get(t, a, `/api/v1/invoices/${req.serialNo}`)).json().status).toBe('issued');
      void nextSerial;
    });
  });
}
