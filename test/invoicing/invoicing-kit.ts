import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { SeededTenant, TestApp } from '../helpers/test-app.js';
import { waitForValue } from '../helpers/wait.js';

/** 餐饮服务 (6%) and 有色金属 (13%) are in the built-in tax-code table. */
export const CATERING = '3070401000000000000';
export const SOFTWARE = '3040201010000000000';
export const METALS = '1080310990000000000';
export const BUYER_USCC = '91110000600037341L';

let serial = 0;
export const nextSerial = (prefix = 'SN') => `${prefix}${Date.now().toString(36)}${(serial++).toString(36)}`;

/** A valid 数电普票 request: 餐饮 1 000.00 + 60.00 tax, and 2 × 500.00 of metals at 13 %. */
export function blueRequest(seller: Pick<SeededTenant, 'sellerTaxId'>, overrides: Record<string, unknown> = {}) {
  return {
    serialNo: nextSerial(),
    kind: '82',
    seller: { taxId: seller.sellerTaxId },
    buyer: { name: '北京测试科技有限公司', taxId: BUYER_USCC },
    lines: [
      { name: '工作餐', taxCode: CATERING, amount: '1000.00', taxRate: '0.06' },
      {
        name: '铝锭',
        taxCode: METALS,
        spec: 'A00',
        unit: '吨',
        quantity: '2',
        unitPrice: '500',
        amount: '1000.00',
        taxRate: '0.13',
      },
    ],
    ...overrides,
  };
}

export async function post(
  t: TestApp,
  who: SeededTenant,
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url,
    headers: who.auth,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

export async function get(t: TestApp, who: SeededTenant, url: string): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url, headers: who.auth });
}

/** Polls GET /invoices/{serialNo} until `done(status)` and returns that view (bounded: {@link waitForValue}). */
export function waitForStatus(
  t: TestApp,
  who: SeededTenant,
  serialNo: string,
  done: (status: string) => boolean,
): Promise<Record<string, unknown>> {
  return waitForValue(`invoice ${serialNo} to reach the expected status`, async () => {
    const body = (await get(t, who, `/api/v1/invoices/${serialNo}`)).json<Record<string, unknown>>();
    return done(body.status as string) ? body : undefined;
  });
}

/** Issues a blue 数电普票 (`blueRequest` with `overrides`) and waits for it; returns the invoice view. */
export async function issueBlue(t: TestApp, who: SeededTenant, overrides: Record<string, unknown> = {}) {
  const res = await post(t, who, '/api/v1/invoices?wait=10', blueRequest(who, overrides));
  expect(res.json().status, res.body).toBe('issued');
  return res.json() as { serialNo: string; number: string; files: Record<string, string> | null; remark: string };
}

/** An API client over HTTP as the browser harnesses have one (`ConsoleHarness.api`, `startAppServer().api`). */
export type HttpApi = (
  method: string,
  url: string,
  body?: unknown,
) => Promise<{ status: number; json: Record<string, unknown> }>;

/**
 * {@link issueBlue} against a served app: posts `blueRequest` of the seller `sellerTaxId` (with `overrides`) with
 * `?wait=10` through `api` and expects it issued; returns the invoice view.
 */
export async function issueBlueOverHttp(
  api: HttpApi,
  sellerTaxId: string,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const res = await api('POST', '/api/v1/invoices?wait=10', blueRequest({ sellerTaxId }, overrides));
  expect(res.json.status, JSON.stringify(res.json)).toBe('issued');
  return res.json;
}

/**
 * Asks for the red invoice of `blueSerialNo`: a fresh `redSerialNo`, reason 01 and the whole invoice unless `body`
 * says otherwise; `query` is e.g. `?wait=10`. Returns the red serial number and the answer.
 */
export async function requestRed(
  t: TestApp,
  who: SeededTenant,
  blueSerialNo: string,
  body: Record<string, unknown> = {},
  query = '',
): Promise<{ redSerialNo: string; res: LightMyRequestResponse }> {
  const payload = { redSerialNo: nextSerial('RED'), reason: '01', ...body };
  const res = await post(t, who, `/api/v1/invoices/${blueSerialNo}/red${query}`, payload);
  return { redSerialNo: payload.redSerialNo as string, res };
}

/** A red-letter form as a red invoice's view shows it. */
export interface RedForm {
  id: string;
  formNo: string;
  status: string;
}

/**
 * The red-letter form of red invoice `redSerialNo` once the worker has it waiting for the buyer (the sandbox's
 * `redFormBuyerDecision: 'manual'`); a bounded poll that fails saying so if the form never comes.
 */
export function waitForRedForm(t: TestApp, who: SeededTenant, redSerialNo: string): Promise<RedForm> {
  return waitForValue(`the red form of ${redSerialNo} to wait for the buyer`, async () => {
    const red = (await get(t, who, `/api/v1/invoices/${redSerialNo}`)).json<{
      red: { formId: string | null; formNo: string | null; formStatus: string | null } | null;
    }>().red;
    return red?.formId && red.formNo && red.formStatus === 'pending_buyer'
      ? { id: red.formId, formNo: red.formNo, status: red.formStatus }
      : undefined;
  });
}
