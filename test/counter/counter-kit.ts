import type { LightMyRequestResponse } from 'fastify';
import type { SeededTenant, TestApp } from '../helpers/test-app.js';
import { CATERING, get, post } from '../invoicing/invoicing-kit.js';

export { get, post };

export const COUNTER_ENV = {
  SECRET_ENCRYPTION_KEY: 'counter-tests-secret-encryption-key-0123456789',
  TRUST_PROXY: 'true',
};

export const patch = (t: TestApp, who: SeededTenant, url: string, payload: unknown) =>
  t.app.inject({ method: 'PATCH', url, headers: who.auth, payload: payload as object });

/** A reservation QR of the tenant's seller: one 餐饮 item, the consumer types the amount, one remark field. */
export async function createQr(t: TestApp, who: SeededTenant, config: Record<string, unknown> = {}, extra = {}) {
  const res = await post(t, who, '/api/v1/counter/reservation-qrs', {
    sellerTaxId: who.sellerTaxId,
    name: '前台',
    config: {
      items: [{ name: '餐费', taxCode: CATERING, taxRate: '0.06' }],
      entryMode: 'amount',
      remarkFields: [{ label: '桌号', required: true }],
      ...config,
    },
    ...extra,
  });
  if (res.statusCode !== 201) throw new Error(`qr: ${res.statusCode} ${res.body}`);
  return res.json<{ key: string; url: string; config: Record<string, unknown>; limits: Record<string, number> }>();
}

/** A phone: keeps the CSRF cookie, posts urlencoded forms, as the client `ip` (X-Forwarded-For). */
export function phone(t: TestApp, ip = '198.51.100.7') {
  let cookie = '';
  const remember = (res: LightMyRequestResponse) => {
    const set = res.headers['set-cookie'];
    const first = Array.isArray(set) ? set[0] : set;
    if (first) cookie = first.split(';')[0]!;
  };
  const headers = () => ({ 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) });
  return {
    async open(path: string) {
      const res = await t.app.inject({ method: 'GET', url: path, headers: headers() });
      remember(res);
      return res;
    },
    async submit(path: string, fields: Record<string, string>) {
      const page = await this.open(path);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const res = await t.app.inject({
        method: 'POST',
        url: path,
        headers: { ...headers(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      });
      remember(res);
      return res;
    },
  };
}

export const COMPANY_TITLE = {
  buyerType: 'company',
  kind: '82',
  name: '北京测试科技有限公司',
  taxId: '91110000600037341L',
  mobile: '13800138000',
  email: 'Buyer@Example.com',
};

/** Submits a reservation; answers the status token and the 序号 shown on the status page. */
export async function reserve(
  t: TestApp,
  key: string,
  fields: Record<string, string> = {},
  ip?: string,
): Promise<{ token: string; seqNo: number; res: LightMyRequestResponse }> {
  const p = phone(t, ip);
  const res = await p.submit(`/r/${key}`, { ...COMPANY_TITLE, amount: '106.00', remark0: 'A12', ...fields });
  if (res.statusCode !== 303) throw new Error(`reserve: ${res.statusCode} ${res.body.slice(0, 2000)}`);
  const token = String(res.headers.location).replace('/r/t/', '');
  const page = await p.open(`/r/t/${token}`);
  const seqNo = Number(/id="seq-no"[^>]*>(\d+)</.exec(page.body)?.[1]);
  return { token, seqNo, res };
}
