import type { LightMyRequestResponse } from 'fastify';
import type { SeededTenant, TestApp } from '../helpers/test-app.js';
import { CATERING, get, post } from '../invoicing/invoicing-kit.js';

export { get, post };

/** Test env: a fixed key for encrypted secrets (nothing written to ./data). */
export const SCAN_ENV = { SECRET_ENCRYPTION_KEY: 'scan-tests-secret-encryption-key-0123456789' };

let counter = 0;
export const nextOrderNo = (prefix = 'ORD') => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Creates a setting for the tenant's seller; answers the setting view with its secret. */
export async function createScanSetting(
  t: TestApp,
  who: SeededTenant,
  overrides: Record<string, unknown> = {},
): Promise<{ key: string; secret: string } & Record<string, unknown>> {
  const res = await post(t, who, '/api/v1/scan/settings', {
    sellerTaxId: who.sellerTaxId,
    scanType: 'issue',
    allowedKinds: ['82', '81'],
    validityDays: 30,
    ...overrides,
  });
  if (res.statusCode !== 201) throw new Error(`setting: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A 餐饮 order of 1 060.00 (1 000.00 + 6 %). */
export function orderBody(settingKey: string, overrides: Record<string, unknown> = {}) {
  return {
    settingKey,
    orderNo: nextOrderNo(),
    lines: [{ name: '工作餐', taxCode: CATERING, amount: '1000.00', taxRate: '0.06' }],
    ...overrides,
  };
}

export async function pushOrder(t: TestApp, who: SeededTenant, body: Record<string, unknown>) {
  const res = await post(t, who, '/api/v1/scan/orders', body);
  if (res.statusCode !== 201) throw new Error(`order: ${res.statusCode} ${res.body}`);
  return res.json<{ orderNo: string; token: string; url: string; status: string; expiresAt: string }>();
}

/** A consumer's browser: keeps the CSRF cookie, reads the hidden field, posts urlencoded forms. */
export function consumer(t: TestApp) {
  let cookie = '';
  const remember = (res: LightMyRequestResponse) => {
    const set = res.headers['set-cookie'];
    const first = Array.isArray(set) ? set[0] : set;
    if (first) cookie = first.split(';')[0]!;
  };
  return {
    async open(path: string) {
      const res = await t.app.inject({ method: 'GET', url: path, headers: cookie ? { cookie } : {} });
      remember(res);
      return res;
    },
    /** GETs `pagePath` for the form's CSRF field, then posts `fields` to `action` (default the same path). */
    async submit(pagePath: string, fields: Record<string, string>, action = pagePath) {
      const page = await this.open(pagePath);
      return this.post(action, /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '', fields);
    },
    /**
     * GETs `pagePath` (the page with its form, as a consumer has it open) and answers the post of that form: several
     * consumers who all have the form open can then submit at once.
     */
    async prepare(pagePath: string, action = pagePath) {
      const page = await this.open(pagePath);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
      if (csrf === undefined) throw new Error(`no form on ${pagePath} (${page.statusCode})`);
      return (fields: Record<string, string>) => this.post(action, csrf, fields);
    },
    async post(action: string, csrf: string, fields: Record<string, string>) {
      const res = await t.app.inject({
        method: 'POST',
        url: action,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      });
      remember(res);
      return res;
    },
    get cookie() {
      return cookie;
    },
  };
}

/** Polls the order until `done(status)` (≈10 s of real time at most). */
export async function waitForOrder(t: TestApp, who: SeededTenant, orderNo: string, done: (s: string) => boolean) {
  for (let i = 0; i < 500; i++) {
    const body = (await get(t, who, `/api/v1/scan/orders/${orderNo}`)).json<Record<string, unknown>>();
    if (done(body.status as string)) return body;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`order ${orderNo} never reached the expected status`);
}

export const COMPANY_TITLE = { buyerType: 'company', name: '北京测试科技有限公司', taxId: '91110000600037341L' };
