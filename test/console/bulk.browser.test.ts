import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CATERING } from '../invoicing/invoicing-kit.js';
import { describeBrowser } from '../scan/browser-kit.js';
import { type ConsoleHarness, startConsole } from './console-kit.js';

/** 销项发票 bulk actions in headless Chromium: 合并打印 of selected rows, CSV export of a filter. */
describeBrowser('console 销项发票 bulk actions in headless Chromium', () => {
  let h: ConsoleHarness;
  let context: BrowserContext;
  let page: Page;
  const buyer = `批量操作${Date.now().toString(36)}有限公司`;
  const invoices: { serialNo: string; number: string }[] = [];

  beforeAll(async () => {
    h = await startConsole();
    for (const [i, amount] of ['1200.00', '880.00', '64.50'].entries()) {
      const serialNo = `BULK-${i}-${Date.now().toString(36)}`;
      const res = await h.api('POST', '/api/v1/invoices?wait=10', {
        serialNo,
        kind: '82',
        seller: { taxId: h.creds.sellerTaxId },
        buyer: { name: buyer, taxId: '91110000600037341L' },
        lines: [{ name: '工作餐', taxCode: CATERING, amount, taxRate: '0.06' }],
      });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      invoices.push({ serialNo, number: String(res.json.number) });
    }
    ({ context, page } = await h.newPage());
  }, 120_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await h.shot(page, `failed-bulk-${ctx.task.name.slice(0, 10)}`);
  });
  afterAll(async () => {
    await context?.close();
    await h?.stop();
  });

  const saved = async (download: import('playwright-core').Download) => {
    const file = path.join(h.dataDir, download.suggestedFilename());
    await download.saveAs(file);
    return { file, bytes: fs.readFileSync(file) };
  };

  it('selects two invoices and prints them 2 per page: one A4 page with both invoice numbers', async () => {
    await h.login(page);
    await page.goto(`${h.baseUrl}/console/invoices?buyerName=${encodeURIComponent(buyer)}`);
    const rows = page.locator('[data-testid="invoice-table"] tbody tr.ant-table-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(3);
    // Newest first: the last two issued.
    const pick = [invoices[2]!, invoices[1]!];
    for (const inv of pick) {
      await page.locator('tr', { hasText: inv.serialNo }).locator('.ant-table-selection-column input').check();
    }
    await expect.poll(() => page.getByTestId('print-button').textContent()).toContain('（2）');
    await page.getByTestId('print-button').click();
    const dialog = page.getByRole('dialog', { name: '合并打印' });
    await dialog.getByLabel('每页 2 张（上下半页）').check();
    await h.shot(page, 'invoices-bulk-print');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: /生成\s*PDF/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('合并打印.pdf');
    const { file, bytes } = await saved(download);
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    for (const inv of pick) expect(text).toContain(inv.number);
    expect(text).not.toContain(invoices[0]!.number);

    // The print is in the audit log, under the console user.
    const log = await page.evaluate(async () => {
      const res = await fetch('/api/v1/audit-log?action=invoices.print');
      return (await res.json()) as { items: { actor: { name: string }; diff: { serialNos?: { to: string[] } } }[] };
    });
    expect(log.items[0]?.diff.serialNos?.to).toEqual(pick.map((i) => i.serialNo));
  });

  it('exports the current filter as CSV: the file’s rows are the filtered invoices', async () => {
    // A fresh page: no selection, so the export takes the filter in the URL.
    await page.goto(`${h.baseUrl}/console/invoices?buyerName=${encodeURIComponent(buyer)}`);
    const rows = page.locator('[data-testid="invoice-table"] tbody tr.ant-table-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(3);
    await page.getByTestId('export-button').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: '导出 CSV（当前筛选）' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('销项发票.csv');
    const { bytes } = await saved(download);
    const text = bytes.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    const header = lines[0]!.split(',').map((c) => c.replace(/^"|"$/g, ''));
    const serialCol = header.indexOf('流水号');
    const numberCol = header.indexOf('发票号码');
    const cells = lines.slice(1).map((l) => l.split('","').map((c) => c.replace(/^"|"$/g, '')));
    expect(cells.map((c) => c[serialCol]).sort()).toEqual(invoices.map((i) => i.serialNo).sort());
    for (const inv of invoices) {
      const row = cells.find((c) => c[serialCol] === inv.serialNo)!;
      expect(row[numberCol]?.replace(/^\t/, '')).toBe(inv.number);
    }
    await h.shot(page, 'invoices-bulk');
    expect(h.cspViolations).toEqual([]);
  });
});
