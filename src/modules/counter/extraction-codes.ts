import { createHmac, randomBytes } from 'node:crypto';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { safeEqual } from '../../platform/ids.js';
import { deriveSigningKey } from '../documents/index.js';
import { findInvoiceBySerial, type Invoice } from '../invoicing/index.js';
import { EXTRACTION_CODE_INVALID, INVOICE_NOT_ISSUED } from './counter.errors.js';
import { findExtractionCode, upsertExtractionCode } from './kiosks.repo.js';

/**
 * 提取码: 8 characters of `23456789ABCDEFGHJKLMNPQRSTUVWXYZ` (no 0/O, 1/I: easy to read off a receipt), 40 bits. With
 * the order number (the invoice's serial number) it lets a store's kiosk show that one invoice. Stored only as a
 * keyed hash (HMAC with a key derived from the signing key): a copy of the database does not give the codes away,
 * not even by trying all 2^40 offline.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 8;

const codeFromBytes = (bytes: Uint8Array) =>
  Array.from(bytes.subarray(0, CODE_LENGTH), (b) => CODE_ALPHABET[b % 32]).join('');

/** The code a reservation's status token stands for (its status page shows it; nothing stores it). */
export function codeOfToken(deps: Pick<Deps, 'config'>, token: string): string {
  const key = deriveSigningKey(deps.config, 'openfapiao/extraction-code-of-token/v1');
  return codeFromBytes(createHmac('sha256', key).update(token).digest());
}

export function codeHash(deps: Pick<Deps, 'config'>, tenantId: string, orderNo: string, code: string): string {
  const key = deriveSigningKey(deps.config, 'openfapiao/extraction-code/v1');
  return createHmac('sha256', key).update(`${tenantId}\n${orderNo}\n${code}`).digest('hex');
}

/** Normalises a typed code: upper case, no spaces or dashes; null when it cannot be a code. */
export function normaliseCode(raw: string): string | null {
  const code = raw.slice(0, 32).replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== CODE_LENGTH) return null;
  for (const c of code) if (!CODE_ALPHABET.includes(c)) return null;
  return code;
}

/** Records `code` for the order number (replacing an earlier one). */
export async function storeExtractionCode(deps: Deps, tenantId: string, orderNo: string, code: string) {
  await upsertExtractionCode(deps.db.kysely, {
    tenant_id: tenantId,
    order_no: orderNo,
    code_hash: codeHash(deps, tenantId, orderNo, code),
    created_at: deps.clock.now(),
  });
}

/**
 * A new random extraction code for an issued invoice of the tenant (its serial number is the order number): to
 * print on the receipt. Replaces the earlier code. 404 for an unknown serial number, 409 before it is issued.
 */
export async function createExtractionCode(
  deps: Deps,
  tenantId: string,
  serialNo: string,
  assertAllowed: (invoice: Invoice) => void = () => {},
) {
  const invoice = await findInvoiceBySerial(deps.db.kysely, tenantId, serialNo);
  if (!invoice) throw new AppError(EXTRACTION_CODE_INVALID, '发票不存在');
  assertAllowed(invoice);
  if (invoice.status !== 'issued') throw new AppError(INVOICE_NOT_ISSUED);
  const code = codeFromBytes(randomBytes(CODE_LENGTH));
  await storeExtractionCode(deps, tenantId, serialNo, code);
  return { orderNo: serialNo, code, invoice };
}

/**
 * The issued invoice an order number and extraction code open, for the tenant and seller of a kiosk; anything else
 * (unknown number, wrong code, another store's or not yet issued) is the same 404 EXTRACTION_CODE_INVALID.
 */
export async function invoiceByCode(
  deps: Deps,
  scope: { tenantId: string; sellerTaxId: string },
  orderNo: string,
  code: string,
): Promise<Invoice> {
  // Typed at a kiosk, `r-…` means the reservation's `R-…`.
  const row =
    (await findExtractionCode(deps.db.kysely, scope.tenantId, orderNo)) ??
    (orderNo.startsWith('r-')
      ? await findExtractionCode(deps.db.kysely, scope.tenantId, orderNo.toUpperCase())
      : undefined);
  if (row) orderNo = row.order_no;
  const expected = codeHash(deps, scope.tenantId, orderNo, code);
  if (!row || !safeEqual(row.code_hash, expected)) throw new AppError(EXTRACTION_CODE_INVALID);
  const invoice = await findInvoiceBySerial(deps.db.kysely, scope.tenantId, orderNo);
  if (invoice?.status !== 'issued' || invoice.seller_tax_id !== scope.sellerTaxId) {
    throw new AppError(EXTRACTION_CODE_INVALID);
  }
  return invoice;
}
