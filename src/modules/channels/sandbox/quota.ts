/**
 * 授信额度 (credit quota, tax-rules §5.7): a monthly cap per seller (China-time month). Blue invoices consume it,
 * reds give it back; the basis (不含税 `amount` by default [L], or 价税合计 `total`) is a tenant setting.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { fenToDecimalString, toFen } from '../../../tax/index.js';
import { CHANNEL_ERRORS } from '../channels.errors.js';
import { ChannelError, type ChannelQuota } from '../issuing-channel.js';
import {
  chargeQuota,
  ensureQuotaRow,
  findQuotaRow,
  type QuotaKey,
  restoreQuota,
  updateQuotaTotal,
} from './quota.repo.js';
import type { SandboxSettings } from './sandbox-settings.js';

export type { QuotaKey } from './quota.repo.js';

function toQuota(key: QuotaKey, totalFen: number, usedFen: number): ChannelQuota {
  return {
    sellerTaxId: key.sellerTaxId,
    month: key.month,
    total: fenToDecimalString(totalFen),
    used: fenToDecimalString(usedFen),
    remaining: fenToDecimalString(Math.max(0, totalFen - usedFen)),
  };
}

/**
 * Consumes (`deltaFen` ≥ 0) or restores (< 0, never below zero) quota in one statement each; over the quota nothing
 * is written and QUOTA_EXCEEDED is thrown. The SQLite issue path calls this in its transaction; PostgreSQL folds the
 * same statements into the one-statement issue (issue.repo.ts).
 */
export async function applyQuota(
  trx: Kysely<Database>,
  key: QuotaKey,
  deltaFen: number,
  settings: SandboxSettings,
  now: number,
): Promise<void> {
  if (deltaFen < 0) {
    await restoreQuota(trx, key, deltaFen, now);
    return;
  }
  const charged = await chargeQuota(trx, key, deltaFen, toFen(settings.defaultQuota), now);
  if (!charged) throw await quotaExceededError(trx, key, deltaFen, settings);
}

/** The QUOTA_EXCEEDED error for a refused charge of `deltaFen`, with what remains (read after the refusal). */
export async function quotaExceededError(
  db: Kysely<Database>,
  key: QuotaKey,
  deltaFen: number,
  settings: SandboxSettings,
): Promise<ChannelError> {
  const { remaining } = await readQuota(db, key, settings);
  const requested = fenToDecimalString(deltaFen);
  return new ChannelError(
    'permanent',
    CHANNEL_ERRORS.QUOTA_EXCEEDED.code,
    `本月授信额度不足：剩余 ${remaining} 元，本次需要 ${requested} 元`,
    { month: key.month, remaining, requested },
  );
}

/** The quota of a seller-month as it stands. */
export async function readQuota(db: Kysely<Database>, key: QuotaKey, settings: SandboxSettings): Promise<ChannelQuota> {
  const row = await findQuotaRow(db, key);
  const total = row?.total_fen == null ? toFen(settings.defaultQuota) : Number(row.total_fen);
  return toQuota(key, total, Number(row?.used_fen ?? 0));
}

/** Sets a seller-month's total quota (yuan); usage is kept. */
export async function setQuotaTotal(
  db: Kysely<Database>,
  key: QuotaKey,
  total: string,
  settings: SandboxSettings,
  now: number,
): Promise<ChannelQuota> {
  await ensureQuotaRow(db, key, now);
  await updateQuotaTotal(db, key, toFen(total), now);
  return readQuota(db, key, settings);
}
