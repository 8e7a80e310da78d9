import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SeededTenant, TestApp } from '../helpers/test-app.js';

/** A fresh DATA_DIR so blobs and the generated signing key stay out of the work tree. */
export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-docs-'));
}

/** Issues a blue 数电普票 and waits for it (invoicing-kit.ts; re-exported for the suites that read its files). */
export { issueBlue } from '../invoicing/invoicing-kit.js';

/** The internal id of an invoice, by its serial number. */
export async function invoiceIdOf(t: TestApp, serialNo: string): Promise<string> {
  const row = await t.runtime.deps.db.kysely
    .selectFrom('invoices')
    .select('id')
    .where('serial_no', '=', serialNo)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** GET with optional extra headers. */
export async function fetchFile(
  t: TestApp,
  who: SeededTenant | null,
  url: string,
  headers: Record<string, string> = {},
) {
  return t.app.inject({ method: 'GET', url, headers: { ...(who?.auth ?? {}), ...headers } });
}
