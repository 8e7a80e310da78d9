import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CATERING } from '../invoicing/invoicing-kit.js';
import { describeBrowser } from '../scan/browser-kit.js';
import { type ConsoleHarness, HAS_CHROMIUM, startConsole } from './console-kit.js';

if (!HAS_CHROMIUM) console.warn('报销 console browser tests skipped: /usr/bin/chromium is not installed');

/** The 报销 pages (单据, 凭证) and the pool's 报销状态 in headless Chromium against a real server with the demo seed. */
describeBrowser('console 报销 pages in headless Chromium', () => {
  let h: ConsoleHarness;
  let context: BrowserContext;
  let page: Page;
  const WAIT = { timeout: 20_000 };
  /** The invoice the bill claims: issued by the demo seller on the sandbox, then entered as received. */
  let number = '';
  let issueDate = '';
  let invoiceId = '';
  const INVOICE_COLUMNS = ['发票号码', '票种', '开票日期', '销售方', '价税合计'];
  const headers = (testId: string) => page.getByTestId(testId).locator('thead th').allTextContents();

  beforeAll(async () => {
    h = await startConsole();
    // The entered invoice below has no buyer and no verification: with the default rules the compliance job blocks
    // it (BILL_INVOICE_BLOCKED) once it has run, whenever that is. This suite is about the 报销 pages, not the
    // rules: every rule only warns here.
    const rules = await h.api('GET', '/api/v1/received-rules');
    expect(rules.status, JSON.stringify(rules.json)).toBe(200);
    const warnOnly = Object.fromEntries(
      Object.entries(rules.json.rules as Record<string, object>).map(([name, rule]) => [
        name,
        { ...rule, level: 'warn' },
      ]),
    );
    const relaxed = await h.api('PUT', '/api/v1/received-rules', { rules: warnOnly });
    expect(relaxed.status, JSON.stringify(relaxed.json)).toBe(200);
    const system = await h.api('POST', '/api/v1/business-systems', { code: 'OA', name: '费控系统' });
    expect(system.status, JSON.stringify(system.json)).toBe(201);
    // An invoice the platform knows: its 查验 (which the server runs at once) finds it. An invoice it does not know
    // would come back 查无此票 and no bill may claim it (BILL_INVOICE_NOT_ON_PLATFORM) — a race this suite once lost.
    const serialNo = `BX-E2E-${Date.now().toString(36)}`;
    const issue = await h.api('POST', '/api/v1/invoices?wait=10', {
      serialNo,
      kind: '82',
      seller: { taxId: h.creds.sellerTaxId },
      buyer: { name: '北京测试科技有限公司', taxId: '91110000600037341L' },
      lines: [{ name: '工作餐', taxCode: CATERING, amount: '300.00', taxRate: '0.06' }],
    });
    expect([200, 202], JSON.stringify(issue.json)).toContain(issue.status);
    let blue = issue.json;
    for (let i = 0; blue.status !== 'issued' && i < 300; i++) {
      await new Promise((r) => setTimeout(r, 100));
      blue = (await h.api('GET', `/api/v1/invoices/${serialNo}`)).json;
    }
    expect(blue.status, JSON.stringify(blue)).toBe('issued');
    number = blue.number as string;
    issueDate = (blue.issuedAt as string).slice(0, 10);
    const entered = await h.api('POST', '/api/v1/received-invoices', {
      number,
      issueDate,
      total: (blue.totals as { total: string }).total,
    });
    expect(entered.status, JSON.stringify(entered.json)).toBe(201);
    invoiceId = (entered.json.items as Array<{ id: string }>)[0]!.id;
    const saved = await h.api('PUT', '/api/v1/bills/OA/bill-0001', {
      billNo: 'BX-2025-0001',
      status: 30,
      invoices: [{ invoiceId, amount: '300.00', remark: '差旅费' }],
    });
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    const voucher = await h.api('PUT', '/api/v1/vouchers/OA/v-0001', { vouchNo: '记-0001', billIds: ['bill-0001'] });
    expect(voucher.status, JSON.stringify(voucher.json)).toBe(200);
    ({ context, page } = await h.newPage());
  }, 180_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page)
      await h.shot(page, `failed-bills-${ctx.task.name.slice(0, 12)}`).catch(() => {});
  });
  afterAll(async () => {
    await context?.close();
    await h?.stop();
  });

  it('opens 单据 with a saved bill and sees its invoice; 凭证 and the pool show the booking', async () => {
    await h.login(page);
    await page.goto(`${h.baseUrl}/console/bills`);
    const rows = page.getByTestId('bills').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count(), WAIT).toBe(1);
    expect(await rows.first().textContent()).toContain('BX-2025-0001');
    expect(await rows.first().textContent()).toContain('在用');
    await rows.first().click();
    await expect.poll(() => page.getByTestId('bill-detail').isVisible(), WAIT).toBe(true);
    const invoices = page.getByTestId('bill-invoices');
    await expect.poll(() => invoices.textContent(), WAIT).toContain(number);
    expect((await headers('bill-invoices')).slice(0, 5)).toEqual(INVOICE_COLUMNS);
    expect(await invoices.textContent()).toContain('300.00');
    expect(await invoices.textContent()).toContain('记-0001');
    await h.shot(page, 'bill-detail');

    await page.getByRole('link', { name: '记-0001' }).click();
    await expect.poll(() => page.getByTestId('voucher-invoices').textContent(), WAIT).toContain(number);
    expect(await page.getByTestId('voucher-invoices').textContent()).toContain('BX-2025-0001');
    // Both invoice tables start with the same invoice columns (invoiceRefColumns), the voucher's with the date too.
    expect((await headers('voucher-invoices')).slice(0, 5)).toEqual(INVOICE_COLUMNS);
    expect(await page.getByTestId('voucher-invoices').textContent()).toContain(issueDate);

    // The lists' shared filters: 业务系统 and 发票 ID narrow the vouchers (and live in the URL).
    await page.goto(`${h.baseUrl}/console/vouchers?resource=ERP`);
    await expect.poll(() => page.getByTestId('vouchers').textContent(), WAIT).toContain('没有符合条件的凭证');
    await page.getByLabel('业务系统', { exact: true }).fill('OA');
    await page.getByLabel('发票 ID', { exact: true }).fill(invoiceId);
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.waitForURL(new RegExp(`resource=OA.*invoiceId=${invoiceId}|invoiceId=${invoiceId}.*resource=OA`));
    await expect.poll(() => page.getByTestId('vouchers').locator('tbody tr.ant-table-row').count(), WAIT).toBe(1);

    // The pool: the 报销状态 column and filter.
    await page.goto(`${h.baseUrl}/console/received/invoices?usage=booked`);
    const pool = page.getByTestId('received-invoices').locator('tbody tr.ant-table-row');
    await expect.poll(() => pool.count(), WAIT).toBe(1);
    expect(await pool.first().getByTestId('usage-tag').textContent()).toBe('已入账');
    await page.goto(`${h.baseUrl}/console/received/invoices?usage=unused`);
    await expect.poll(() => page.getByTestId('received-invoices').textContent(), WAIT).toContain('没有符合条件的发票');
  }, 120_000);
});
