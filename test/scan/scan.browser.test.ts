import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signScanLink } from '../../src/index.js';
import { CATERING } from '../invoicing/invoicing-kit.js';
import { describeBrowser, HAS_CHROMIUM, launchBrowser, newPhone, SHOTS_DIR, startAppServer } from './browser-kit.js';
import { startMerchant } from './merchant-server.js';

if (!HAS_CHROMIUM) console.warn('scan browser tests skipped: /usr/bin/chromium is not installed');

describeBrowser('scan H5 in headless Chromium at 360×740', () => {
  let server: Awaited<ReturnType<typeof startAppServer>>;
  let merchant: Awaited<ReturnType<typeof startMerchant>>;
  let browser: Browser;
  let setting: { key: string; secret: string };
  let firstOrderUrl = '';
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: true });
  const line = { name: '商务套餐', taxCode: CATERING, amount: '188.00', taxRate: '0.06', priceIncludesTax: true };

  beforeAll(async () => {
    fs.mkdirSync(SHOTS_DIR, { recursive: true });
    [server, merchant, browser] = await Promise.all([startAppServer(), startMerchant(), launchBrowser()]);
    const system = await server.api('POST', '/api/v1/business-systems', {
      code: 'POS',
      name: '门店收银',
      orderQueryUrl: merchant.url,
    });
    merchant.secret.value = String(system.json.secret);
    const created = await server.api('POST', '/api/v1/scan/settings', {
      sellerTaxId: server.sellerTaxId,
      businessSystemCode: 'POS',
      scanType: 'issue',
      allowedKinds: ['82', '81'],
      validityDays: 30,
    });
    setting = created.json as unknown as { key: string; secret: string };
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await merchant?.close();
  });

  it('pushed order: bad USCC is flagged inline, fixed, submitted, issued, PDF downloaded', async () => {
    const order = await server.api('POST', '/api/v1/scan/orders', {
      settingKey: setting.key,
      orderNo: `E2E${Date.now().toString(36)}`,
      lines: [line],
    });
    expect(order.status).toBe(201);
    firstOrderUrl = String(order.json.url);
    const phone = await newPhone(browser);
    const page = await phone.newPage();
    await page.goto(firstOrderUrl);
    await shot(page, 'scan-order-form');
    await page.getByRole('radio', { name: '企业', exact: true }).check();
    await page.getByLabel('抬头名称').fill('北京测试科技有限公司');
    await page.getByLabel('纳税人识别号').fill('91110000600037341M');
    await page.getByLabel('接收邮箱').click();
    await expect.poll(() => page.locator('#f-taxId-err').textContent()).toContain('校验位不正确');
    await shot(page, 'scan-uscc-error');
    await page.getByLabel('纳税人识别号').fill('91110000600037341L');
    await page.getByLabel('接收邮箱').fill('buyer@example.com');
    await page.getByRole('button', { name: '提交' }).click();
    await page.waitForURL(firstOrderUrl);
    await page.getByRole('heading', { name: '已开具' }).waitFor({ timeout: 20_000 });
    await shot(page, 'scan-issued');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByText('下载 PDF').click()]);
    const file = await download.path();
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    await phone.close();
  }, 60_000);

  it('re-scanning the submitted link shows the invoice, never a new form', async () => {
    const phone = await newPhone(browser);
    const page = await phone.newPage();
    await page.goto(firstOrderUrl);
    await expect.poll(() => page.getByRole('heading', { name: '已开具' }).count()).toBe(1);
    expect(await page.locator('form#title-form').count()).toBe(0);
    await phone.close();
  }, 30_000);

  it('merchant-signed link: order fetched from the merchant, personal title, issued', async () => {
    const orderNo = `TILL${Date.now().toString(36)}`;
    merchant.orders.set(orderNo, { kind: 'order', data: { orderNo, sellerTaxId: server.sellerTaxId, lines: [line] } });
    const url = signScanLink({ baseUrl: server.baseUrl, key: setting.key, secret: setting.secret, orderNo });
    const phone = await newPhone(browser);
    const page = await phone.newPage();
    await page.goto(url);
    expect(page.url()).toMatch(/\/s\/[0-9A-Za-z]{17}$/);
    await expect.poll(() => page.locator('.amount').textContent()).toBe('¥188.00');
    await page.getByLabel('抬头名称').fill('张三');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByRole('heading', { name: '已开具' }).waitFor({ timeout: 20_000 });
    await shot(page, 'scan-merchant-issued');
    await phone.close();
  }, 60_000);

  it('an expired merchant link gets its own page', async () => {
    const url = signScanLink({
      baseUrl: server.baseUrl,
      key: setting.key,
      secret: setting.secret,
      orderNo: 'OLD-1',
      unixSeconds: Math.floor(Date.now() / 1000) - 40 * 86_400,
    });
    const phone = await newPhone(browser);
    const page = await phone.newPage();
    const res = await page.goto(url);
    expect(res?.status()).toBe(410);
    await expect.poll(() => page.getByRole('heading').first().textContent()).toBe('二维码已过期');
    await shot(page, 'scan-expired');
    await phone.close();
  }, 30_000);
});
