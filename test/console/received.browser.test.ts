import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { fetchToken } from '../helpers/processes.js';
import { BUYER_USCC, blueRequest } from '../invoicing/invoicing-kit.js';
import { describeBrowser } from '../scan/browser-kit.js';
import { type ConsoleHarness, chooseOption, HAS_CHROMIUM, startConsole } from './console-kit.js';

if (!HAS_CHROMIUM) console.warn('收票 console browser tests skipped: /usr/bin/chromium is not installed');

/** The 收票 pages (收票箱, 进项发票, an item, 合规规则) in headless Chromium against a real server with the demo seed. */
describeBrowser('console 收票 pages in headless Chromium', () => {
  let h: ConsoleHarness;
  let context: BrowserContext;
  let page: Page;
  let baseUrl = '';
  let dir = '';
  let token = '';
  const WAIT = { timeout: 20_000 };
  const shot = (name: string) => h.shot(page, name);
  /** Invoices the demo seller issues: one to the demo company itself, one to another company. */
  const ours = { number: '', file: '' };
  const theirs = { number: '', file: '' };
  const DEMO_ORG = '上海开源发票演示有限公司';

  async function issue(buyer: { name: string; taxId: string }, format: 'pdf' | 'xml', into: typeof ours) {
    const res = await h.api('POST', '/api/v1/invoices?wait=10', {
      ...blueRequest({ sellerTaxId: h.creds.sellerTaxId } as never),
      buyer,
    });
    expect(res.json.status, JSON.stringify(res.json)).toBe('issued');
    into.number = res.json.number as string;
    const file = await fetch(`${baseUrl}/api/v1/invoices/${res.json.serialNo as string}/files/${format}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(file.status).toBe(200);
    into.file = path.join(dir, `${into.number}.${format}`);
    fs.writeFileSync(into.file, Buffer.from(await file.arrayBuffer()));
  }

  /** In the page: nothing inside the element runs past its right edge. */
  const fits = (e: unknown) => {
    const box = e as { scrollWidth: number; clientWidth: number };
    return box.scrollWidth <= box.clientWidth;
  };
  /**
   * Waits for the PDF viewer in `frame` to paint the invoice, for the screenshot (the viewer is a plugin: no event in
   * the page tells): its picture shows both the viewer's dark backdrop and the white page (an empty frame is all white,
   * the viewer before its first paint all dark), the same in two looks in a row.
   */
  async function pdfPainted(frame: Locator) {
    let last: Buffer | undefined;
    await expect
      .poll(
        async () => {
          const { data, info } = await sharp(await frame.screenshot())
            .greyscale()
            .raw()
            .toBuffer({ resolveWithObject: true });
          const pixels = info.width * info.height;
          let white = 0;
          let dark = 0;
          for (const v of data) {
            if (v > 240) white++;
            else if (v < 100) dark++;
          }
          const same = last?.equals(data) ?? false;
          last = data;
          return white > pixels / 10 && dark > pixels / 10 && same;
        },
        { ...WAIT, interval: 200 },
      )
      .toBe(true);
  }

  beforeAll(async () => {
    h = await startConsole();
    baseUrl = h.baseUrl;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-received-e2e-'));
    token = await fetchToken(baseUrl, h.creds);
    // The two invoices are issued at once (the server's worker runs their jobs side by side), and the page opens
    // meanwhile.
    [, , { context, page }] = await Promise.all([
      issue({ name: DEMO_ORG, taxId: h.creds.sellerTaxId }, 'pdf', ours),
      issue({ name: '北京别家科技有限公司', taxId: BUYER_USCC }, 'xml', theirs),
      h.newPage(),
    ]);
  }, 180_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page)
      await shot(`failed-rcv-${ctx.task.name.slice(0, 12)}`).catch(() => {});
  });
  afterAll(async () => {
    await context?.close();
    await h?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uploads three files in 收票箱, each one’s outcome shown (one is no invoice), and lists the two invoices in 进项发票 with verification and compliance tags', async () => {
    // An XML file that is no invoice: taken, stored, and answered as unreadable. Its long name, one word without a
    // space, wraps in the dialog instead of running out of it.
    const badName = 'purchase-order_2026-12-03_shanghai-jingan-store_0000000123456789_attachment-final.xml';
    const bad = path.join(dir, badName);
    fs.writeFileSync(bad, '<?xml version="1.0"?><order><id>1</id></order>');
    await h.login(page, undefined, undefined, '/received/inbox');
    await expect.poll(() => page.getByText('收票', { exact: true }).isVisible(), WAIT).toBe(true);
    await page.getByTestId('upload-open').click();
    await page.getByTestId('upload-input').setInputFiles([ours.file, bad, theirs.file]);
    await expect.poll(() => page.getByTestId('upload-files').locator('li').count(), WAIT).toBe(3);
    await page.getByTestId('upload-submit').click();
    // The dialog says what became of each file, in the order they were chosen.
    const outcomes = page.getByTestId('upload-result-file');
    // (The first intake of the server starts its parse pool: on a loaded machine that takes a while.)
    await expect.poll(() => outcomes.count(), { timeout: 60_000 }).toBe(3);
    expect(await outcomes.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-status')))).toEqual([
      'ok',
      'failed',
      'ok',
    ]);
    expect(await outcomes.nth(0).textContent()).toBe(`${path.basename(ours.file)}已识别 1 张`);
    expect((await outcomes.nth(1).textContent())?.startsWith(`${badName}识别失败：`)).toBe(true);
    expect(await outcomes.nth(1).textContent()).toMatch(/不是发票/);
    // Nothing of the line runs past the dialog: its name wraps.
    expect(await outcomes.nth(1).evaluate(fits)).toBe(true);
    expect(await page.locator('.ant-modal-body').evaluate(fits)).toBe(true);
    expect(await outcomes.nth(2).textContent()).toBe(`${path.basename(theirs.file)}已识别 1 张`);
    expect(await page.getByTestId('upload-result-summary').textContent()).toBe(
      '共 3 个文件，识别出 2 张发票，1 个识别失败',
    );
    await shot('received-upload-result');
    // The inbox behind it has all three, the failed one with its reason.
    const rows = page.getByTestId('received-files').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count(), WAIT).toBe(3);
    await expect.poll(() => page.getByTestId('received-files').textContent(), WAIT).toContain('识别 1 张');
    await page.getByTestId('upload-done').click();
    await expect.poll(() => page.locator('.ant-modal-wrap:visible').count(), WAIT).toBe(0);
    await shot('received-inbox');
    // Its long name does not push 大小 and 解析结果 (or anything) off the right edge of the list: it is cut short with
    // an ellipsis, whole in its title.
    const inbox = page.getByTestId('received-files');
    expect(await inbox.locator('.ant-table-content').evaluate(fits)).toBe(true);
    const longName = inbox.getByTestId('file-name').filter({ hasText: badName });
    expect(await longName.getAttribute('title')).toBe(badName);
    expect(await longName.evaluate(fits)).toBe(false);
    // 提交人 shows who uploaded it by name, their id on hover.
    const files = await h.api('GET', '/api/v1/received-files?limit=10');
    const listed = (files.json.items as { fileName: string; broughtBy: string; broughtByName: string }[]).find(
      (f) => f.fileName === badName,
    );
    expect(listed?.broughtByName).toBeTruthy();
    expect(listed?.broughtByName).not.toBe(listed?.broughtBy);
    const uploader = inbox.locator('tr.ant-table-row', { hasText: badName }).locator(`[title="${listed?.broughtBy}"]`);
    expect(await uploader.textContent()).toBe(listed?.broughtByName);

    await page.getByRole('link', { name: '进项发票' }).click();
    await page.waitForURL(/\/console\/received\/invoices$/);
    const table = page.getByTestId('received-invoices');
    const row = (n: string) => table.locator('tr.ant-table-row', { hasText: n });
    await expect.poll(() => row(ours.number).count(), WAIT).toBe(1);
    // The processing job settles compliance; the list shows it after a refresh (查询).
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: /查\s*询/ }).click();
        return row(theirs.number).getByTestId('compliance-tag').textContent();
      }, WAIT)
      .toBe('拦截');
    // 查验 follows intake: the sandbox platform knows every invoice issued on this instance (正常).
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: /查\s*询/ }).click();
        return row(ours.number).textContent();
      }, WAIT)
      .toContain('正常');
    expect(await row(ours.number).getByTestId('compliance-tag').textContent()).toBe('合规');
    await shot('received-invoices');

    // Filters live in the URL.
    await page.getByLabel('发票号码', { exact: true }).fill(theirs.number);
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.waitForURL(new RegExp(`q=${theirs.number}`));
    await expect.poll(() => table.locator('tr.ant-table-row').count(), WAIT).toBe(1);
  });

  it('shows an item: the original beside its fields with sources, and the blocking reason', async () => {
    await page.getByTestId('received-invoices').locator('tr.ant-table-row', { hasText: theirs.number }).click();
    await page.waitForURL(/\/console\/received\/invoices\/rcv_/);
    const item = page.getByTestId('received-item');
    await expect.poll(() => item.isVisible(), WAIT).toBe(true);
    expect(await page.getByTestId('item-compliance').textContent()).toBe('合规：拦截');
    const findings = page.getByTestId('findings');
    expect(await findings.textContent()).toContain('购买方“北京别家科技有限公司”不是本企业');
    expect(await page.getByTestId('fields').textContent()).toContain(theirs.number);
    // An XML original is offered as a download.
    await expect.poll(() => page.getByTestId('original-download').isVisible(), WAIT).toBe(true);

    // The PDF of the other invoice is shown in a frame beside the fields, each with its source.
    await page.goto(`${baseUrl}/console/received/invoices?q=${ours.number}`);
    await page.getByTestId('received-invoices').locator('tr.ant-table-row', { hasText: ours.number }).click();
    await expect.poll(() => page.getByTestId('original-pdf').isVisible(), WAIT).toBe(true);
    const fields = (await page.getByTestId('fields').textContent()) ?? '';
    expect(fields).toContain(ours.number);
    expect(fields).toContain(DEMO_ORG);
    expect(fields).toMatch(/XML|PDF 文字层/);
    expect(await page.getByTestId('item-compliance').textContent()).toBe('合规：合规');
    await pdfPainted(page.getByTestId('original-pdf'));
    await shot('received-item');
  });

  it('changes a rule in 合规规则 and the item’s result follows', async () => {
    const itemUrl = page.url();
    await page.goto(`${baseUrl}/console/received/rules`);
    const table = page.getByTestId('rules-table');
    await expect.poll(() => table.isVisible(), WAIT).toBe(true);
    expect(await page.getByTestId('rules-source').textContent()).toContain('系统默认');
    await page.getByTestId('rule-enabled-maxAmount').click();
    await chooseOption(page, page.getByTestId('rule-level-maxAmount'), '拦截');
    await page.getByTestId('param-maxAmount').fill('100.00');
    await page.getByTestId('rules-save').click();
    await expect.poll(() => page.getByTestId('rules-source').textContent(), WAIT).toContain('租户默认');
    await shot('received-rules');

    await page.goto(itemUrl);
    await expect
      .poll(async () => {
        await page.reload();
        await page.getByTestId('item-compliance').waitFor(WAIT);
        return page.getByTestId('item-compliance').textContent();
      }, WAIT)
      .toBe('合规：拦截');
    expect(await page.getByTestId('findings').textContent()).toContain('超过上限 100.00');
  });
});
