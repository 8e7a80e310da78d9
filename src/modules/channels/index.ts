/**
 * Channels: the boundary to a tax platform. `IssuingChannel` is what the invoicing module calls; `VerificationChannel`
 * is what the collection module's 查验 calls (with the provider's rate and daily quota in verification-limits.ts);
 * `DeductionChannel` is what 抵扣勾选 (assistant/deduction) calls;
 * the sandbox is a simulated national platform behind all three (real channels — 乐企, 电子税局, UKey, 查验 resellers —
 * implement the same interfaces).
 */

export { CHANNEL_ERRORS, channelErrorToAppError } from './channels.errors.js';
export type { ChannelTables, LedgerStatus } from './channels.tables.js';
export {
  type DeductionChannel,
  type DeductionHolding,
  type DeductionInvoiceRef,
  type DeductionItemResult,
  type DeductionPeriodStatus,
  type DeductionRefusal,
  type DeductionScope,
  type DeductionSelectItem,
  deductionKey,
} from './deduction-channel.js';
export type {
  ChannelAccount,
  ChannelAccountBindRequest,
  ChannelIssued,
  ChannelIssueRequest,
  ChannelQuota,
  ChannelRedForm,
  ChannelRedFormRequest,
  ChannelRedLine,
  ChannelScope,
  ChannelVerifyQuery,
  ChannelVerifyResult,
  IssuingChannel,
  RedFormStatus,
} from './issuing-channel.js';
export { ChannelError, RED_FORM_STATUSES } from './issuing-channel.js';
export { type SandboxRoutesOptions, sandboxRoutes } from './routes/sandbox.routes.js';
export {
  createSandboxChannel,
  type SandboxChannel,
  type SandboxChannelOptions,
  type SandboxVerificationChannel,
} from './sandbox/create-sandbox-channel.js';
export { issueSandboxCredential } from './sandbox/credentials.js';
export type { LedgerImportResult } from './sandbox/import-ledger.js';
export { IMPORT_CSV_COLUMNS, IMPORT_LIMITS, type ImportLineError } from './sandbox/import-ledger-format.js';
export type { SandboxLedgerEntry } from './sandbox/ledger-rows.js';
export type { SandboxRule, SandboxSettings } from './sandbox/sandbox-settings.js';
export { MAX_CHECKS_PER_DAY, VERIFIABLE_YEARS } from './sandbox/verify-on-platform.js';
export {
  VERIFICATION_FOUND_STATUSES,
  VERIFICATION_STATUSES,
  type VerificationChannel,
  type VerificationMismatchField,
  type VerificationQuery,
  type VerificationResult,
  type VerificationStatus,
  type VerifiedInvoice,
  type VerifiedInvoiceLine,
} from './verification-channel.js';
export {
  acquireVerificationSlot,
  chinaDay,
  purgeVerificationUsage,
  readVerificationUsage,
  type VerificationLimits,
  type VerificationSlot,
} from './verification-limits.js';
