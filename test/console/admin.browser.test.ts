import fs from 'node:fs';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CATERING } from '../invoicing/invoicing-kit.js';
import { describeBrowser } from '../scan/browser-kit.js';
import { type ConsoleHarness, chooseOption, confirmPopup, HAS_CHROMIUM, startConsole } from './console-kit.js';

if (!HAS_CHROMIUM) console.warn('console admin browser tests skipped: /usr/bin/chromium is not installed');

/** 组织与用户, 审计日志 and 系统 as an admin meets them, and what a 开票员 sees, in headless Chromium. */
describeBrowser('console administration in headless Chromium', () => {
  let h: ConsoleHarness;
  let admin: { context: BrowserContext; page: Page };
  let clerk: { context: BrowserContext; page: Page };
  let baseUrl = '';
  const suffix = Date.now().toString(36);
  const clerkName = `clerk-${suffix}`;
  const clerkPassword = `Kaipiao-${suffix}!`;
  /** Lazy chunks load on 2 busy cores: wait up to 20 s for what the page shows. */
  const until = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });
  const menuOf = async (page: Page) =>
    (await page.locator('.ant-layout-sider .ant-menu-item').allInnerTexts()).map((t) => t.trim());
  /** A button by its text (antd puts a space between two CJK characters; an icon adds its name before). */
  const button = (page: Page | Locator, name: string) =>
    page.getByRole('button', { name: new RegExp(`(^|\\s)${[...name].join('\\s*')}\\s*$`) });

  beforeAll(async () => {
    h = await startConsole();
    baseUrl = h.baseUrl;
    [admin, clerk] = await Promise.all([h.newPage(), h.newPage()]);
  }, 120_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      await h.shot(admin.page, `failed-admin-${ctx.task.name.slice(0, 12)}`).catch(() => {});
      await h.shot(clerk.page, `failed-clerk-${ctx.task.name.slice(0, 12)}`).catch(() => {});
    }
  });
  afterAll(async () => {
    await admin?.context.close();
    await clerk?.context.close();
    await h?.stop();
  });

  it('shows the seller orgs with their channel binding, a long address cut short', async () => {
    const { page } = admin;
    // A long 地址、电话 (as the 数电 platform allows) is cut short at its column's width, whole in its title: the
    // console's lists are as wide as their content, where antd's column ellipsis never cuts (the cell grew with it).
    const address = `上海市浦东新区${'张江高科技园区碧波路'.repeat(8)}690号`;
    const patched = await h.api('PATCH', `/api/v1/orgs/${h.creds.sellerTaxId}`, { address, phone: '021-50800000' });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    await h.login(page, undefined, undefined, '/orgs');
    const row = page.locator('tbody tr', { hasText: h.creds.sellerTaxId });
    await until(() => row.isVisible()).toBe(true);
    expect(await row.textContent()).toContain('已绑定');
    const fits = (e: unknown) => {
      const box = e as { scrollWidth: number; clientWidth: number };
      return box.scrollWidth <= box.clientWidth;
    };
    const cut = row.locator('.cut-cell', { hasText: '张江高科技园区' });
    expect(await cut.getAttribute('title')).toBe(`${address} 021-50800000`);
    expect(await cut.evaluate(fits)).toBe(false);
    // Its cell keeps the column's 260 px (it grew to the text's ~1 300 px before).
    const cellWidth = await cut
      .locator('xpath=ancestor::td[1]')
      .evaluate((e) => (e as { offsetWidth: number }).offsetWidth);
    expect(cellWidth).toBeLessThanOrEqual(261);
    await h.shot(page, 'orgs');
  });

  it('lets the admin create a 开票员 for one seller org', async () => {
    const { page } = admin;
    await page.goto(`${baseUrl}/console/users`);
    await button(page, '新增用户').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('用户名').fill(clerkName);
    await dialog.getByLabel('姓名').fill('王开票');
    // 开票员 is the default role; it needs its seller orgs.
    // (chooseOption: a run on a loaded machine saw the option's click miss and the Select stay empty.)
    await chooseOption(page, dialog.getByLabel('负责的销方'), h.creds.sellerTaxId);
    // Close the options by moving on to the next field (Escape could also reach the dialog and close it).
    await dialog.getByLabel('初始密码').click();
    await dialog.getByLabel('初始密码').fill(clerkPassword);
    await dialog.getByLabel('确认密码').fill(clerkPassword);
    expect(await dialog.locator('.ant-select-selection-item').allInnerTexts()).toEqual([
      expect.stringContaining(h.creds.sellerTaxId),
    ]);
    await button(dialog, '保存').click();
    // The dialog closes once the user is saved; if it stays, its form errors tell why.
    await until(async () =>
      (await dialog.isVisible())
        ? (await dialog.locator('.ant-form-item-explain-error').allInnerTexts()).join('；') || 'open'
        : 'closed',
    ).toBe('closed');
    const row = page.locator('tbody tr', { hasText: clerkName });
    await until(() => row.isVisible()).toBe(true);
    expect(await row.textContent()).toMatch(/开票员[\s\S]*启用/);
    await h.shot(page, 'users');
  });

  it('logs the 开票员 in with only the menu entries the role allows', async () => {
    const { page } = clerk;
    await h.login(page, clerkName, clerkPassword);
    await until(() => menuOf(page)).toContain('销项发票');
    const menu = await menuOf(page);
    expect(menu).toEqual(expect.arrayContaining(['工作台', '销项发票', '开具发票', '扫码订单', '销方企业']));
    for (const hidden of ['用户与角色', '审计日志', '系统', '推送记录']) expect(menu).not.toContain(hidden);
    // The admin's menu has them.
    const adminMenu = await menuOf(admin.page);
    expect(adminMenu).toEqual(expect.arrayContaining(['用户与角色', '审计日志', '系统', '销方企业']));
    // The admin sees the clerk's session.
    await admin.page
      .locator('tbody tr', { hasText: clerkName })
      .getByRole('button', { name: /会\s*话/ })
      .click();
    const drawer = admin.page.locator('.ant-drawer');
    await until(() => drawer.locator('.ant-table-row').count()).toBe(1);
    expect(await drawer.textContent()).toContain('127.0.0.1');
    await h.shot(admin.page, 'users-sessions');
    await admin.page.keyboard.press('Escape');
  });

  it('ends the 开票员’s session when the admin disables the user', async () => {
    const { page } = admin;
    const row = page.locator('tbody tr', { hasText: clerkName });
    await button(row, '停用').click();
    await confirmPopup(page, button(page.locator('.ant-popconfirm'), '停用'));
    await until(() => row.textContent()).toContain('已停用');
    // The clerk's next request finds the session ended: back to 登录.
    await clerk.page.goto(`${baseUrl}/console/invoices`);
    await clerk.page.waitForURL(/\/console\/login/);
    // …and a disabled user cannot log in again.
    await clerk.page.getByPlaceholder('用户名').fill(clerkName);
    await clerk.page.getByPlaceholder('密码').fill(clerkPassword);
    await button(clerk.page, '登录').click();
    await until(() => clerk.page.getByTestId('login-error').textContent()).toContain('用户名或密码');
  });

  it('finds those changes in the 审计日志 by actor and action, shows the diff, exports CSV and checks the chain', async () => {
    const { page } = admin;
    await page.goto(`${baseUrl}/console/audit`);
    await page.getByLabel('操作人').fill(h.creds.adminUser);
    await page.getByLabel('操作', { exact: true }).fill('users');
    await page.keyboard.press('Escape'); // close the suggestions over the buttons
    await button(page, '查询').click();
    await page.waitForURL(/action=users/);
    expect(page.url()).toContain(`actor=${h.creds.adminUser}`);
    const created = page.locator('tbody tr', { hasText: '创建用户' });
    const updated = page.locator('tbody tr', { hasText: '修改用户' });
    await until(() => created.count()).toBe(1);
    await until(() => updated.count()).toBe(1);
    await until(() => page.locator('tbody tr', { hasText: '登录' }).count()).toBe(0);

    await updated.click();
    const diff = page.getByTestId('audit-diff');
    await until(() => diff.isVisible()).toBe(true);
    const disabledRow = diff.locator('tbody tr', { hasText: 'disabled' });
    expect((await disabledRow.locator('td').allInnerTexts()).map((t) => t.trim())).toEqual([
      'disabled',
      'false',
      'true',
    ]);
    await h.shot(page, 'audit-detail');
    await page.keyboard.press('Escape');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /导出 CSV/ }).click(),
    ]);
    const csv = fs.readFileSync((await download.path()) ?? '', 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toContain('操作人');
    expect(lines).toHaveLength(3);
    expect(csv).toContain('"users.create"');
    expect(csv).toContain('"users.update"');
    expect(csv).toContain(clerkName);

    await button(page, '校验哈希链').click();
    await until(() => page.getByTestId('audit-verify').textContent()).toContain('哈希链完整');
    await h.shot(page, 'audit');
  });

  it('shows the system overview with the job queue', async () => {
    const { page } = admin;
    // Work for the queue: an invoice issued through the API (its issue and render jobs run on the server's worker).
    const issued = await h.api('POST', '/api/v1/invoices?wait=10', {
      serialNo: `ADMIN-SYS-${suffix}`,
      kind: '82',
      seller: { taxId: h.creds.sellerTaxId },
      buyer: { name: '北京测试科技有限公司', taxId: '91110000600037341L' },
      lines: [{ name: '工作餐', taxCode: CATERING, amount: '100.00', taxRate: '0.06' }],
    });
    expect(issued.status, JSON.stringify(issued.json)).toBe(200);
    await page.goto(`${baseUrl}/console/system`);
    await until(() => page.getByTestId('system-health').textContent()).toBe('正常');
    const queue = page.getByTestId('job-queue');
    expect(await queue.textContent()).toMatch(/排队 \d+/);
    const issueRow = queue.locator('tbody tr', { hasText: 'invoicing/issue-invoice' });
    expect(await issueRow.textContent()).toContain('开具发票');
    expect(await issueRow.locator('td').nth(4).textContent()).toBe('1'); // 成功
    expect(await page.locator('body').textContent()).toContain('不含任何密钥');
    await h.shot(page, 'system');
  });

  it('reported no Content Security Policy violation', () => {
    expect(h.cspViolations).toEqual([]);
  });
});
