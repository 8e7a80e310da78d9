/**
 * The assistant pages' calls to /api/v1/assistant/page (docs/assistant.md#assistant-pages): no session and no cookie,
 * authorised by the event code (`X-Event-Code`). The code is read once from the address (`?eventCode=`), kept in
 * memory (and in this tab's sessionStorage, so a reload of the page keeps working), and removed from the address bar.
 */
import { ApiError, api, fetchFile, withQuery } from '../api';
import type { ReceivedInvoice } from '../pages/received/received-api';
import { type UploadAnswer, uploadFiles } from '../upload';

export { ApiError, errorMessage } from '../api';

export interface CompanyInfo {
  taxNo: string;
  name: string;
}

export interface PageEvent {
  resource: string;
  billId: string;
  billNo: string | null;
  billType: string | null;
  billTaxNo: string | null;
  pushType: 'socket' | 'poll';
  expiresAt: string;
  companyInfo: CompanyInfo[];
}

export interface PageInfo {
  event: PageEvent;
  employee: { id: string; name: string | null };
}

/** The assistant's check of an item against the event: blocked ones cannot be imported. */
export interface ItemCheck {
  importable: boolean;
  level: 'pass' | 'warn' | 'block' | 'pending';
  reasons: string[];
}

/** A pool view with the event's check and what bills claim of it (decimal strings). */
export interface AssistantItem extends ReceivedInvoice {
  check: ItemCheck;
  /** `reversed`: 已红冲 (部分红冲), taken off what may be claimed; `remaining` = total − reversed − claimed. */
  claim: { claimed: string; remaining: string; reversed?: string };
}

export interface BillInvoiceView {
  invoiceId?: string;
  amount: string;
  invoice?: ReceivedInvoice | null;
}

/** The bill bound to the event (view page); fields the bills module does not send are absent. */
export interface BillView {
  resource: string;
  billId: string;
  billNo: string | null;
  billType?: string | null;
  status: string;
  invoices: Array<BillInvoiceView & Partial<ReceivedInvoice>>;
}

const STORE_KEY = 'ofp-assistant-event';
let eventCode: string | null = null;

/**
 * Takes `?eventCode=` from the address once: remembered for this tab, removed from the address bar (it must not stay
 * in the history, bookmarks or a copied link). Returns the code, or null when there is none.
 */
export function takeEventCode(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('eventCode');
  if (fromUrl) {
    eventCode = fromUrl.slice(0, 200);
    url.searchParams.delete('eventCode');
    window.history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
    try {
      window.sessionStorage.setItem(STORE_KEY, eventCode);
    } catch {
      // Storage off (private mode, sandboxed frame): the code lives in memory only.
    }
    return eventCode;
  }
  try {
    eventCode = window.sessionStorage.getItem(STORE_KEY);
  } catch {
    eventCode = null;
  }
  return eventCode;
}

/** Is this error the event code's end (expired, replaced, unknown)? The page then shows the error page. */
export const isEventEnded = (err: unknown) =>
  err instanceof ApiError && (err.status === 401 || err.code.startsWith('ASSISTANT_EVENT_'));

let onEnded: (() => void) | null = null;
/** Called when a call says the event code no longer works. */
export function setEventEndedHandler(handler: () => void): void {
  onEnded = handler;
}

/** A request of the pages: a refusal saying the event code ended shows the end page. */
async function guarded<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    if (isEventEnded(err)) onEnded?.();
    throw err;
  }
}

/** A call of the pages: the console's api() with the event code. */
const call = <T>(method: string, path: string, body?: unknown): Promise<T> =>
  guarded(() => api<T>(method, path, body, { eventCode }));

const BASE = '/api/v1/assistant/page';

export const pageApi = {
  info: () => call<PageInfo>('GET', BASE),
  /** The files into the employee's folder: the items and what became of each file (upload.ts, as the console). */
  upload: (files: File[]): Promise<UploadAnswer<AssistantItem>> =>
    guarded(() => uploadFiles<AssistantItem>(`${BASE}/files`, files, {}, { eventCode })),
  qr: (text: string) => call<{ items: AssistantItem[] }>('POST', `${BASE}/qr`, { text }),
  items: (ids: string[]) => call<{ items: AssistantItem[] }>('GET', withQuery(`${BASE}/items`, { ids: ids.join(',') })),
  folder: (query: { status?: 'unused' | 'all'; q?: string; cursor?: string }) =>
    call<{ items: AssistantItem[]; nextCursor?: string | null }>('GET', withQuery(`${BASE}/folder`, query)),
  import: (invoices: Array<{ invoiceId: string; amount?: string }>) =>
    call<{ importId: string; count: number }>('POST', `${BASE}/import`, { invoices }),
  bill: () => call<{ bill: BillView | null }>('GET', `${BASE}/bill`),
  /** The original file of an item (a blob: the call needs the event code header, a plain link cannot send it). */
  file: (id: string): Promise<{ blob: Blob; fileName: string }> =>
    guarded(() => fetchFile('GET', `${BASE}/items/${encodeURIComponent(id)}/file`, undefined, { eventCode })),
};

/** A decimal amount as the API takes it: up to 2 decimals, positive. */
export const AMOUNT_PATTERN = /^(?:0|[1-9]\d{0,11})(?:\.\d{1,2})?$/;

/** Fen of a decimal string (no floats); null when it is not an amount. */
export function toFen(value: string): bigint | null {
  const v = value.trim();
  if (!AMOUNT_PATTERN.test(v)) return null;
  const [int = '0', frac = ''] = v.split('.');
  return BigInt(int) * 100n + BigInt(`${frac}00`.slice(0, 2));
}
