import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ConsoleHarness, SHOTS, startConsole } from '../console/console-kit.js';
import { waitForValue } from '../helpers/wait.js';
import { describeBrowser, launchQrCamera, newPhone, qrPng } from '../scan/browser-kit.js';

/**
 * 自助打印's camera scanning in headless Chromium: a fake camera (a Y4M file of the receipt's QR) and the picture
 * fallback (拍照识别), both decoding with zxing-wasm in the page, served by the app under the kiosk's CSP.
 */
describeBrowser('the kiosk scans a receipt QR with the camera', () => {
  let h: ConsoleHarness;
  let camera: Browser;
  let kioskUrl = '';
  let statusUrl = '';
  let invoiceNumber = '';
  const violations: string[] = [];
  const WAIT = { timeout: 30_000 };

  const kioskPage = async (): Promise<Page> => {
    const context = await camera.newContext({ viewport: { width: 800, height: 1000 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    return page;
  };

  beforeAll(async () => {
    h = await startConsole();
    // A reservation, submitted by a consumer and issued by the clerk: its status link is the receipt's QR.
    const created = await h.api('POST', '/api/v1/counter/reservation-qrs', {
      sellerTaxId: h.creds.sellerTaxId,
      name: '收银台',
      config: {
        items: [{ name: '餐费', taxCode: '3070401000000000000', taxRate: '0.06' }],
        entryMode: 'amount',
        remarkFields: [],
      },
    });
    expect(created.status).toBe(201);
    const phone = await newPhone(h.browser);
    const form = await phone.newPage();
    await form.goto(String(created.json.url));
    await form.getByRole('radio', { name: '企业', exact: true }).check();
    await form.getByLabel('抬头名称').fill('上海扫码测试有限公司');
    await form.getByLabel('纳税人识别号').fill('91110000600037341L');
    await form.getByLabel('接收手机号').fill('13655556666');
    await form.getByLabel('消费金额（元）').fill('212.00');
    await form.getByRole('button', { name: '提交' }).click();
    await form.waitForURL(/\/r\/t\//);
    statusUrl = form.url();
    await phone.close();
    const listed = await h.api('GET', '/api/v1/counter/reservations?q=13655556666');
    const [reservation] = listed.json.items as { id: string }[];
    expect((await h.api('POST', `/api/v1/counter/reservations/${reservation!.id}/issue`, {})).status).toBe(200);
    // The invoice is issued by the job queue: wait for its number (no expect.poll outside a test).
    invoiceNumber = await waitForValue(
      'the reservation’s invoice number',
      async () => {
        const r = await h.api('GET', `/api/v1/counter/reservations/${reservation!.id}`);
        return (r.json.invoice as { number?: string | null } | null)?.number || undefined;
      },
      { attempts: 1_200 },
    );
    expect(invoiceNumber).toMatch(/^\d{20}$/);
    const kiosk = await h.api('POST', '/api/v1/counter/kiosks', { sellerTaxId: h.creds.sellerTaxId, name: '门口终端' });
    expect(kiosk.status).toBe(201);
    kioskUrl = String(kiosk.json.url);

    camera = await launchQrCamera(statusUrl);
  }, 180_000);

  afterAll(async () => {
    await camera?.close();
    await h?.stop();
  });

  it('扫码 opens the camera, decodes the receipt QR and shows the invoice', async () => {
    const page = await kioskPage();
    // Hold the reader's wasm until the live picture is photographed (then decoding starts).
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const wasmRequests: string[] = [];
    await page.route('**/k/assets/zxing_reader.wasm', async (route) => {
      wasmRequests.push(route.request().url());
      await held;
      await route.continue();
    });
    await page.goto(kioskUrl);
    const scan = page.getByRole('button', { name: '扫码', exact: true });
    await scan.click();
    await page.locator('#camera-view').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#camera-msg').textContent(), WAIT).toBe('正在启动识别…');
    await expect.poll(() => page.evaluate('document.getElementById("camera-view").videoWidth'), WAIT).toBe(640);
    await page.screenshot({ path: path.join(SHOTS, 'counter-kiosk-camera.png'), fullPage: true });
    release();
    await page.locator('#invoice').waitFor(WAIT);
    expect((await page.locator('#inv-number').textContent())!.trim()).toBe(invoiceNumber);
    // The wasm came from the app itself.
    expect(wasmRequests).toEqual([`${new URL(kioskUrl).origin}/k/assets/zxing_reader.wasm`]);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('拍照识别 decodes a picture: another QR is refused by name, the receipt QR shows the invoice', async () => {
    const page = await kioskPage();
    await page.goto(kioskUrl);
    const input = page.locator('#camera-file');
    await input.setInputFiles({
      name: 'other.png',
      mimeType: 'image/png',
      buffer: await qrPng('https://example.com/x', 300),
    });
    await expect.poll(() => page.locator('#camera-msg').textContent(), WAIT).toContain('这不是本店小票上的二维码');
    expect(await page.locator('#invoice').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'counter-kiosk-other-qr.png'), fullPage: true });
    await input.setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: await qrPng(statusUrl, 300) });
    await page.locator('#invoice').waitFor(WAIT);
    expect((await page.locator('#inv-number').textContent())!.trim()).toBe(invoiceNumber);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('without a usable camera 扫码 says so and the other ways remain', async () => {
    // The suite's ordinary browser: no fake camera, no permission granted.
    const context = await h.browser.newContext({ viewport: { width: 800, height: 1000 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(kioskUrl);
    await page.getByRole('button', { name: '扫码', exact: true }).click();
    await expect.poll(() => page.locator('#camera-msg').textContent(), WAIT).toContain('无法打开摄像头');
    expect(await page.locator('#camera-view').isVisible()).toBe(false);
    expect(await page.locator('#camera-pick').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: '扫码', exact: true }).isVisible()).toBe(true);
    await context.close();
  }, 60_000);

  it('serves the reader script and wasm itself, and only the kiosk pages allow compiling wasm', async () => {
    const origin = new URL(kioskUrl).origin;
    const script = await fetch(`${origin}/k/assets/zxing-reader.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('ZXingWASM');
    const wasm = await fetch(`${origin}/k/assets/zxing_reader.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(Buffer.from(await wasm.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
    const kiosk = await fetch(kioskUrl);
    const csp = kiosk.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("'wasm-unsafe-eval'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    const html = await kiosk.text();
    expect(html).toMatch(/data-sri="sha384-[A-Za-z0-9+/=]{64}"/);
    // The consumer pages of the other modes do not.
    const status = await fetch(statusUrl);
    expect(status.headers.get('content-security-policy') ?? '').not.toContain('wasm-unsafe-eval');
  });
});
