import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CATERING, METALS } from '../invoicing/invoicing-kit.js';
import { describeBrowser } from '../scan/browser-kit.js';
import { type ConsoleHarness, HAS_CHROMIUM, startConsole } from './console-kit.js';

if (!HAS_CHROMIUM) console.warn('console browser tests skipped: /usr/bin/chromium is not installed');

/** The console as a user meets it: the built app, served by the real server, in headless Chromium at 1440×900. */
describeBrowser('console in headless Chromium', () => {
  let h: ConsoleHarness;
  let context: BrowserContext;
  let page: Page;
  let baseUrl = '';
  let creds: ConsoleHarness['creds'];
  const buyer = `控制台测试${Date.now().toString(36)}有限公司`;
  const shot = (name: string) => h.shot(page, name);
  const api = (method: string, url: string, body?: unknown) => h.api(method, url, body);

  beforeAll(async () => {
    h = await startConsole();
    ({ baseUrl, creds } = h);
    // Something to show: three invoices through the API today, one of them reversed.
    for (const [i, amount] of ['1000.00', '2500.00', '380.00'].entries()) {
      const res = await api('POST', '/api/v1/invoices?wait=10', {
        serialNo: `API-SEED-${i}-${Date.now().toString(36)}`,
        kind: i === 1 ? '81' : '82',
        seller: { taxId: creds.sellerTaxId },
        buyer: { name: '北京测试科技有限公司', taxId: '91110000600037341L' },
        lines: [
          { name: '工作餐', taxCode: CATERING, amount, taxRate: '0.06' },
          { name: '铝锭', taxCode: METALS, quantity: '2', unitPrice: '50', amount: '100.00', taxRate: '0.13' },
        ],
      });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      if (i === 2) {
        const red = await api('POST', `/api/v1/invoices/${res.json.serialNo}/red?wait=10`, {
          redSerialNo: `API-RED-${Date.now().toString(36)}`,
          reason: '01',
        });
        expect(red.status).toBe(200);
      }
    }
    ({ context, page } = await h.newPage());
  }, 120_000);
  afterEach(async (ctx) => {
    // What the page showed when a step failed.
    if (ctx.task.result?.state === 'fail' && page) await shot(`failed-${ctx.task.name.slice(0, 12)}`).catch(() => {});
  });
  afterAll(async () => {
    await context?.close();
    await h?.stop();
  });

  it('sends a visitor to 登录, refuses a wrong password, logs in and returns to the page asked for', async () => {
    await page.goto(`${baseUrl}/console/invoices?kind=82`);
    await page.waitForURL(/\/console\/login\?next=/);
    await expect.poll(() => page.getByRole('button', { name: /登\s*录/ }).isVisible()).toBe(true);
    await page.getByPlaceholder('用户名').fill(creds.adminUser);
    await page.getByPlaceholder('密码').fill('wrong-password');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('用户名或密码不正确');
    await shot('login');
    await page.getByPlaceholder('密码').fill(creds.adminPassword);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL(/\/console\/invoices\?kind=82$/);
    await expect.poll(() => page.getByTestId('invoice-table').locator('tbody tr').count()).toBeGreaterThan(0);
  });

  it('工作台 shows today’s numbers, the trend chart and links to the list behind each number', async () => {
    await page.goto(`${baseUrl}/console/`);
    const count = page.getByTestId('figure-开具张数').first();
    // Today: three blue invoices (two 82, one 81) and one red.
    await expect.poll(() => count.textContent()).toContain('3');
    expect(await page.getByTestId('figure-价税合计').first().textContent()).toContain('4,451.80');
    expect(await page.getByTestId('figure-红字张数').textContent()).toContain('1');
    await expect.poll(() => page.getByTestId('trend-chart').locator('canvas').count()).toBeGreaterThan(0);
    await page.waitForTimeout(600); // the chart's entry animation, for the screenshot
    await shot('dashboard');
    await page.getByTestId('figure-红字张数').click();
    await page.waitForURL(/\/console\/invoices\?isRed=true&issuedFrom=/);
    await expect.poll(() => page.getByTestId('invoice-table').locator('tbody tr.ant-table-row').count()).toBe(1);
  });

  it('开具发票 computes totals with src/tax as the user types, with a discount line, and issues', async () => {
    await page.goto(`${baseUrl}/console/invoices/issue`);
    // The empty form already shows what src/tax refuses, as the server would.
    await expect.poll(() => page.getByTestId('violations').textContent()).toContain('购买方名称');
    await page.getByTestId('buyer-name').fill(buyer);
    await page.locator('#issue_buyer_taxId').fill('91110000600037341L');
    // Tax code by name: picking 餐饮服务 fills the code, the name and its 6 % rate.
    await page.locator('#issue_lines_0_taxCode').fill('餐饮');
    await page.getByText(/3070401000000000000 \*餐饮服务\*/).click();
    await expect.poll(() => page.locator('#issue_lines_0_name').inputValue()).toBe('餐饮服务');
    await page.locator('#issue_lines_0_amount').fill('1000.00');
    await expect.poll(() => page.getByTestId('total-total').textContent()).toBe('¥1,060.00');
    // The new discount line is a discount row from its first render: were it first drawn as a normal line (项目名称
    // and all) and swapped a moment later, what the user typed into it in between would be lost (a CI run did so).
    await page.evaluate(`window.normalLine1Drawn = false;
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.addedNodes)
            if (n instanceof Element && (n.id === 'issue_lines_1_name' || n.querySelector('#issue_lines_1_name')))
              window.normalLine1Drawn = true;
      }).observe(document.body, { childList: true, subtree: true });`);
    await page.getByTestId('add-discount-0').click();
    await expect.poll(() => page.getByTestId('line-1').textContent()).toContain('折扣行');
    expect(await page.evaluate('window.normalLine1Drawn')).toBe(false);
    await page.locator('#issue_lines_1_amount').fill('100.00');
    // The whole 合计 card, so that a failure shows the violations listed there.
    await expect.poll(() => page.getByTestId('totals').textContent()).toContain('合计金额¥900.00');
    expect(await page.getByTestId('total-tax').textContent()).toBe('¥54.00');
    expect(await page.getByTestId('total-total').textContent()).toBe('¥954.00');
    expect(await page.getByTestId('violations').count()).toBe(0);
    await shot('issue');
    await page.getByRole('button', { name: '开具发票' }).click();
    await expect.poll(() => page.getByText('发票已开具').isVisible(), { timeout: 15_000 }).toBe(true);
  });

  it('销项发票 finds the new invoice with a filter kept in the URL, and its drawer shows it', async () => {
    await page.goto(`${baseUrl}/console/invoices`);
    await page.locator('#buyerName').fill(buyer);
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.waitForURL(/buyerName=/);
    expect(decodeURIComponent(page.url())).toContain(`buyerName=${buyer}`);
    const rows = page.getByTestId('invoice-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('954.00');
    await shot('invoices');
    await rows.first().click();
    const drawer = page.locator('.invoice-drawer');
    await expect.poll(() => drawer.getByText(buyer).first().isVisible()).toBe(true);
    expect(await drawer.textContent()).toContain('折扣');
    expect(await drawer.textContent()).toContain('玖佰伍拾肆圆整');
    expect(await drawer.locator('a[href$="/files/pdf"]').count()).toBe(1);
    await shot('invoice-drawer');
    // The PDF preview frames the authenticated download (cookie session, same origin, frame-src 'self').
    await drawer.getByRole('tab', { name: 'PDF 预览' }).click();
    const src = await drawer.locator('iframe').getAttribute('src');
    const pdf = await page.request.get(`${baseUrl}${src}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
  });

  it('logs out from the user menu', async () => {
    await page.keyboard.press('Escape');
    await page.getByTestId('user-menu').hover();
    await page.getByText('退出登录').click();
    await page.waitForURL(/\/console\/login/);
    const res = await page.request.get(`${baseUrl}/api/v1/session`);
    expect(res.status()).toBe(401);
  });

  it('reported no Content Security Policy violation on any page', () => {
    expect(h.cspViolations).toEqual([]);
  });
});
