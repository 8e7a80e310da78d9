import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ConsoleHarness, SHOTS, startConsole } from '../console/console-kit.js';
import { HAS_POPPLER, pdfText } from '../helpers/pdf-kit.js';
import { CATERING } from '../invoicing/invoicing-kit.js';
import { describeBrowser, newPhone } from '../scan/browser-kit.js';

const COMPANY = { name: '杭州浏览器联想测试有限公司', taxId: '91110000600037341L' };

describeBrowser('counter modes in headless Chromium', () => {
  let h: ConsoleHarness;
  let qr: { key: string; url: string };
  let statusUrl = '';
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    h = await startConsole();
    // A past invoice of a company buyer: the buyer directory of 抬头联想 learns it.
    const inv = await h.api('POST', '/api/v1/invoices?wait=10', {
      serialNo: `DIR${Date.now().toString(36)}`,
      kind: '82',
      seller: { taxId: h.creds.sellerTaxId },
      buyer: COMPANY,
      lines: [{ name: '工作餐', taxCode: CATERING, amount: '100.00', taxRate: '0.06' }],
    });
    expect(inv.status).toBeLessThan(300);
    const created = await h.api('POST', '/api/v1/counter/reservation-qrs', {
      sellerTaxId: h.creds.sellerTaxId,
      name: '酒店前台',
      config: {
        items: [{ name: '住宿费', taxCode: '3070402000000000000', taxRate: '0.06' }],
        entryMode: 'amount',
        remarkFields: [{ label: '房号', required: true }],
      },
    });
    expect(created.status).toBe(201);
    qr = created.json as unknown as { key: string; url: string };
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('a consumer reserves at phone size (title suggested), the clerk finds it by phone and 序号 and issues', async () => {
    const phone = await newPhone(h.browser);
    const page = await phone.newPage();
    await page.goto(qr.url);
    await page.getByRole('radio', { name: '企业', exact: true }).check();
    await page.getByLabel('抬头名称').pressSequentially('浏览器联想', { delay: 30 });
    const chip = page.locator('#suggest button').first();
    await chip.waitFor({ timeout: 15_000 });
    expect(await chip.textContent()).toContain(COMPANY.taxId);
    await shot(page, 'counter-title-suggest');
    await chip.click();
    expect(await page.getByLabel('纳税人识别号').inputValue()).toBe(COMPANY.taxId);
    expect(await page.getByLabel('抬头名称').inputValue()).toBe(COMPANY.name);
    await page.getByLabel('接收手机号').fill('13812345678');
    await page.getByLabel('消费金额（元）').fill('636.00');
    await page.getByLabel('房号').fill('808');
    await shot(page, 'counter-reservation-form');
    await page.getByRole('button', { name: '提交' }).click();
    await page.waitForURL(/\/r\/t\//);
    statusUrl = page.url();
    const seqNo = (await page.locator('#seq-no').textContent())!.trim();
    expect(seqNo).toMatch(/^\d+$/);
    await page.getByRole('heading', { name: '已预约，等待开票' }).waitFor();
    await shot(page, 'counter-reservation-submitted');

    const { context, page: clerk } = await h.newPage();
    await h.login(clerk);
    await clerk.goto(`${h.baseUrl}/console/counter/reservations`);
    const search = clerk.getByTestId('reservation-search').locator('input');
    await search.fill('13812345678');
    await search.press('Enter');
    const table = clerk.getByTestId('reservation-table');
    await expect.poll(() => table.getByText(COMPANY.name).count(), { timeout: 15_000 }).toBe(1);
    await search.fill(seqNo);
    await search.press('Enter');
    await expect.poll(() => table.getByText(COMPANY.name).count(), { timeout: 15_000 }).toBe(1);
    await table.getByText(COMPANY.name).click();
    const drawer = clerk.getByTestId('reservation-drawer');
    await drawer.getByText('补全开票信息').waitFor();
    expect(await drawer.getByTestId('line-amount').first().inputValue()).toBe('636.00');
    await shot(clerk, 'counter-clerk-reservation');
    await drawer.getByTestId('issue-reservation').click();
    // The list follows by itself (long poll woken by the server): 已开具 without a reload.
    await clerk.keyboard.press('Escape');
    await expect.poll(() => table.getByText('已开具').count(), { timeout: 30_000 }).toBe(1);
    await shot(clerk, 'counter-clerk-list');
    await clerk.getByRole('tab', { name: '二维码设置' }).click();
    await clerk.getByText('酒店前台').first().waitFor();
    await clerk.locator('img[alt^="预约二维码"]').first().waitFor();
    await shot(clerk, 'counter-qr-settings');
    await context.close();

    // The consumer's page turns 已开具 by itself and shows the invoice and the pickup code.
    await page.getByRole('heading', { name: '已开具' }).waitFor({ timeout: 30_000 });
    await page.locator('#invoice-number').waitFor();
    await expect.poll(() => page.locator('#pickup-code').count(), { timeout: 15_000 }).toBe(1);
    await shot(page, 'counter-reservation-issued');
    await phone.close();
  }, 120_000);

  it('a kiosk opens that invoice by order number and extraction code and prints it on A4', async () => {
    const { context, page } = await h.newPage();
    await page.goto(statusUrl);
    const body = await page.content();
    const orderNo = /订单号 <b>([^<]+)</.exec(body)![1]!;
    const code = /id="pickup-code">([^<]+)</.exec(body)![1]!;
    const kiosk = await h.api('POST', '/api/v1/counter/kiosks', {
      sellerTaxId: h.creds.sellerTaxId,
      name: '大堂终端',
      paper: 'a4',
    });
    expect(kiosk.status).toBe(201);
    await page.goto(String(kiosk.json.url));
    await shot(page, 'counter-kiosk-start');
    expect(orderNo).toMatch(/^R-[2-9A-HJ-NP-Z]{12}$/);
    await page.getByLabel('订单号').fill(orderNo.toLowerCase());
    await page.getByLabel('提取码').fill(code.toLowerCase());
    await page.getByRole('button', { name: '查询发票' }).click();
    await page.locator('#invoice').waitFor();
    const number = (await page.locator('#inv-number').textContent())!.trim();
    expect(number).toMatch(/^\d{20}$/);
    await shot(page, 'counter-kiosk-invoice');
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    fs.writeFileSync(path.join(SHOTS, 'counter-kiosk-print.pdf'), pdf);
    if (HAS_POPPLER) {
      const text = pdfText(pdf);
      expect(text).toContain(number);
      expect(text).toContain(COMPANY.name);
      expect(text).not.toContain('打印发票');
    }
    // A wrong code shows nothing of the invoice.
    await page.goto(String(kiosk.json.url));
    await page.getByLabel('订单号').fill(orderNo);
    await page.getByLabel('提取码').fill('22222222');
    await page.getByRole('button', { name: '查询发票' }).click();
    await page.getByText('未找到发票').waitFor();
    expect(await page.content()).not.toContain(number);
    expect(h.cspViolations).toEqual([]);
    await context.close();
  }, 120_000);
});
