/** The console's one way to call /api/v1: same-origin cookie session, CSRF header on writes, errors as ApiError. */

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

/**
 * Sends a call of the console (same-origin cookie session, CSRF header on writes); a network failure is an ApiError.
 * A `FormData` body goes as multipart (uploads), anything else as JSON.
 */
async function send(method: string, path: string, body: unknown, accept?: string): Promise<Response> {
  const headers: Record<string, string> = accept ? { accept } : {};
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  try {
    return await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: form ? body : JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', '无法连接服务器，请检查网络后重试');
  }
}

/** The ApiError of a refused call (the API's code and Chinese message); a 401 ends the session in the app. */
function refusal(res: Response, path: string, json: unknown): ApiError {
  const e = (json as ErrorBody | null)?.error;
  if (res.status === 401 && path !== '/api/v1/session') onUnauthenticated?.();
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

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body, 'application/json');
  if (res.status === 204) return undefined as T;
  const json = await jsonOf(res);
  if (!res.ok) throw refusal(res, path, json);
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
 * Calls an endpoint that answers with a file (with the CSRF header on writes); a refusal throws the API's ApiError
 * (its Chinese message) like {@link api}.
 */
export async function fetchFile(method: string, path: string, body?: unknown): Promise<DownloadedFile> {
  const res = await send(method, path, body);
  if (!res.ok) throw refusal(res, path, await jsonOf(res));
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
