import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { buildInvoiceQrPayload } from '../../src/tax/index.js';
import type { ConsoleHarness } from '../console/console-kit.js';
import { fetchToken } from '../helpers/processes.js';
import { BUYER_USCC, issueBlueOverHttp } from '../invoicing/invoicing-kit.js';

/** Where the assistant's browser tests save screenshots (ASSISTANT_SHOTS, else test-results/console). */
export function shotsDir(fallback: string): string {
  const dir = process.env.ASSISTANT_SHOTS ?? fallback;
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export const shoot = (page: Page, dir: string, name: string) =>
  page.screenshot({ path: path.join(dir, `assistant-${name}.png`), fullPage: true });

/** The demo seed's company: the buyer the bills expect (the demo seller's own org). */
export const DEMO_ORG = '上海开源发票演示有限公司';
export const OTHER_BUYER = { name: '北京别家科技有限公司', taxId: BUYER_USCC };

/** An invoice the demo seller issued, its file saved in `dir`. */
export interface IssuedInvoice {
  number: string;
  file: string;
  total: string;
  issueDate: string;
  qr: string;
}

/** The demo API app's bearer token. */
export const tokenOf = (h: ConsoleHarness): Promise<string> => fetchToken(h.baseUrl, h.creds);

/** Issues a 数电普票 (2,190.00) to `buyer` and saves its PDF or XML in `dir`. */
export async function issueInvoice(
  h: ConsoleHarness,
  token: string,
  dir: string,
  buyer: { name: string; taxId: string },
  format: 'pdf' | 'xml',
): Promise<IssuedInvoice> {
  const view = await issueBlueOverHttp(h.api, h.creds.sellerTaxId, { buyer });
  const number = view.number as string;
  const file = await fetch(`${h.baseUrl}/api/v1/invoices/${view.serialNo as string}/files/${format}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(file.status).toBe(200);
  const saved = path.join(dir, `${number}.${format}`);
  fs.writeFileSync(saved, Buffer.from(await file.arrayBuffer()));
  const issueDate = String(view.issuedAt ?? '').slice(0, 10);
  const total = String((view.totals as { total?: string } | undefined)?.total ?? '2190.00');
  const qr = buildInvoiceQrPayload({ kind: '82', invoiceNumber: number, amount: total, issueDate });
  return { number, file: saved, total, issueDate, qr };
}

/** The answer of POST /api/v1/assistant/events. */
export interface EventCode {
  eventCode: string;
  expiresAt: string;
  selectUrl: string;
  viewUrl: string;
  mobileSelectUrl: string;
  mobileViewUrl: string;
}

/** The expense system asks for an event code for its bill (as the demo API app). */
export async function newEvent(
  h: ConsoleHarness,
  bill: { billId: string; linkKey: string; pushType: 'socket' | 'poll'; userId?: string },
): Promise<EventCode> {
  const res = await h.api('POST', '/api/v1/assistant/events', {
    billId: bill.billId,
    resource: 'OA',
    billNo: `BX-${bill.billId}`,
    billType: '差旅费报销单',
    userId: bill.userId ?? 'u-1001',
    linkKey: bill.linkKey,
    pushType: bill.pushType,
    companyInfo: [{ taxNo: h.creds.sellerTaxId, name: DEMO_ORG }],
  });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as unknown as EventCode;
}

/** A page address of an event on this server (the path and query of the URL the API answered). */
export const local = (h: ConsoleHarness, url: string) => {
  const u = new URL(url);
  return `${h.baseUrl}${u.pathname}${u.search}`;
};

/** The expense system's WebSocket on its linkKey: every text message it receives, parsed. */
export async function openSocket(
  h: ConsoleHarness,
  token: string,
  linkKey: string,
): Promise<{ messages: Array<Record<string, unknown>>; close: () => void }> {
  const url = `${h.baseUrl.replace(/^http/, 'ws')}/api/v1/assistant/socket?linkKey=${encodeURIComponent(linkKey)}`;
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  const messages: Array<Record<string, unknown>> = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) messages.push(JSON.parse(String(data)) as Record<string, unknown>);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // Kingdee's demo client's heartbeat: tolerated, never answered with an import.
  ws.send(JSON.stringify({ handshake: false }));
  return { messages, close: () => ws.close() };
}
