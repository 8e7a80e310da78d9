import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { demoCredentialsPath } from '../../src/demo-seed.js';
import { fetchToken, freePort, ROOT, type Served, startServer } from '../helpers/processes.js';
import { launchBrowser } from '../scan/browser-kit.js';

export { HAS_CHROMIUM } from '../scan/browser-kit.js';

/** Where browser tests write their screenshots (`console-<name>.png`); docs/images holds the curated ones. */
export const SHOTS = path.join(ROOT, 'test-results/console');
const DIST_INDEX = path.join(ROOT, 'web/console/dist/index.html');

/** The demo seed's credentials (`data/demo-credentials.json`). */
export interface DemoCredentials {
  appId: string;
  appSecret: string;
  adminUser: string;
  adminPassword: string;
  sellerTaxId: string;
}

/** A real server with the demo seed and the built console, a headless Chromium, and an API client with a token. */
export interface ConsoleHarness {
  baseUrl: string;
  dataDir: string;
  browser: Browser;
  creds: DemoCredentials;
  /** An API call as the demo API app (bearer token): JSON in, status and JSON out. */
  api(method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** A fresh browser context (1440×900, zh-CN) and page; CSP violations it reports are collected in `cspViolations`. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  /**
   * Logs `page` in through the login form and waits for the 工作台 or, given `next` (a console path such as
   * `/received/inbox?q=1`), for that page: the login form's own `?next=`, so a test that starts on another page does
   * not load the 工作台 (its charts) first and then the whole console again.
   */
  login(page: Page, username?: string, password?: string, next?: string): Promise<void>;
  /** Every Content Security Policy violation any page reported (docs/console.md#content-security-policy). */
  cspViolations: string[];
  shot(page: Page, name: string): Promise<unknown>;
  /** Waits until `page` runs no animation (a drawer's slide-in, a dialog's zoom): see {@link settled}. */
  settled(page: Page): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the harness; call in `beforeAll` with a 120 s timeout, and `stop()` in `afterAll`. `env` adds to the server's
 * environment. No suite needs a short `JOB_POLL_INTERVAL_MS`: a job the server queues wakes its worker (a due one from
 * the enqueue, a delayed one or a retry by the worker's timer, docs/jobs.md), so the idle poll only matters for jobs
 * another process queued; every suite passed with it at 60 s.
 */
export async function startConsole(env: Record<string, string> = {}): Promise<ConsoleHarness> {
  fs.mkdirSync(SHOTS, { recursive: true });
  // The build `npm install` makes (prepare); a checkout without it builds here once.
  if (!fs.existsSync(DIST_INDEX)) {
    const built = spawnSync(process.execPath, ['scripts/prepare-console.mjs'], { cwd: ROOT, stdio: 'inherit' });
    expect(built.status).toBe(0);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-console-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const [server, browser]: [Served, Browser] = await Promise.all([
    startServer([], {
      DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      LOG_LEVEL: 'warn',
      DEMO_SEED: 'true',
      ...env,
    }),
    launchBrowser(),
  ]);
  const creds = JSON.parse(fs.readFileSync(demoCredentialsPath(dataDir), 'utf8')) as DemoCredentials;
  const token = await fetchToken(baseUrl, creds);
  const cspViolations: string[] = [];
  return {
    baseUrl,
    dataDir,
    browser,
    creds,
    cspViolations,
    async api(method, url, body) {
      const res = await fetch(`${baseUrl}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    },
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      });
      return { context, page };
    },
    async login(page, username = creds.adminUser, password = creds.adminPassword, next) {
      if (next !== undefined) await page.goto(`${baseUrl}/console/login?next=${encodeURIComponent(next)}`);
      else if (!/\/console\/login/.test(page.url())) await page.goto(`${baseUrl}/console/login`);
      await expect.poll(() => page.getByRole('button', { name: /登\s*录/ }).isVisible()).toBe(true);
      await page.getByPlaceholder('用户名').fill(username);
      await page.getByPlaceholder('密码').fill(password);
      await page.getByRole('button', { name: /登\s*录/ }).click();
      await page.waitForURL((url) =>
        next === undefined
          ? !url.pathname.startsWith('/console/login')
          : `${url.pathname}${url.search}` === `/console${next}`,
      );
    },
    settled: (page) => settled(page),
    shot: (page, name) => page.screenshot({ path: path.join(SHOTS, `console-${name}.png`), fullPage: true }),
    async stop() {
      await browser.close();
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Picks `option` in the Ant Design Select that `opener` is (or is inside), checks that the Select shows it, and tries
 * again (at most three times): on a loaded machine a click can land while the dropdown still moves, and the Select
 * keeps its old value (CI saw 税率 left empty and a 红冲原因 left at 01).
 */
export async function chooseOption(page: Page, opener: Locator, option: string | RegExp): Promise<void> {
  const select = opener.locator(
    'xpath=ancestor-or-self::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]',
  );
  const shows = async () => {
    const text = (await select.textContent()) ?? '';
    return typeof option === 'string' ? text.includes(option) : option.test(text);
  };
  for (let attempt = 1; ; attempt++) {
    // A retry opens the dropdown only if the missed click left it closed (a click on the Select toggles it).
    if (attempt === 1 || (await page.locator('.ant-select-dropdown:visible').count()) === 0) await opener.click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
    const took = await expect
      .poll(shows, { timeout: 3_000 })
      .toBe(true)
      .then(
        () => true,
        (err: unknown) => {
          if (attempt >= 3) throw err;
          return false;
        },
      );
    if (took) return;
  }
}

/**
 * Clicks `ok`, the confirm button of an open Ant Design Popconfirm (or confirmation dialog), once the popup's opening
 * motion has ended, and checks that the click took: the confirmation closes, or its button turns loading while the
 * action runs. On a loaded machine a click can land while the popup still moves and be lost — CI saw 重新推送 never
 * sent and 撤回 never done, the confirmation left open — so it clicks again, at most three times in all, and fails
 * saying so. A click that took is never repeated.
 */
export async function confirmPopup(page: Page, ok: Locator): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    await settled(page);
    await ok.click();
    const took = await expect
      .poll(
        async () =>
          !(await ok.isVisible()) || ((await ok.getAttribute('class').catch(() => null)) ?? '').includes('loading'),
        { timeout: 5_000, interval: 100 },
      )
      .toBe(true)
      .then(
        () => true,
        () => false,
      );
    if (took) return;
  }
  throw new Error('the confirmation did not take three clicks on its button');
}

/**
 * Waits until no CSS animation or transition that ends runs in `page` (Ant Design's drawers, dialogs and messages
 * move by CSS transitions), e.g. before a screenshot: instead of a fixed pause for the slide-in, it ends when the
 * motion has.
 */
export async function settled(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          type Running = { playState: string; effect: { getTiming(): { iterations: number } } | null };
          const doc = (globalThis as unknown as { document: { getAnimations(): Running[] } }).document;
          // A spinner turns for ever: only motions that end count.
          return doc
            .getAnimations()
            .filter((a) => a.playState === 'running' && Number.isFinite(a.effect?.getTiming().iterations ?? 1)).length;
        }),
      { interval: 50 },
    )
    .toBe(0);
}
