import type { Static } from 'typebox';
import type { Deps } from '../../platform/deps.js';
import { randomToken } from '../../platform/ids.js';
import type { InvoiceKind } from '../../tax/index.js';
import { type AuditMeta, auditSnapshot, withAuditDeps } from '../audit/index.js';
import type { LineInput } from '../invoicing/index.js';
import { getSellerOrThrow } from '../orgs/index.js';
import { createOrder, createSetting, orderLinks } from '../scan/index.js';
import { type CounterSetting, claimScanSettingKey, findCounterSetting, upsertCounterSetting } from './counter.repo.js';
import { DEFAULT_QR_VALIDITY_MINUTES, DEFAULT_RECEIPT, type ReceiptSettings, receiptJson } from './receipt.js';

/** The kinds a 码上开票 consumer may be offered: 数电普票 and 数电专票 (the scan setting allows these). */
export const COUNTER_KINDS: readonly InvoiceKind[] = ['82', '81'];

export interface CounterSettingsView {
  sellerTaxId: string;
  sellerName: string;
  qrValidityMinutes: number;
  receipt: ReceiptSettings;
  scanSettingKey: string | null;
}

function view(sellerTaxId: string, sellerName: string, row: CounterSetting | undefined): CounterSettingsView {
  return {
    sellerTaxId,
    sellerName,
    qrValidityMinutes: row?.qr_validity_minutes ?? DEFAULT_QR_VALIDITY_MINUTES,
    receipt: row?.receipt_json ? receiptJson.decode(row.receipt_json) : DEFAULT_RECEIPT,
    scanSettingKey: row?.scan_setting_key ?? null,
  };
}

/** The org's counter settings (the defaults until saved). */
export async function getCounterSettings(
  deps: Deps,
  tenantId: string,
  sellerTaxId: string,
): Promise<CounterSettingsView> {
  const seller = await getSellerOrThrow(deps.db.kysely, tenantId, sellerTaxId);
  return view(seller.tax_id, seller.name, await findCounterSetting(deps.db.kysely, tenantId, seller.tax_id));
}

/** Saves the QR validity and the receipt layout (audited `counter.settings.update`). */
export async function saveCounterSettings(
  deps: Deps,
  tenantId: string,
  sellerTaxId: string,
  input: { qrValidityMinutes: number; receipt: ReceiptSettings },
  meta: AuditMeta,
): Promise<CounterSettingsView> {
  const seller = await getSellerOrThrow(deps.db.kysely, tenantId, sellerTaxId);
  const now = deps.clock.now();
  return withAuditDeps(
    deps,
    meta,
    async (d) => {
      const before = await findCounterSetting(d.db.kysely, tenantId, seller.tax_id);
      await upsertCounterSetting(d.db.kysely, {
        tenant_id: tenantId,
        seller_tax_id: seller.tax_id,
        scan_setting_key: before?.scan_setting_key ?? null,
        qr_validity_minutes: input.qrValidityMinutes,
        receipt_json: receiptJson.encode(input.receipt),
        created_at: before?.created_at ?? now,
        updated_at: now,
      });
      return {
        before: before ? view(seller.tax_id, seller.name, before) : null,
        after: view(seller.tax_id, seller.name, await findCounterSetting(d.db.kysely, tenantId, seller.tax_id)),
      };
    },
    (r) => ({
      action: 'counter.settings.update',
      target: { type: 'counter_setting', id: seller.tax_id },
      before: auditSnapshot(r.before),
      after: auditSnapshot(r.after),
    }),
  ).then((r) => r.after);
}

/**
 * The scan setting (动态二维码设置) the org's 码上开票 orders go through: made on first use (scan type `issue`, so a
 * consumer's submission issues at once; audited `scan.settings.create`), then recorded — two first orders at once
 * agree on the one recorded first. An administrator sees it under 二维码设置 and may disable it (then 码上开票 refuses
 * with SCAN_SETTING_DISABLED until it is enabled again).
 */
async function counterScanSettingKey(
  deps: Deps,
  tenantId: string,
  sellerTaxId: string,
  meta: AuditMeta,
): Promise<string> {
  const db = deps.db.kysely;
  const row = await findCounterSetting(db, tenantId, sellerTaxId);
  if (row?.scan_setting_key) return row.scan_setting_key;
  const { setting } = await withAuditDeps(
    deps,
    meta,
    (d) =>
      createSetting(d, tenantId, {
        sellerTaxId,
        name: '码上开票',
        scanType: 'issue',
        allowedKinds: [...COUNTER_KINDS],
        validityDays: 30,
      }),
    (r) => ({
      action: 'scan.settings.create',
      target: { type: 'scan_setting', id: r.setting.key },
      after: auditSnapshot(r.setting),
    }),
  );
  const now = deps.clock.now();
  return claimScanSettingKey(
    db,
    {
      tenant_id: tenantId,
      seller_tax_id: sellerTaxId,
      scan_setting_key: null,
      qr_validity_minutes: DEFAULT_QR_VALIDITY_MINUTES,
      receipt_json: null,
      created_at: now,
      updated_at: now,
    },
    setting.key,
  );
}

/** A 码上开票 order number: `CT`, the China-time date and 10 random characters. */
function counterOrderNo(now: number): string {
  const day = new Date(now + 8 * 3600_000).toISOString().slice(2, 10).replace(/-/g, '');
  return `CT${day}${randomToken(64).slice(0, 10).toUpperCase()}`;
}

export interface CounterOrderInput {
  sellerTaxId: string;
  allowedKinds: InvoiceKind[];
  lines: Static<typeof LineInput>[];
  remark?: string;
}

/**
 * 生成二维码: a one-time scan order (source `counter`) with the clerk's lines, through the scan module's order
 * creation (same tax checks, idempotency, audit `scan.orders.create`), valid for the org's QR validity. The consumer
 * scans its `/s/{token}` link and the existing H5 pages take the title; the order issues on submission.
 */
export async function createCounterOrder(deps: Deps, tenantId: string, input: CounterOrderInput, meta: AuditMeta) {
  const seller = await getSellerOrThrow(deps.db.kysely, tenantId, input.sellerTaxId);
  const settings = await findCounterSetting(deps.db.kysely, tenantId, seller.tax_id);
  const key = await counterScanSettingKey(deps, tenantId, seller.tax_id, meta);
  const now = deps.clock.now();
  const minutes = settings?.qr_validity_minutes ?? DEFAULT_QR_VALIDITY_MINUTES;
  const { order } = await createOrder(
    deps,
    tenantId,
    {
      settingKey: key,
      orderNo: counterOrderNo(now),
      source: 'counter',
      allowedKinds: input.allowedKinds,
      lines: input.lines,
      ...(input.remark ? { remark: input.remark } : {}),
      expiresAt: now + minutes * 60_000,
    },
    meta,
  );
  return { order, links: orderLinks(deps, order)!, sellerName: seller.name };
}
