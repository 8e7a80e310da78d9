/** Helpers of the received-invoice (收票) suites: multipart bodies, uploads, ZIPs, fixtures. */
import fs from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { SeededTenant, TestApp } from '../helpers/test-app.js';
import type { TestDialect } from '../helpers/test-db.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/real-invoices');
export const fixture = (file: string) => fs.readFileSync(path.join(FIXTURES, file));

export interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer | string;
}

/** A multipart/form-data body with the given parts (files as Buffers). */
export function multipart(parts: Part[]) {
  const boundary = `----openfapiao-rcv-${parts.length}x9`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Uploads files (and fields) to POST /api/v1/received-invoices. */
export function upload(
  t: TestApp,
  who: { auth: Record<string, string> } | SeededTenant,
  files: Array<{ name: string; data: Buffer }>,
  fields: Record<string, string> = {},
) {
  const body = multipart([
    ...files.map((f) => ({ name: 'file', filename: f.name, type: 'application/octet-stream', data: f.data })),
    ...Object.entries(fields).map(([name, data]) => ({ name, data })),
  ]);
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/received-invoices',
    payload: body.payload,
    headers: { ...body.headers, ...who.auth },
  });
}

/** A ZIP of the given files. */
export function zipOf(files: Record<string, Buffer>): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new Uint8Array(v)]))));
}

export function get(t: TestApp, who: { auth: Record<string, string> } | null, url: string) {
  return t.app.inject({ method: 'GET', url, headers: { ...(who?.auth ?? {}) } });
}

/** The picture lane's test picture that hangs until the pool closes (with the parse pool's test hooks on). */
export const HANGING_PICTURE = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('openfapiao-test-hook:hang'),
]);

/**
 * Per-test apps with the parse pool's test hooks on (so {@link HANGING_PICTURE} hangs). Call it in a `describe`: the
 * hooks are on for that suite, and each test's app is closed after the test, passed or not. Answers `build(env)`,
 * the app of the running test (`options` as `buildTestApp`'s). The app and the pool are imported when the suite
 * starts, so the unit suites that use this kit's other helpers do not load the app graph.
 */
export function parsePoolHookApps(
  dialect: TestDialect,
): (env?: Record<string, string>, options?: { worker?: boolean }) => Promise<TestApp> {
  let current: TestApp | undefined;
  const hooks = async (on: boolean) =>
    (await import('../../src/modules/collection/index.js')).setParsePoolTestHooks(on ? {} : null);
  beforeAll(() => hooks(true));
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  afterAll(() => hooks(false));
  return async (env = {}, options = {}) => {
    const { buildTestApp } = await import('../helpers/test-app.js');
    current = await buildTestApp(dialect, env, undefined, options);
    return current;
  };
}
