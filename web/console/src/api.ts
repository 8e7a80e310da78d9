/**
 * The one way the console and the assistant pages call /api/v1: errors as ApiError (the server's code and Chinese
 * message). The console sends its same-origin cookie session with a CSRF header on writes; the assistant pages pass
 * `{ eventCode }` instead (the `X-Event-Code` header, no cookie, no CSRF, and a 401 does not end a console session).
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null = null,
    readonly details: Record<string, unknown> | null = null,
    readonly retryAfter: string | null = null,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

/** Remembered from SessionInfo (login and GET /api/v1/session); sent as X-CSRF-Token on every write. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

let onUnauthenticated: (() => void) | null = null;

/** Called when a call answers 401 (the session expired or was revoked). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

type ErrorBody = { error?: { code?: string; message?: string; requestId?: string; details?: Record<string, unknown> } };

/** How a call is authorised: the console's session (default), or an assistant page's event code. */
export interface CallOptions {
  /** The assistant pages: sent as `X-Event-Code` (none when null), without cookies or the CSRF header. */
  eventCode?: string | null;
}

/**
 * Sends a call (the console's session with the CSRF header on writes, or an assistant page's event code); a network
 * failure is an ApiError. A `FormData` body goes as multipart (uploads), anything else as JSON.
 */
async function send(
  method: string,
  path: string,
  body: unknown,
  accept: string | undefined,
  options: CallOptions,
): Promise<Response> {
  const headers: Record<string, string> = accept ? { accept } : {};
  const form = body instanceof FormData;
  const assistant = options.eventCode !== undefined;
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  if (assistant) {
    if (options.eventCode) headers['x-event-code'] = options.eventCode;
  } else if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  try {
    return await fetch(path, {
      method,
      headers,
      credentials: assistant ? 'omit' : 'same-origin',
      ...(body === undefined ? {} : { body: form ? body : JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', '无法连接服务器，请检查网络后重试');
  }
}

/**
 * The ApiError of a refused call (the API's code and Chinese message); a 401 of the console's session ends it in the
 * app.
 */
function refusal(res: Response, path: string, json: unknown, options: CallOptions): ApiError {
  const e = (json as ErrorBody | null)?.error;
  if (res.status === 401 && options.eventCode === undefined && path !== '/api/v1/session') onUnauthenticated?.();
  return new ApiError(
    res.status,
    e?.code ?? `HTTP_${res.status}`,
    e?.message ?? `请求失败（HTTP ${res.status}）`,
    e?.requestId ?? res.headers.get('x-request-id'),
    e?.details ?? null,
    res.headers.get('retry-after'),
  );
}

/** The body as JSON, or null when it is empty or not JSON. */
async function jsonOf(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export async function api<T>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
  const res = await send(method, path, body, 'application/json', options);
  if (res.status === 204) return undefined as T;
  const json = await jsonOf(res);
  if (!res.ok) throw refusal(res, path, json, options);
  return json as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', withQuery(path, query));
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});

/** The message to show for any error (the API's Chinese message when there is one). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/** A file answer (export, merged print): its bytes and the server's file name. */
export interface DownloadedFile {
  blob: Blob;
  fileName: string;
}

/**
 * Calls an endpoint that answers with a file (like {@link api}: the session with the CSRF header on writes, or an
 * event code); a refusal throws the API's ApiError (its Chinese message).
 */
export async function fetchFile(
  method: string,
  path: string,
  body?: unknown,
  options: CallOptions = {},
): Promise<DownloadedFile> {
  const res = await send(method, path, body, undefined, options);
  if (!res.ok) throw refusal(res, path, await jsonOf(res), options);
  const disposition = res.headers.get('content-disposition') ?? '';
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const plain = /filename="([^"]+)"/i.exec(disposition)?.[1];
  return { blob: await res.blob(), fileName: utf8 ? decodeURIComponent(utf8) : (plain ?? 'download') };
}

/** Saves a downloaded file in the browser (a temporary object URL on a `download` link). */
export function saveFile(file: DownloadedFile): void {
  const url = URL.createObjectURL(file.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
