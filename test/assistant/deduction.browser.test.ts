/**
 * 抵扣勾选 in headless Chromium against a real server with the demo seed: a 数电专票 issued on this instance to the
 * demo company is entered in the pool and verified by the sandbox (正常); on /console/deduction the user ticks it,
 * selects it (勾选) — the row shows 已勾选, here and as the pool's 抵扣 tag — and confirms the period in the modal:
 * the period shows 已确认勾选 and can no longer change, and the pool's tag says 已抵扣.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type ConsoleHarness, HAS_CHROMIUM, startConsole } from '../console/console-kit.js';
import { blueRequest } from '../invoicing/invoicing-kit.js';
import { describeBrowser } from '../scan/browser-kit.js';

if (!HAS_CHROMIUM) console.warn('抵扣勾选 browser test skipped: /usr/bin/chromium is not installed');

describeBrowser('console 抵扣勾选 in headless Chromium', () => {
  let h: ConsoleHarness;
  let context: BrowserContext;
  let page: Page;
  const WAIT = { timeout: 60_000 };
  let number = '';

  beforeAll(async () => {
    h = await startConsole();
    ({ context, page } = await h.newPage());
  }, 180_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await h.shot(page, 'failed-deduction').catch(() => {});
  });
  afterAll(async () => {
    await context?.close();
    await h?.stop();
  });

  it('selects an invoice with its checkbox and confirms the period', async () => {
    const issued = await h.api('POST', '/api/v1/invoices?wait=10', {
      ...blueRequest({ sellerTaxId: h.creds.sellerTaxId } as never),
      kind: '81',
      buyer: { name: '上海开源发票演示有限公司', taxId: h.creds.sellerTaxId },
    });
    const serialNo = issued.json.serialNo as string;
    // The machine may be busy: wait for the issue job rather than trusting ?wait.
    let invoice: Record<string, unknown> = issued.json;
    await expect
      .poll(
        async () => {
          invoice = (await h.api('GET', `/api/v1/invoices/${serialNo}`)).json;
          return invoice.status;
        },
        { timeout: 60_000 },
      )
      .toBe('issued');
    number = invoice.number as string;
    const totals = invoice.totals as { total: string };
    const entered = await h.api('POST', '/api/v1/received-invoices', {
      number,
      issueDate: (invoice.issuedAt as string).slice(0, 10),
      total: totals.total,
      kind: '81',
    });
    expect(entered.status, JSON.stringify(entered.json)).toBe(201);
    const id = (entered.json.items as Array<{ id: string }>)[0]!.id;
    // 查验 follows the entry (the sandbox knows every invoice issued here): wait for 正常.
    await expect
      .poll(async () => {
        const item = await h.api('GET', `/api/v1/received-invoices/${id}`);
        return (item.json.verification as { status: string }).status;
      }, WAIT)
      .toBe('normal');
    await h.login(page);
    await page.goto(`${h.baseUrl}/console/deduction?buyer=${h.creds.sellerTaxId}`);
    const row = page.locator('tr.ant-table-row', { hasText: number });
    await expect.poll(() => row.count(), WAIT).toBe(1);
    expect(await row.textContent()).toContain('电子发票（增值税专用发票）');
    await row.locator('input[type=checkbox]').check();
    await page.getByRole('button', { name: /勾选（1）/ }).click();
    await expect.poll(() => page.getByText('已勾选', { exact: true }).first().isVisible(), WAIT).toBe(true);
    await expect.poll(() => row.count(), WAIT).toBe(0);

    await page.getByRole('tab', { name: '已勾选' }).click();
    await expect.poll(() => row.count(), WAIT).toBe(1);
    // The row's state after the select: 已勾选, with its full deductible tax as the effective tax.
    const tax = (invoice.totals as { tax: string }).tax;
    expect(await row.locator('.ant-tag').allTextContents()).toContain('已勾选');
    const shown = tax.replace(/^\d+/, (int) => int.replace(/\B(?=(\d{3})+(?!\d))/g, ','));
    expect(await row.textContent()).toContain(shown);
    // The pool shows it too: its 抵扣 tag says 已勾选, with the period in the tooltip's source.
    await page.goto(`${h.baseUrl}/console/received/invoices?q=${number}`);
    const poolRow = page.locator('tr.ant-table-row', { hasText: number });
    await expect.poll(() => poolRow.getByTestId('deduction-tag').textContent(), WAIT).toBe('已勾选');
    await page.goto(`${h.baseUrl}/console/deduction?buyer=${h.creds.sellerTaxId}&tab=selected`);
    await expect.poll(() => row.count(), WAIT).toBe(1);
    await page.getByRole('button', { name: '确认勾选' }).click();
    const modal = page.locator('.ant-modal-wrap:visible');
    await expect.poll(() => modal.textContent(), WAIT).toContain('1 份发票');
    await modal.getByRole('button', { name: /确\s*认/ }).click();
    await expect.poll(() => page.getByText('已确认勾选').first().isVisible(), WAIT).toBe(true);
    await expect.poll(() => row.textContent(), WAIT).toContain('已确认');
    // Locked: no more checkboxes, and the confirm button is disabled.
    expect(await row.locator('input[type=checkbox]').count()).toBe(0);
    expect(await page.getByRole('button', { name: '确认勾选' }).isDisabled()).toBe(true);
    await h.shot(page, 'deduction');
    // Confirmed: the pool's tag says 已抵扣.
    await page.goto(`${h.baseUrl}/console/received/invoices?q=${number}`);
    await expect.poll(() => poolRow.getByTestId('deduction-tag').textContent(), WAIT).toBe('已抵扣');
  }, 120_000);
});
