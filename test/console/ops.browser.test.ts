import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { waitFor, waitForValue } from '../helpers/wait.js';
import { BUYER_USCC, blueRequest, issueBlueOverHttp } from '../invoicing/invoicing-kit.js';
import { describeBrowser } from '../scan/browser-kit.js';
import { type ConsoleHarness, chooseOption, SHOTS, startConsole } from './console-kit.js';

interface AuditEntry {
  action: string;
  actor: { kind: string; name: string };
  target: { type: string; id: string };
  diff: Record<string, { from: unknown; to: unknown }>;
}

/**
 * Issue #13, console operations in headless Chromium against the real server: a partial red from the 销项发票
 * drawer, a re-send by e-mail, a failed request fixed and resubmitted on 开票监控, a red form confirmed on 红字确认单
 * — each in the audit log — and a 开票员 denied the red action in the page and by the API.
 */
describeBrowser('console operations in headless Chromium', () => {
  let h: ConsoleHarness;
  let context: BrowserContext;
  let page: Page;
  let baseUrl = '';
  let creds: ConsoleHarness['creds'];
  /** The demo admin's API session (cookie + CSRF token), for what API apps may not do: users, the audit log. */
  let admin: { cookie: string; csrf: string };
  const tag = Date.now().toString(36);
  let blueSerial = '';
  let failedSerial = '';
  let pendingForm: { id: string; formNo: string; redSerialNo: string };
  const shot = (name: string) => h.shot(page, name);
  const api = (method: string, url: string, body?: unknown) => h.api(method, url, body);

  const asAdmin = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const audit = async (target: string, action: string): Promise<AuditEntry[]> => {
    const q = new URLSearchParams({ target, action });
    const res = await asAdmin('GET', `/api/v1/audit-log?${q}`);
    expect(res.status).toBe(200);
    return res.json.items as AuditEntry[];
  };
  /** A 数电普票 of the demo seller (invoicing-kit's `blueRequest`), issued. */
  const issueBlue = (serialNo: string) => issueBlueOverHttp(api, creds.sellerTaxId, { serialNo });
  const statusOf = async (serialNo: string) => (await api('GET', `/api/v1/invoices/${serialNo}`)).json.status;

  beforeAll(async () => {
    h = await startConsole();
    ({ baseUrl, creds } = h);
    /** The admin's session; meanwhile the browser opens its page. */
    const signIn = async () => {
      const login = await fetch(`${baseUrl}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: creds.adminUser, password: creds.adminPassword }),
      });
      expect(login.status).toBe(200);
      admin = {
        cookie: /^(ofp_session=[^;]*)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? '',
        csrf: ((await login.json()) as { csrfToken: string }).csrfToken,
      };
    };
    // A blue invoice to red partially; a request the channel refuses; a red form waiting for the buyer. The blue one
    // is issued while the sandbox's rules change (they touch only that buyer name and reds), the refused request and
    // the red form side by side.
    blueSerial = `OPS-BLUE-${tag}`;
    failedSerial = `OPS-FAIL-${tag}`;
    const refuse = async () => {
      const refused = blueRequest(
        { sellerTaxId: creds.sellerTaxId },
        { serialNo: failedSerial, buyer: { name: '抬头有误的测试有限公司', taxId: BUYER_USCC } },
      );
      await api('POST', '/api/v1/invoices?wait=10', refused);
      await waitFor(`${failedSerial} failed`, async () => (await statusOf(failedSerial)) === 'failed');
    };
    const formPending = async () => {
      const formBlue = `OPS-FORM-${tag}`;
      await issueBlue(formBlue);
      const redSerialNo = `OPS-FORMRED-${tag}`;
      expect((await api('POST', `/api/v1/invoices/${formBlue}/red`, { redSerialNo, reason: '01' })).status).toBe(202);
      pendingForm = await waitForValue(`the red form of ${redSerialNo} waiting for the buyer`, async () =>
        ((await api('GET', '/api/v1/red-forms?status=pending_buyer')).json.items as (typeof pendingForm)[]).find(
          (f) => f.redSerialNo === redSerialNo,
        ),
      );
    };
    const sandboxed = async () => {
      const rules = await api('PUT', '/api/v1/sandbox/settings', {
        rules: [
          {
            when: { buyerNameContains: '抬头有误' },
            fail: 'permanent',
            code: 'BUYER_NAME_REJECTED',
            message: '购买方名称与税号不匹配',
          },
        ],
        redFormBuyerDecision: 'manual',
      });
      expect(rules.status, JSON.stringify(rules.json)).toBe(200);
      await Promise.all([refuse(), formPending()]);
      // Reds from the drawer are confirmed by the (simulated) buyer at once again.
      const back = await api('PUT', '/api/v1/sandbox/settings', { redFormBuyerDecision: 'auto_confirm' });
      expect(back.status, JSON.stringify(back.json)).toBe(200);
    };
    [, , , { context, page }] = await Promise.all([signIn(), issueBlue(blueSerial), sandboxed(), h.newPage()]);
  }, 120_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page)
      await shot(`ops-failed-${ctx.task.name.slice(0, 12)}`).catch(() => {});
  });
  afterAll(async () => {
    await context?.close();
    await h?.stop();
  });

  it('reds an invoice partially from the 销项发票 drawer: the red invoice reverses exactly that', async () => {
    await h.login(page, undefined, undefined, `/invoices?serialNo=${blueSerial}&open=${blueSerial}`);
    const drawer = page.locator('.invoice-drawer');
    await drawer.getByRole('button', { name: /红\s*冲$/ }).click();
    const modal = page.locator('.ant-modal').filter({ hasText: '提交红冲' });
    // A click while the dialog still zooms in can miss (CI saw 全额红冲 left chosen): click until the radio is on.
    await h.settled(page);
    const partial = modal.getByRole('radio', { name: '部分红冲' });
    await expect
      .poll(async () => {
        if (!(await partial.isChecked())) await modal.getByText('部分红冲').click();
        return partial.isChecked();
      })
      .toBe(true);
    // 开票有误 reverses in full only (RED_PARTIAL_NOT_ALLOWED): a partial red is a 销售折让.
    await chooseOption(page, modal.getByLabel('红冲原因'), '04 销售折让');
    await modal.getByLabel(/^第 1 行 /).fill('300.00');
    await modal.getByRole('button', { name: '提交红冲' }).click();
    await expect.poll(() => page.getByText(/红字发票 /).isVisible(), { timeout: 15_000 }).toBe(true);

    const blue = await waitForValue(`${blueSerial} partially reversed`, async () => {
      const view = (await api('GET', `/api/v1/invoices/${blueSerial}`)).json;
      return view.status === 'partially_reversed' ? view : undefined;
    });
    expect(blue).toMatchObject({ status: 'partially_reversed', reversed: { amount: '300.00', tax: '18.00' } });
    const reds = blue.reds as { serialNo: string }[];
    expect(reds).toHaveLength(1);
    const red = (await api('GET', `/api/v1/invoices/${reds[0]!.serialNo}`)).json;
    expect(red).toMatchObject({
      status: 'issued',
      isRed: true,
      totals: { amount: '-300.00', tax: '-18.00', total: '-318.00' },
    });
    expect((red.lines as { amount: string }[]).map((l) => l.amount)).toEqual(['-300.00']);
    const [entry] = await audit(blueSerial, 'invoices.red');
    expect(entry).toMatchObject({ actor: { kind: 'user', name: creds.adminUser } });
    expect(entry?.diff.red?.to).toMatchObject({ partial: true, amount: '-300.00', tax: '-18.00' });
  });

  it('re-sends the invoice by e-mail from the drawer: the outbox has the message', async () => {
    const email = `ops-${tag}@example.com`;
    const drawer = page.locator('.invoice-drawer');
    await drawer.getByRole('button', { name: '重新交付' }).click();
    const modal = page.locator('.ant-modal').filter({ hasText: '重新交付发票' });
    await modal.getByLabel('收票邮箱').fill(email);
    await modal.getByRole('button', { name: /发\s*送/ }).click();
    await expect.poll(() => page.getByText('已提交交付').isVisible(), { timeout: 10_000 }).toBe(true);
    const message = await waitForValue(`the outbox's message to ${email}`, async () =>
      ((await api('GET', '/api/v1/outbox')).json.items as { recipient: string; attachments: unknown[] }[]).find(
        (m) => m.recipient === email,
      ),
    );
    expect(message?.attachments.length).toBeGreaterThan(0);
    expect(await audit(blueSerial, 'delivery.buyer.resend')).toHaveLength(1);
    await page.keyboard.press('Escape');
  });

  it('开票监控 shows the failed request with its reason; edited and resubmitted it is issued', async () => {
    await page.goto(`${baseUrl}/console/monitor`);
    const row = page.locator('tr', { hasText: failedSerial });
    await expect
      .poll(() => row.getByTestId('failure-reason').textContent(), { timeout: 10_000 })
      .toContain('购买方名称与税号不匹配');
    await shot('monitor');
    await row.getByRole('button', { name: '修改并重新提交' }).click();
    const modal = page.locator('.ant-modal').filter({ hasText: '保存并重新提交' });
    const name = modal.getByLabel('购买方名称');
    await expect.poll(() => name.inputValue(), { timeout: 10_000 }).toBe('抬头有误的测试有限公司');
    await name.fill('北京正确抬头科技有限公司');
    await shot('monitor-edit');
    await modal.getByRole('button', { name: '保存并重新提交' }).click();
    await expect.poll(() => page.getByText(/已修改并重新提交 .*已开具/).isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.locator('tr', { hasText: failedSerial }).count()).toBe(0);

    const fixed = (await api('GET', `/api/v1/invoices/${failedSerial}`)).json;
    expect(fixed).toMatchObject({ status: 'issued', failure: null, buyer: { name: '北京正确抬头科技有限公司' } });
    const [update] = await audit(failedSerial, 'invoices.update');
    expect(update?.diff.buyerName).toEqual({ from: '抬头有误的测试有限公司', to: '北京正确抬头科技有限公司' });
    expect(await audit(failedSerial, 'invoices.retry')).toHaveLength(1);
  });

  it('红字确认单 shows the pending form with its deadline; confirmed, its red invoice is issued', async () => {
    // When the channel cannot be asked for a form just then, the list answers its stored status with `stale: true`
    // (invoicing.red.test.ts makes the server do so); the page says the status is not synchronised.
    const listRoute = /\/api\/v1\/red-forms\?/;
    await page.route(listRoute, async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { items: Array<{ id: string; stale?: boolean }> };
      for (const f of body.items) if (f.id === pendingForm.id) f.stale = true;
      await route.fulfill({ response: res, json: body });
    });
    await page.goto(`${baseUrl}/console/red-forms`);
    const row = page.locator('tr', { hasText: pendingForm.formNo });
    await expect.poll(() => row.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await row.textContent()).toContain('暂未同步');
    await page.unroute(listRoute);
    await page.reload();
    await expect.poll(() => row.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await row.textContent()).toContain('待购方确认');
    expect(await row.textContent()).not.toContain('暂未同步');
    expect(await row.textContent()).toMatch(/剩余/);
    await shot('red-forms');
    await row.getByRole('button', { name: /确\s*认/ }).click();
    const modal = page.locator('.ant-modal').filter({ hasText: `确认红字确认单 ${pendingForm.formNo}` });
    await modal.getByLabel('确认说明（可选）').fill('购方电话确认');
    await modal.getByRole('button', { name: /^确\s*认$/ }).click();
    await expect
      .poll(() => page.getByText(`确认单 ${pendingForm.formNo}：购方已确认`).isVisible(), { timeout: 10_000 })
      .toBe(true);
    // The list shows pending forms by default: the confirmed one leaves it.
    await expect.poll(() => page.locator('tr', { hasText: pendingForm.formNo }).count()).toBe(0);
    await waitFor(
      `${pendingForm.redSerialNo} issued`,
      async () => (await statusOf(pendingForm.redSerialNo)) === 'issued',
    );
    const [entry] = await audit(pendingForm.formNo, 'red_forms.confirm');
    expect(entry).toMatchObject({
      actor: { kind: 'user', name: creds.adminUser },
      diff: { status: { from: 'pending_buyer', to: 'confirmed' }, reason: { from: null, to: '购方电话确认' } },
    });
  });

  it('a 开票员 sees no 红冲 button, and the API refuses the red with 403 FORBIDDEN naming invoices.red', async () => {
    const username = `clerk-${tag}`;
    const password = `Clerk-${tag}-pw-123`;
    const created = await asAdmin('POST', '/api/v1/users', {
      username,
      password,
      role: 'clerk',
      orgTaxIds: [creds.sellerTaxId],
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const clerk = await h.newPage();
    try {
      const other = `OPS-CLERK-${tag}`;
      // The clerk's first page is this invoice's drawer.
      await issueBlue(other);
      await h.login(clerk.page, username, password, `/invoices?serialNo=${other}&open=${other}`);
      const drawer = clerk.page.locator('.invoice-drawer');
      // The drawer is there with the clerk's actions, and without 红冲.
      await expect
        .poll(() => drawer.getByRole('button', { name: '重新交付' }).isVisible(), { timeout: 10_000 })
        .toBe(true);
      expect(await drawer.getByRole('button', { name: /红\s*冲$/ }).count()).toBe(0);
      await clerk.page.goto(`${baseUrl}/console/red-forms?status=all`);
      // Their org's forms are listed (status=all: the one confirmed above), without 确认 / 否认.
      await expect
        .poll(() => clerk.page.locator('tr', { hasText: pendingForm.formNo }).count(), { timeout: 10_000 })
        .toBe(1);
      expect(await clerk.page.getByRole('button', { name: /(确\s*认|否\s*认)$/ }).count()).toBe(0);

      const session = await clerk.page.request.get(`${baseUrl}/api/v1/session`);
      const csrf = ((await session.json()) as { csrfToken: string }).csrfToken;
      const refused = await clerk.page.request.post(`${baseUrl}/api/v1/invoices/${other}/red`, {
        headers: { 'x-csrf-token': csrf },
        data: { redSerialNo: `OPS-CLERKRED-${tag}`, reason: '01' },
      });
      expect(refused.status()).toBe(403);
      const error = ((await refused.json()) as { error: { code: string; message: string; details: unknown } }).error;
      expect(error).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'invoices.red' } });
      expect(error.message).toContain('invoices.red');
      expect((await api('GET', `/api/v1/invoices/${other}`)).json.status).toBe('issued');
    } finally {
      await clerk.context.close();
    }
  });

  it('reported no Content Security Policy violation', () => {
    expect(h.cspViolations).toEqual([]);
    // The screenshots docs/console.md shows.
    for (const name of ['monitor', 'red-forms'])
      expect(fs.existsSync(path.join(SHOTS, `console-${name}.png`))).toBe(true);
  });
});
