/**
 * Channels: the boundary to a tax platform. `IssuingChannel` is what the invoicing module calls; the sandbox is a
 * simulated national platform behind it (real channels — 乐企, 电子税局, UKey — implement the same interface).
 */

export { CHANNEL_ERRORS } from './channels.errors.js';
export type { ChannelTables, LedgerStatus } from './channels.tables.js';
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
} from './sandbox/create-sandbox-channel.js';
export { issueSandboxCredential } from './sandbox/credentials.js';
export type { SandboxLedgerEntry } from './sandbox/ledger-rows.js';
export type { SandboxRule, SandboxSettings } from './sandbox/sandbox-settings.js';
