import type { LightMyRequestResponse } from 'fastify';
import { multipart } from '../collection/received-kit.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * A call of the assistant pages' API as the page makes it: the event code in `x-event-code` (`null`: none, to see the
 * refusal), GET unless a method or payload is given.
 */
export function pageRequest(
  t: TestApp,
  code: string | null,
  url: string,
  init: { method?: 'GET' | 'POST'; payload?: unknown } = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: init.method ?? (init.payload === undefined ? 'GET' : 'POST'),
    url,
    ...(init.payload !== undefined ? { payload: init.payload as object } : {}),
    headers: code === null ? {} : { 'x-event-code': code },
  });
}

/** Uploads invoice files through the page (POST /api/v1/assistant/page/files, multipart, field `file`). */
export function uploadToPage(
  t: TestApp,
  code: string,
  files: Array<{ name: string; data: Buffer }>,
): Promise<LightMyRequestResponse> {
  const body = multipart(files.map((f) => ({ name: 'file', filename: f.name, data: f.data })));
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/assistant/page/files',
    payload: body.payload,
    headers: { ...body.headers, 'x-event-code': code },
  });
}
