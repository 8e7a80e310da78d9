import { type Kysely, PostgresAdapter } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import type { DeductionChannel } from '../deduction-channel.js';
import type { ChannelQuota, ChannelScope, IssuingChannel } from '../issuing-channel.js';
import type { VerificationChannel } from '../verification-channel.js';
import { applyRedFormOnSandbox } from './apply-red-form.js';
import { bindAccountOnSandbox } from './credentials.js';
import { decideRedFormOnSandbox, getRedFormOnSandbox } from './decide-red-form.js';
import { createSandboxDeduction } from './deduction-on-sandbox.js';
import { importLedger, type LedgerImportResult } from './import-ledger.js';
import { issueOnSandbox } from './issue-on-sandbox.js';
import { findLedgerByRequest } from './ledger.repo.js';
import { listLedger, type SandboxLedgerEntry, toIssued } from './ledger-rows.js';
import { chinaDateParts } from './numbering.js';
import { readQuota, setQuotaTotal } from './quota.js';
import type { SandboxContext } from './sandbox-context.js';
import type { SandboxSettings } from './sandbox-settings.js';
import { loadSettings, updateSettings } from './settings.repo.js';
import { createSettingsCache } from './settings-cache.js';
import { verifyOnPlatform } from './verify-on-platform.js';
import { verifyOnSandbox } from './verify-on-sandbox.js';

/** The sandbox channel plus the admin operations its HTTP routes expose. */
export interface SandboxChannel extends IssuingChannel {
  readonly name: 'sandbox';
  getSettings(scope: ChannelScope): Promise<SandboxSettings>;
  /** Sets the given fields; replacing `rules` resets their `times` counters. */
  updateSettings(scope: ChannelScope, patch: Partial<SandboxSettings>): Promise<SandboxSettings>;
  /** Sets a seller's total quota for a YYYY-MM month (China time), yuan. */
  setQuota(scope: ChannelScope, sellerTaxId: string, month: string, total: string): Promise<ChannelQuota>;
  /** What the simulated platform holds for the tenant, in descending id order (cursor-paginated). */
  listLedger(
    scope: ChannelScope,
    query: { number?: string; cursor?: string; limit?: number },
  ): Promise<{ items: SandboxLedgerEntry[]; nextCursor: string | null }>;
  /** The sandbox's 查验 provider: the platform-wide ledger plus the operator's imports. */
  readonly verification: SandboxVerificationChannel;
  /** The sandbox's 抵扣勾选 provider: a platform-wide ledger of selected and deducted invoices. */
  readonly deduction: DeductionChannel;
}

/** The sandbox's {@link VerificationChannel}, plus the operator's import of invoices from elsewhere. */
export interface SandboxVerificationChannel extends VerificationChannel {
  readonly provider: 'sandbox';
  /** Validates every row of a JSON-lines or CSV file and stores them all, or none (errors by line). */
  importLedger(input: { fileName: string; text: string }): Promise<LedgerImportResult>;
}

/** Options of {@link createSandboxChannel}. */
export interface SandboxChannelOptions {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Waits out the simulated latency (tests pass a fake). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Source of the random failure draws, in [0, 1) (tests pass a fixed sequence). */
  readonly random?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A simulated national tax platform behind {@link IssuingChannel}: its own tables (`sandbox_*`) and transactions,
 * numbering, credit quota, ledger, 查验, red confirmation forms, and per-tenant latency and failure injection.
 * Call it like a remote service: never inside your own database transaction (on SQLite that would wait on itself).
 */
export function createSandboxChannel(options: SandboxChannelOptions): SandboxChannel {
  const ctx: SandboxContext = {
    db: options.db,
    dialect: options.db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite',
    settings: createSettingsCache(),
    clock: options.clock,
    logger: options.logger,
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    checks: { purgedBefore: null },
  };
  const quotaKey = (scope: ChannelScope, sellerTaxId: string, month: string) => ({
    tenantId: scope.tenantId,
    sellerTaxId: sellerTaxId.toUpperCase(),
    month,
  });
  return {
    name: 'sandbox',
    bindAccount: (request) => bindAccountOnSandbox(ctx, request),
    issue: (request) => issueOnSandbox(ctx, request),
    queryIssue: async (scope, requestId) => {
      const row = await findLedgerByRequest(ctx.db, scope.tenantId, requestId);
      return row ? toIssued(row) : null;
    },
    applyRedForm: (request) => applyRedFormOnSandbox(ctx, request),
    getRedForm: (scope, formId) => getRedFormOnSandbox(ctx, scope, formId),
    decideRedForm: (scope, formId, decision) => decideRedFormOnSandbox(ctx, scope, formId, decision),
    verify: (scope, query) => verifyOnSandbox(ctx, scope, query),
    getQuota: async (scope, sellerTaxId, at) =>
      readQuota(
        ctx.db,
        quotaKey(scope, sellerTaxId, chinaDateParts(at).month),
        await ctx.settings.get(ctx.db, scope.tenantId),
      ),
    getSettings: (scope) => loadSettings(ctx.db, scope.tenantId),
    updateSettings: async (scope, patch) => {
      try {
        return await updateSettings(ctx.db, scope.tenantId, patch, ctx.clock.now());
      } finally {
        ctx.settings.invalidate(scope.tenantId);
      }
    },
    setQuota: async (scope, sellerTaxId, month, total) =>
      setQuotaTotal(
        ctx.db,
        quotaKey(scope, sellerTaxId, month),
        total,
        await ctx.settings.get(ctx.db, scope.tenantId),
        ctx.clock.now(),
      ),
    listLedger: (scope, query) => listLedger(ctx.db, scope.tenantId, query),
    verification: {
      provider: 'sandbox',
      verify: (scope, query) => verifyOnPlatform(ctx, scope, query),
      importLedger: (input) => importLedger(ctx, input),
    },
    deduction: createSandboxDeduction(ctx),
  };
}
