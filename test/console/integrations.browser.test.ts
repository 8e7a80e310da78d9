import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../delivery/delivery-kit.js';
import { decodeQrPng, HAS_POPPLER, pdfPagePng, pdfText } from '../helpers/pdf-kit.js';
import { CATERING } from '../invoicing/invoicing-kit.js';
import { describeBrowser } from '../scan/browser-kit.js';
import { type ConsoleHarness, chooseOption, confirmPopup, HAS_CHROMIUM, SHOTS, startConsole } from './console-kit.js';

if (!HAS_CHROMIUM) console.warn('integration console browser tests skipped: /usr/bin/chromium is not installed');

interface AuditItem {
  action: string;
  actor: { kind: string; name: string };
  target: { type: string; id: string };
}

/** The 扫码开票 and 集成 pages in headless Chromium against a real server with the demo seed. */
describeBrowser('console 扫码开票 and 集成 pages in headless Chromium', { skipIf: !HAS_POPPLER }, () => {
  let h: ConsoleHarness;
  let context: BrowserContext;
  let page: Page;
  let baseUrl = '';
  let receiver: Receiver;
  const run = Date.now().toString(36);
  const shot = (name: string) => h.shot(page, name);
  /** Pages load lazily and the server's worker runs on its own time: polls wait up to 15 s. */
  const WAIT = { timeout: 15_000 };

  /** The audit log as the logged-in admin reads it (GET /api/v1/audit-log with the session cookie). */
  const audit = (action: string) =>
    page.evaluate(async (a) => {
      const res = await fetch(`/api/v1/audit-log?action=${a}`);
      return ((await res.json()) as { items: AuditItem[] }).items;
    }, action);
  const token = async (appId: string, appSecret: string) =>
    (
      await fetch(`${baseUrl}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appId, appSecret }),
      })
    ).status;
  /**
   * Picks `option` in the antd Select labelled `label` of the open dialog (or page), and checks the Select shows it:
   * a click on an option while its dropdown still moves (the dialog scrolling, another dropdown closing) can miss,
   * so a pick that did not take is tried again (three times at most).
   */
  const choose = (label: string, option: string | RegExp) =>
    chooseOption(page, page.getByLabel(label, { exact: true }), option);
  const secretShown = async () => {
    const secret = page.getByTestId('secret-once');
    await expect.poll(() => secret.isVisible(), WAIT).toBe(true);
    const text = ((await secret.textContent()) ?? '').trim();
    // Clicked once the dialog's opening motion is over, and again if the click did not take (a CI run lost one:
    // the dialog stayed open).
    await confirmPopup(page, page.getByRole('button', { name: '我已保存' }));
    await expect.poll(() => secret.isVisible(), WAIT).toBe(false);
    return text;
  };

  /** Polls `probe` (every 100 ms, 40 s at most: a loaded machine) until it answers something. */
  const until = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> => {
    for (let i = 0; i < 400; i++) {
      const got = await probe();
      if (got !== undefined) return got;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    receiver = await createReceiver();
    receiver.answer = () => 503;
    h = await startConsole({ OUTBOUND_ALLOWED_HOSTS: `127.0.0.1:${receiver.port}` });
    baseUrl = h.baseUrl;
    ({ context, page } = await h.newPage());
  }, 120_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page)
      await shot(`failed-int-${ctx.task.name.slice(0, 12)}`).catch(() => {});
  });
  afterAll(async () => {
    await context?.close();
    await h?.stop();
    await receiver?.stop();
  });

  it('creates a QR setting with 默认开票, shows its secret once and QR code, and downloads its A4 poster', async () => {
    await h.login(page, undefined, undefined, '/scan/settings');
    await page.getByRole('button', { name: '新建二维码设置' }).click();
    const form = page.getByTestId('setting-form');
    await form.getByLabel('名称').fill(`静安店收银台 ${run}`);
    await choose('销售方', h.creds.sellerTaxId);
    await form.getByText('默认开票（静态二维码').click();
    await form.getByLabel('项目名称').fill('餐饮服务');
    await form.getByLabel('税收分类编码').fill(CATERING);
    await choose('税率', '6%');
    await page.getByRole('button', { name: /^保\s*存$/ }).click();
    const secret = await secretShown();
    expect(secret).toMatch(/^[0-9A-Za-z]{33}$/);

    const row = page.getByTestId('setting-table').locator('tr', { hasText: `静安店收银台 ${run}` });
    await expect.poll(() => row.count(), WAIT).toBe(1);
    const key = ((await row.locator('.ant-typography-secondary').first().textContent()) ?? '').trim();
    expect(key).not.toBe('');
    await shot('scan-settings');

    await row.getByRole('button', { name: '二维码' }).click();
    const panel = page.getByTestId('qr-panel');
    await expect
      .poll(
        () => panel.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
        WAIT,
      )
      .toBeGreaterThan(0);
    await h.settled(page); // the drawer's slide-in, for the screenshot
    await shot('scan-settings-qr');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      panel.getByRole('link', { name: /下载台卡 PDF（A4）/ }).click(),
    ]);
    const pdf = fs.readFileSync((await download.path()) as string);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain('扫码开具发票');
    expect(text).toContain(`静安店收银台 ${run}`);
    expect(text).toContain(`${baseUrl}/q/${key}`);
    const png = pdfPagePng(pdf, 100);
    expect(await decodeQrPng(png)).toEqual([`${baseUrl}/q/${key}`]);
    fs.writeFileSync(path.join(SHOTS, 'console-poster.png'), pdfPagePng(pdf, 60));
    await page.keyboard.press('Escape');

    const created = (await audit('scan.settings.create')).find((e) => e.target.id === key);
    expect(created).toMatchObject({ actor: { kind: 'user', name: h.creds.adminUser } });

    // 编辑 keeps the preset; the switch disables the setting, and its static link says so.
    await row.getByRole('button', { name: /^编\s*辑$/ }).click();
    await form.getByLabel('二维码有效期（天）').fill('15');
    await page.getByRole('button', { name: /^保\s*存$/ }).click();
    await expect.poll(() => row.textContent(), WAIT).toContain('15 天');
    expect(await row.textContent()).toContain('静态二维码');
    await row.getByRole('switch').click();
    await expect.poll(() => row.getByRole('switch').getAttribute('aria-checked'), WAIT).toBe('false');
    expect((await fetch(`${baseUrl}/q/${key}`)).status).toBe(409);
    const updates = (await audit('scan.settings.update')).filter((e) => e.target.id === key);
    expect(updates).toHaveLength(2);
  });

  it('creates an API app and rotates its secret: the new secret gets a token, the old one no longer does', async () => {
    await page.goto(`${baseUrl}/console/integrations/apps`);
    await page.getByRole('button', { name: '创建应用' }).click();
    await page.getByLabel('应用名称').fill(`E2E 应用 ${run}`);
    await page.getByRole('button', { name: /^创\s*建$/ }).click();
    const first = await secretShown();
    const row = page.getByTestId('app-table').locator('tr', { hasText: `E2E 应用 ${run}` });
    await expect.poll(() => row.count(), WAIT).toBe(1);
    const appId = ((await row.locator('td').nth(1).textContent()) ?? '').trim();
    expect(await token(appId, first)).toBe(200);

    await row.getByRole('button', { name: '轮换密钥' }).click();
    await choose('旧密钥继续有效', '立即失效');
    await page.getByRole('button', { name: /^轮\s*换$/ }).click();
    const second = await secretShown();
    expect(second).not.toBe(first);
    expect(await token(appId, second)).toBe(200);
    expect(await token(appId, first)).toBe(401);
    await shot('apps');

    const rotated = (await audit('apps.rotate_secret')).find((e) => e.target.id === appId);
    expect(rotated).toMatchObject({ actor: { kind: 'user', name: h.creds.adminUser } });
  });

  it('creates a business system; a webhook to it that keeps failing dies and is redelivered from 推送记录', async () => {
    await page.goto(`${baseUrl}/console/integrations/business-systems`);
    await page.getByRole('button', { name: '新增业务系统' }).click();
    await page.getByLabel('编码').fill(`E2E${run}`);
    await page.getByLabel('名称', { exact: true }).fill('收银系统');
    await page.getByLabel('回调地址（Webhook）').fill(receiver.url);
    await page.getByRole('button', { name: /^保\s*存$/ }).click();
    expect(await secretShown()).toMatch(/^\S{16,}$/);
    const row = page.getByTestId('business-system-table').locator('tr', { hasText: `E2E${run}` });
    await expect.poll(() => row.count(), WAIT).toBe(1);
    await shot('business-systems');

    // An invoice of that business system: its invoice.issued webhook meets a 503.
    const issued = await h.api('POST', '/api/v1/invoices?wait=10', {
      serialNo: `E2E-WH-${run}`,
      kind: '82',
      seller: { taxId: h.creds.sellerTaxId },
      buyer: { name: '北京测试科技有限公司', taxId: '91110000600037341L' },
      businessSystemCode: `E2E${run}`,
      lines: [{ name: '工作餐', taxCode: CATERING, amount: '100.00', taxRate: '0.06' }],
    });
    // 202: still issuing after the 10 s wait (a loaded machine); the delivery is waited for below either way.
    expect([200, 202], JSON.stringify(issued.json)).toContain(issued.status);
    const deliveryId = await until('the first failed attempt', async () => {
      const list = await h.api('GET', `/api/v1/webhook-deliveries?businessSystemCode=E2E${run}`);
      const item = (list.json.items as { id: string; attempts: number }[])[0];
      return item && item.attempts > 0 ? item.id : undefined;
    });
    // The queue would retry for ≈ 34 h: its job is moved to its last attempt, due now, and the real last attempt
    // (another 503) kills it.
    const db = new Database(path.join(h.dataDir, 'openfapiao.sqlite'));
    db.pragma('busy_timeout = 5000');
    await expect
      .poll(
        () =>
          db
            .prepare(
              "UPDATE jobs SET attempts = max_attempts - 1, run_at = 0 WHERE task = 'delivery/deliver-webhook' AND state = 'retry' AND payload LIKE ?",
            )
            .run(`%${deliveryId}%`).changes,
        { timeout: 15_000 },
      )
      .toBe(1);
    db.close();
    await expect
      .poll(async () => (await h.api('GET', `/api/v1/webhook-deliveries/${deliveryId}`)).json.status, {
        timeout: 15_000,
      })
      .toBe('dead');

    receiver.answer = () => 200;
    await page.goto(`${baseUrl}/console/deliveries?businessSystemCode=E2E${run}&status=dead`);
    const table = page.getByTestId('delivery-table');
    await expect.poll(() => table.locator('tbody tr.ant-table-row').count(), WAIT).toBe(1);
    await table.locator('tbody tr.ant-table-row').first().click();
    const detail = page.getByTestId('delivery-detail');
    await expect.poll(() => detail.getByText('已放弃').count(), WAIT).toBeGreaterThan(0);
    // The first attempt, perhaps a retry, and the last one: every one answered 503.
    const attempts = page.getByTestId('attempt-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => attempts.count(), WAIT).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('attempt-table').textContent()).toContain('HTTP 503');
    await h.settled(page); // the drawer's slide-in, for the screenshot
    await shot('deliveries');
    await detail.getByRole('tab', { name: '推送内容' }).click();
    expect(await page.getByTestId('delivery-payload').textContent()).toContain(`E2E-WH-${run}`);
    await page.getByRole('button', { name: /重新推送/ }).click();
    // The page's request and the server's answer, so that a failure says whether the click was taken and what the
    // server said (a CI run once saw no 已重新推送 within 15 s, nothing more).
    const answered = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith(`/api/v1/webhook-deliveries/${deliveryId}/redeliver`),
      { timeout: 30_000 },
    );
    // The page's toasts as they come (one lasts 3 s: a poll on a loaded machine can miss it, as a CI run did).
    await page.evaluate(`window.toasts = [];
      new MutationObserver(() => {
        for (const n of document.querySelectorAll('.ant-message-notice'))
          if (!window.toasts.includes(n.textContent)) window.toasts.push(n.textContent);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });`);
    await confirmPopup(page, page.locator('.ant-popconfirm').getByRole('button', { name: '重新推送' }));
    const answer = await answered.catch(async (err) => {
      const toasts = await page.locator('.ant-message').allInnerTexts();
      const confirmOpen = await page.locator('.ant-popconfirm:visible').count();
      const server = (await h.api('GET', `/api/v1/webhook-deliveries/${deliveryId}`)).json;
      throw new Error(
        `${err}: no answer to the page's redeliver; toasts ${JSON.stringify(toasts)}, confirmation open: ${confirmOpen}, ` +
          `delivery ${JSON.stringify({ status: server.status, redeliveries: server.redeliveries })}`,
      );
    });
    expect(answer.status(), await answer.text()).toBe(202);
    // The page says so; the server delivers (its worker, a new series of attempts), and the drawer follows.
    await expect.poll(() => page.evaluate('window.toasts.join(" | ")'), WAIT).toContain('已重新推送');
    const redeliveredState = async () => {
      const d = (await h.api('GET', `/api/v1/webhook-deliveries/${deliveryId}`)).json;
      const jobs = new Database(path.join(h.dataDir, 'openfapiao.sqlite'), { readonly: true });
      try {
        jobs.pragma('busy_timeout = 5000');
        const rows = jobs
          .prepare(
            'SELECT job_key, state, attempts, run_at, last_error FROM jobs WHERE payload LIKE ? ORDER BY created_at',
          )
          .all(`%${deliveryId}%`);
        return { status: d.status, redeliveries: d.redeliveries, attempts: d.attempts, jobs: rows };
      } finally {
        jobs.close();
      }
    };
    await expect
      .poll(async () => (await redeliveredState()).status, { timeout: 30_000, message: 'the redelivery was delivered' })
      .toBe('delivered')
      .catch(async (err) => {
        throw new Error(`${err}: ${JSON.stringify(await redeliveredState())}`);
      });
    await expect.poll(() => detail.getByText('已送达').count(), WAIT).toBeGreaterThan(0);
    expect(receiver.received.at(-1)?.headers['x-openfapiao-delivery']).toBe(deliveryId);

    const redelivered = (await audit('delivery.webhooks.redeliver')).find((e) => e.target.id === deliveryId);
    expect(redelivered).toMatchObject({ actor: { kind: 'user', name: h.creds.adminUser } });
    const bs = (await audit('business_systems.create')).find((e) => e.target.id.includes(`E2E${run}`));
    expect(bs).toBeDefined();
  });

  it('filters 扫码订单, issues a title_only order the consumer submitted and withdraws an open one', async () => {
    const setting = await h.api('POST', '/api/v1/scan/settings', {
      name: `前台 ${run}`,
      sellerTaxId: h.creds.sellerTaxId,
      scanType: 'title_only',
      allowedKinds: ['82'],
      validityDays: 7,
    });
    expect(setting.status).toBe(201);
    const push = async (orderNo: string) => {
      const res = await h.api('POST', '/api/v1/scan/orders', {
        settingKey: setting.json.key,
        orderNo,
        lines: [{ name: '工作餐', taxCode: CATERING, amount: '88.00', taxRate: '0.06' }],
      });
      expect(res.status).toBe(201);
      return String(res.json.url);
    };
    const submitted = `T${run}A`;
    const open = `T${run}B`;
    const url = await push(submitted);
    await push(open);
    // The consumer submits a title on the order's page; a title_only order then waits for the merchant.
    const phone = await h.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const h5 = await phone.newPage();
    await h5.goto(url);
    await h5.getByLabel('抬头名称').fill('张三');
    await h5.getByRole('button', { name: '提交' }).click();
    await h5.getByText('等待商家开票').waitFor({ timeout: 15_000 });
    await phone.close();

    await page.goto(`${baseUrl}/console/scan/orders?settingKey=${setting.json.key}&status=submitted`);
    const table = page.getByTestId('order-table');
    await expect.poll(() => table.locator('tbody tr.ant-table-row').count(), WAIT).toBe(1);
    expect(await table.textContent()).toContain(submitted);
    await table.locator('tbody tr.ant-table-row').first().click();
    const detail = page.getByTestId('order-detail');
    await expect.poll(() => detail.getByText('张三').count(), WAIT).toBeGreaterThan(0);
    await page.getByRole('button', { name: '开具发票' }).click();
    const confirmIssue = page.locator('.ant-popconfirm').getByRole('button', { name: /^开\s*票$/ });
    await confirmPopup(page, confirmIssue);
    // The click took (the confirmation closed), then the drawer follows the order while it is 开票中; its status tag
    // is polled, so a failure shows what the order became. The job issues and renders the PDF: generous on a loaded
    // CI machine (a bound, not a time assertion).
    await expect.poll(() => confirmIssue.isVisible(), WAIT).toBe(false);
    await expect
      .poll(async () => (await detail.locator('.ant-tag').allTextContents()).join(' '), { timeout: 45_000 })
      .toContain('已开票');
    await h.settled(page); // the drawer's slide-in, for the screenshot
    await shot('scan-orders');
    await page.keyboard.press('Escape');

    await page.goto(`${baseUrl}/console/scan/orders?orderNo=${open}`);
    await expect.poll(() => table.locator('tbody tr.ant-table-row').count(), WAIT).toBe(1);
    await table.locator('tbody tr.ant-table-row').first().click();
    await page.getByRole('button', { name: /^撤\s*回$/ }).click();
    await confirmPopup(page, page.locator('.ant-popconfirm').getByRole('button', { name: /^撤\s*回$/ }));
    await expect.poll(() => detail.getByText('已撤回').count(), WAIT).toBeGreaterThan(0);

    expect((await audit('scan.orders.issue')).find((e) => e.target.id === submitted)).toMatchObject({
      actor: { kind: 'user', name: h.creds.adminUser },
    });
    expect((await audit('scan.orders.withdraw')).find((e) => e.target.id === open)).toMatchObject({
      actor: { kind: 'user', name: h.creds.adminUser },
    });
  });

  it('shows the outbox, and no page reported a CSP violation', async () => {
    await page.goto(`${baseUrl}/console/integrations/outbox`);
    await expect.poll(() => page.getByTestId('outbox-table').isVisible(), WAIT).toBe(true);
    await shot('outbox');
    expect(h.cspViolations).toEqual([]);
  });
});
