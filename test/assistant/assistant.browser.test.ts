import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type ConsoleHarness, HAS_CHROMIUM, SHOTS, startConsole } from '../console/console-kit.js';
import { describeBrowser, launchQrCamera } from '../scan/browser-kit.js';
import {
  DEMO_ORG,
  type IssuedInvoice,
  issueInvoice,
  local,
  newEvent,
  OTHER_BUYER,
  openSocket,
  shoot,
  shotsDir,
  tokenOf,
} from './assistant-browser-kit.js';

if (!HAS_CHROMIUM) console.warn('assistant browser tests skipped: /usr/bin/chromium is not installed');

type Item = { id: string; number: string | null; usageStatus?: string; usage?: { status: string } };

/**
 * The assistant pages end to end (issue #15 §2, Checks) in headless Chromium against a real server with the demo
 * seed: an expense system (this test: fetch + a `ws` WebSocket on loopback) asks for an event code, the employee's
 * browser (PC 1280×800, phone 390×844) collects invoices on the select page, 导入单据 pushes them once, the expense
 * system saves its bill, the pool shows them claimed; the poll variant; the phone's camera reading an invoice QR; the
 * view page; an ended code; the 员工 console user's 我的票夹.
 */
describeBrowser('assistant pages in headless Chromium', () => {
  let h: ConsoleHarness;
  let token = '';
  let dir = '';
  let shots = '';
  /** The phone with a camera that shows `scanned`'s QR: launched once that invoice is issued, used by its test. */
  let camera: Promise<Browser> | undefined;
  const contexts: BrowserContext[] = [];
  let last: Page | undefined;
  const WAIT = { timeout: 30_000 };
  // ours1 (PDF) and ours2 (XML) to the bill's company, theirs (PDF) to another: blocked; poll: for the poll variant;
  // scanned: read from its QR by the phone's camera.
  let ours1: IssuedInvoice;
  let ours2: IssuedInvoice;
  let theirs: IssuedInvoice;
  let polled: IssuedInvoice;
  let scanned: IssuedInvoice;
  let own: IssuedInvoice;

  const pc = async (): Promise<Page> => {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    contexts.push(context);
    last = await context.newPage();
    last.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) h.cspViolations.push(m.text());
    });
    return last;
  };
  const phone = async (browser: Browser = h.browser): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
    });
    contexts.push(context);
    last = await context.newPage();
    last.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) h.cspViolations.push(m.text());
    });
    return last;
  };
  /** An XML file that is no invoice (an order): taken, and answered as unreadable. */
  const notAnInvoice = (name: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, '<?xml version="1.0"?><order><id>1</id></order>');
    return file;
  };
  /** A file name of one long word (no space to break at), for the upload results' wrapping. */
  const LONG_NAME = 'purchase-order_2026-12-03_shanghai-jingan-store_0000000123456789_attachment-final.xml';
  /** In the page: nothing inside the element runs past its right edge. */
  const fits = (e: unknown) => {
    const box = e as { scrollWidth: number; clientWidth: number };
    return box.scrollWidth <= box.clientWidth;
  };
  /** The pool's item of an invoice number (as the API app). */
  const poolItem = async (number: string): Promise<Item> => {
    const res = await h.api('GET', `/api/v1/received-invoices?q=${number}`);
    const items = (res.json.items ?? []) as Item[];
    const item = items.find((i) => i.number === number);
    if (!item) throw new Error(`${number} not in the pool: ${JSON.stringify(res.json)}`);
    return item;
  };
  /** The select page's rows (PC table rows, or phone cards). */
  const rowOf = (page: Page, number: string) =>
    page.getByTestId('items').locator('tr.ant-table-row', { hasText: number });

  beforeAll(async () => {
    h = await startConsole();
    shots = shotsDir(SHOTS);
    token = await tokenOf(h);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-assistant-e2e-'));
    const ours = { name: DEMO_ORG, taxId: h.creds.sellerTaxId };
    // Issued side by side (the server's worker runs their jobs at once). XML files: a PDF's parse has a 10 s budget
    // (parse-pool.ts) that a loaded CI machine can exceed.
    let system: Awaited<ReturnType<typeof h.api>>;
    [ours1, ours2, theirs, polled, scanned, own, system] = await Promise.all([
      issueInvoice(h, token, dir, ours, 'xml'),
      issueInvoice(h, token, dir, ours, 'xml'),
      issueInvoice(h, token, dir, OTHER_BUYER, 'xml'),
      issueInvoice(h, token, dir, ours, 'xml'),
      issueInvoice(h, token, dir, ours, 'pdf'),
      issueInvoice(h, token, dir, ours, 'xml'),
      // The expense system's business system (its code is the `resource` of every call).
      h.api('POST', '/api/v1/business-systems', { code: 'OA', name: '费控系统' }),
    ]);
    expect(system.status, JSON.stringify(system.json)).toBe(201);
    camera = launchQrCamera(scanned.qr);
    // Its test awaits it (and meets a failed launch there); the rejection is not left unhandled meanwhile.
    camera.catch(() => {});
  }, 180_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && last)
      await shoot(last, shots, `failed-${ctx.task.name.slice(0, 16)}`).catch(() => {});
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await (await camera?.catch(() => undefined))?.close();
    await h?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('PC: uploads three files, the other company’s is blocked with its reason, 导入单据 sends one WebSocket message with the two, the bill claims them', async () => {
    const socket = await openSocket(h, token, 'LK-PC-1');
    try {
      const event = await newEvent(h, { billId: 'B-1001', linkKey: 'LK-PC-1', pushType: 'socket' });
      // The page is framed by our own origin only unless the business system says otherwise.
      const served = await fetch(local(h, event.selectUrl));
      expect(served.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
      const page = await pc();
      await page.goto(local(h, event.selectUrl));
      await expect.poll(() => page.getByTestId('bill-no').textContent(), WAIT).toBe('BX-B-1001');
      // The code left the address bar at once.
      expect(page.url()).toBe(`${h.baseUrl}/assistant/select`);
      await shoot(page, shots, 'select-pc-empty');

      await page.getByTestId('file-input').setInputFiles([ours1.file, ours2.file, theirs.file]);
      await expect.poll(() => page.getByTestId('items').locator('tr.ant-table-row').count(), WAIT).toBe(3);
      // The other company's invoice: red, its reason shown, it cannot be chosen.
      await expect.poll(() => rowOf(page, theirs.number).getByTestId('check-tag').textContent(), WAIT).toBe('不可报销');
      expect(await rowOf(page, theirs.number).getByTestId('check-reasons').textContent()).toContain('抬头');
      expect(await rowOf(page, theirs.number).getByRole('checkbox').isDisabled()).toBe(true);
      // Ours settle (verification and compliance) and are chosen.
      for (const n of [ours1.number, ours2.number]) {
        await expect.poll(() => rowOf(page, n).getByTestId('check-tag').textContent(), WAIT).toMatch(/^(合规|有提示)$/);
        expect(await rowOf(page, n).getByRole('checkbox').isChecked()).toBe(true);
      }
      await expect.poll(() => page.getByTestId('chosen-summary').textContent(), WAIT).toContain('已选 2 张');
      expect(await page.getByTestId('chosen-summary').textContent()).toContain('¥4,380.00');
      await shoot(page, shots, 'select-pc');

      // A partial claim on the first: more than remains is refused in the page.
      const amount = page.getByLabel(`报销金额 ${ours1.number}`);
      await amount.fill('9999.00');
      await expect.poll(() => page.getByTestId('import').isDisabled()).toBe(true);
      await amount.fill('1000.50');
      await expect.poll(() => page.getByTestId('chosen-summary').textContent()).toContain('¥3,190.50');

      await page.getByTestId('import').click();
      await expect.poll(() => page.getByTestId('import-done').textContent(), WAIT).toContain('已导入 2 张发票');
      await shoot(page, shots, 'select-pc-done');

      // Exactly one message, with those two invoices.
      await expect.poll(() => socket.messages.length, WAIT).toBe(1);
      const [message] = socket.messages;
      const invoiceData = message?.invoiceData as Array<{ id: string; number: string; claimAmount: string }>;
      expect(invoiceData.map((i) => i.number).sort()).toEqual([ours1.number, ours2.number].sort());
      expect(invoiceData.find((i) => i.number === ours1.number)?.claimAmount).toBe('1000.50');
      expect(message?.attachData).toHaveLength(2);
      expect(message).toMatchObject({ resource: 'OA', billId: 'B-1001', linkKey: 'LK-PC-1' });

      // The expense system saves its bill with them: the pool shows them claimed.
      const saved = await h.api('PUT', '/api/v1/bills/OA/B-1001', {
        billNo: 'BX-B-1001',
        status: 'in_use',
        invoices: invoiceData.map((i) => ({ invoiceId: i.id, amount: i.claimAmount })),
      });
      expect(saved.status, JSON.stringify(saved.json)).toBe(200);
      for (const n of [ours1.number, ours2.number]) {
        const item = await poolItem(n);
        expect(item.usage?.status ?? item.usageStatus).toBe('claimed');
      }
      // Still one message: nothing is delivered twice.
      expect(socket.messages.length).toBe(1);
    } finally {
      socket.close();
    }
  }, 120_000);

  it('view page (PC and phone): the bill’s invoices with amounts and their downloads', async () => {
    const event = await newEvent(h, { billId: 'B-1001', linkKey: 'LK-PC-1', pushType: 'socket' });
    const page = await pc();
    await page.goto(local(h, event.viewUrl));
    await expect.poll(() => page.getByTestId('bill-invoice').count(), WAIT).toBe(2);
    const text = (await page.getByTestId('bill-invoices').textContent()) ?? '';
    expect(text).toContain(ours1.number);
    expect(text).toContain('¥1,000.50');
    expect(await page.getByTestId('bill-summary').textContent()).toContain('在用');
    await shoot(page, shots, 'view-pc');
    // An XML original is downloaded (a PDF would be framed, a picture shown inline).
    const [download] = await Promise.all([
      page.waitForEvent('download', WAIT),
      page
        .getByTestId('bill-invoice')
        .filter({ hasText: ours1.number })
        .getByRole('button', { name: /下\s*载/ })
        .click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.xml$/);

    const mobile = await phone();
    await mobile.goto(local(h, event.mobileViewUrl));
    await expect.poll(() => mobile.getByTestId('bill-invoice').count(), WAIT).toBe(2);
    await shoot(mobile, shots, 'view-phone');
  });

  it('poll variant: the import waits for the expense system’s long-poll; 从票夹选择 offers the folder', async () => {
    const event = await newEvent(h, { billId: 'B-2002', linkKey: 'LK-POLL-1', pushType: 'poll' });
    const page = await pc();
    await page.goto(local(h, event.selectUrl));
    // With it an XML file that is no invoice: the page says which file gave the invoice and which could not be read.
    // Its long name, one word without a space, wraps instead of running out of the line.
    await page.getByTestId('file-input').setInputFiles([polled.file, notAnInvoice(LONG_NAME)]);
    await expect
      .poll(() => rowOf(page, polled.number).getByTestId('check-tag').textContent(), WAIT)
      .toMatch(/^(合规|有提示)$/);
    const outcomes = page.getByTestId('upload-result-file');
    expect(await outcomes.allTextContents()).toEqual([
      `${path.basename(polled.file)}已识别 1 张`,
      expect.stringMatching(new RegExp(`^${LONG_NAME.replaceAll('.', '\\.')}识别失败：.*不是发票`)),
    ]);
    expect(await outcomes.nth(1).getAttribute('data-status')).toBe('failed');
    expect(await outcomes.nth(1).evaluate(fits)).toBe(true);
    await shoot(page, shots, 'select-pc-upload-result');
    expect(await page.getByTestId('items').locator('tr.ant-table-row').count()).toBe(1);
    // The folder: the blocked one and the partly claimed one are there; the fully claimed one is not offered.
    await page.getByTestId('folder-open').click();
    const list = page.getByTestId('folder-list');
    await expect.poll(() => list.textContent(), WAIT).toContain(ours1.number);
    expect(await list.textContent()).not.toContain(ours2.number);
    await shoot(page, shots, 'select-pc-folder');
    await page.getByRole('checkbox', { name: new RegExp(ours1.number) }).check();
    await page.getByTestId('folder-add').click();
    await expect.poll(() => page.getByTestId('items').locator('tr.ant-table-row').count(), WAIT).toBe(2);
    // What remains of the partly claimed one is proposed.
    expect(await page.getByLabel(`报销金额 ${ours1.number}`).inputValue()).toBe('1189.50');
    await page.getByTestId('import').click();
    await expect.poll(() => page.getByTestId('import-done').textContent(), WAIT).toContain('已导入 2 张发票');

    const res = await fetch(`${h.baseUrl}/api/v1/assistant/poll?linkKey=LK-POLL-1&wait=10`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { imports: Array<{ invoiceData: Array<{ number: string }> }> };
    expect(body.imports).toHaveLength(1);
    expect(body.imports[0]?.invoiceData.map((i) => i.number).sort()).toEqual([ours1.number, polled.number].sort());
    // Consumed once: the next poll finds nothing.
    const again = await fetch(`${h.baseUrl}/api/v1/assistant/poll?linkKey=LK-POLL-1&wait=0`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await again.json()) as { imports: unknown[] }).imports).toEqual([]);
  }, 120_000);

  it('phone: 拍照识别 reads the invoice QR with the camera and the invoice appears; import', async () => {
    const socket = await openSocket(h, token, 'LK-PHONE-1');
    try {
      const event = await newEvent(h, { billId: 'B-3003', linkKey: 'LK-PHONE-1', pushType: 'socket' });
      if (!camera) throw new Error('the camera was not launched (beforeAll)');
      const page = await phone(await camera);
      const wasm: string[] = [];
      page.on('request', (r) => {
        if (r.url().endsWith('.wasm')) wasm.push(r.url());
      });
      await page.goto(local(h, event.mobileSelectUrl));
      await expect.poll(() => page.getByTestId('bill-no').textContent(), WAIT).toBe('BX-B-3003');
      await shoot(page, shots, 'select-phone-empty');
      await page.getByTestId('camera-open').click();
      await expect.poll(() => page.getByTestId('camera-msg').textContent(), WAIT).toMatch(/已添加|正在查询/);
      await shoot(page, shots, 'select-phone-camera');
      await page.getByTestId('camera-done').click();
      const card = page.getByTestId('item').filter({ hasText: scanned.number });
      await expect.poll(() => card.count(), WAIT).toBe(1);
      await expect.poll(() => card.getByTestId('check-tag').textContent(), WAIT).toMatch(/^(合规|有提示)$/);
      // The reader's wasm came from our own server.
      expect(wasm).toEqual([`${h.baseUrl}/k/assets/zxing_reader.wasm`]);
      await shoot(page, shots, 'select-phone');
      await page.getByTestId('import').click();
      await expect.poll(() => page.getByTestId('import-done').textContent(), WAIT).toContain('已导入 1 张发票');
      await expect.poll(() => socket.messages.length, WAIT).toBe(1);
      const invoiceData = socket.messages[0]?.invoiceData as Array<{ number: string }>;
      expect(invoiceData.map((i) => i.number)).toEqual([scanned.number]);
    } finally {
      socket.close();
    }
  }, 120_000);

  it('phone: 上传照片 uploads files; a blocked invoice shows red with its reason', async () => {
    const event = await newEvent(h, { billId: 'B-4004', linkKey: 'LK-PHONE-2', pushType: 'poll' });
    const page = await phone();
    await page.goto(local(h, event.mobileSelectUrl));
    await page.getByTestId('photo-input').setInputFiles([theirs.file]);
    const card = page.getByTestId('item').filter({ hasText: theirs.number });
    await expect.poll(() => card.getByTestId('check-tag').textContent(), WAIT).toBe('不可报销');
    expect(await card.getByTestId('check-reasons').textContent()).toContain('抬头');
    expect(await page.getByTestId('import').isDisabled()).toBe(true);
    await shoot(page, shots, 'select-phone-blocked');
  });

  it('a refused 导入单据 shows the server’s Chinese message (the console’s api() error handling), once', async () => {
    const taken = await issueInvoice(h, token, dir, { name: DEMO_ORG, taxId: h.creds.sellerTaxId }, 'xml');
    const event = await newEvent(h, { billId: 'B-6006', linkKey: 'LK-REFUSED', pushType: 'poll' });
    const page = await pc();
    await page.goto(local(h, event.selectUrl));
    await page.getByTestId('file-input').setInputFiles([taken.file]);
    await expect
      .poll(() => rowOf(page, taken.number).getByTestId('check-tag').textContent(), WAIT)
      .toMatch(/^(合规|有提示)$/);
    await expect.poll(() => page.getByTestId('chosen-summary').textContent(), WAIT).toContain('已选 1 张');
    // Meanwhile another bill of the expense system claims all of it: the page still offers it, the server refuses.
    const item = await poolItem(taken.number);
    const total = ((await h.api('GET', `/api/v1/received-invoices/${item.id}`)).json.totals as { total: string }).total;
    const saved = await h.api('PUT', '/api/v1/bills/OA/B-6007', {
      status: 'in_use',
      invoices: [{ invoiceId: item.id, amount: total }],
    });
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    await page.getByTestId('import').click();
    await expect
      .poll(() => page.getByTestId('import-error').textContent(), WAIT)
      .toBe('1 张发票不能导入单据：发票已全额报销');
    await shoot(page, shots, 'select-pc-refused');
  });

  it('an ended event code (replaced by a newer one, or none) shows the error page', async () => {
    const first = await newEvent(h, { billId: 'B-5005', linkKey: 'LK-END', pushType: 'poll' });
    await newEvent(h, { billId: 'B-5005', linkKey: 'LK-END', pushType: 'poll' });
    const page = await pc();
    await page.goto(local(h, first.selectUrl));
    await expect
      .poll(() => page.getByTestId('event-ended').textContent(), WAIT)
      .toContain('事件码已失效，请从报销单重新打开');
    await shoot(page, shots, 'ended-pc');
    const mobile = await phone();
    await mobile.goto(`${h.baseUrl}/assistant/m/view`);
    await expect.poll(() => mobile.getByTestId('event-ended').textContent(), WAIT).toContain('事件码已失效');
    await shoot(mobile, shots, 'ended-phone');
    expect(h.cspViolations).toEqual([]);
  }, 60_000);

  it('a 员工 user logs into the console and sees only 我的票夹, uploads into it', async () => {
    const login = await fetch(`${h.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: h.creds.adminUser, password: h.creds.adminPassword }),
    });
    const cookie = /^(ofp_session=[^;]*)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
    const created = await fetch(`${h.baseUrl}/api/v1/users`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'zhang.san',
        displayName: '张三',
        password: 'Employee-pw-123',
        role: 'employee',
      }),
    });
    expect(created.status).toBe(201);
    const page = await pc();
    await h.login(page, 'zhang.san', 'Employee-pw-123');
    await page.waitForURL(/\/console\/folder/);
    const menu = page.locator('.ant-layout-sider .ant-menu-item');
    await expect.poll(() => menu.count(), WAIT).toBe(1);
    expect(await menu.textContent()).toBe('我的票夹');
    await page.getByTestId('folder-upload').click();
    await page.getByTestId('upload-input').setInputFiles([own.file, notAnInvoice(`采购单-${LONG_NAME}`)]);
    await page.getByTestId('folder-upload-submit').click();
    // The dialog lists both files' outcomes: the invoice read, the other one's reason.
    const outcomes = page.getByTestId('upload-result-file');
    await expect.poll(() => outcomes.count(), WAIT).toBe(2);
    expect(await outcomes.allTextContents()).toEqual([
      `${path.basename(own.file)}已识别 1 张`,
      expect.stringMatching(new RegExp(`^采购单-${LONG_NAME.replaceAll('.', '\\.')}识别失败：.*不是发票`)),
    ]);
    // The long name wraps inside the dialog.
    expect(await outcomes.nth(1).evaluate(fits)).toBe(true);
    expect(await page.locator('.ant-modal-body').evaluate(fits)).toBe(true);
    expect(await page.getByTestId('upload-result-summary').textContent()).toBe(
      '共 2 个文件，识别出 1 张发票，1 个识别失败',
    );
    await shoot(page, shots, 'folder-upload-result');
    await page.getByTestId('upload-done').click();
    const row = page.getByTestId('folder').locator('tr.ant-table-row', { hasText: own.number });
    await expect.poll(() => row.count(), WAIT).toBe(1);
    expect(await row.getByTestId('folder-usage').textContent()).toContain('未报销');
    await expect.poll(() => page.locator('.ant-modal-wrap:visible').count(), WAIT).toBe(0);
    await shoot(page, shots, 'folder-employee');
    await row.getByTestId('folder-item-open').click();
    await expect.poll(() => page.getByTestId('folder-drawer').isVisible(), WAIT).toBe(true);
    await shoot(page, shots, 'folder-employee-item');
  });
});
