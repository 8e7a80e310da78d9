/**
 * Invoice collection (收票, #14): the parse-only front door, intake from every channel (intakeReceivedFiles: files
 * stored unchanged, parsed on worker threads, one item per invoice), the received-invoice pool (进项发票池) and its
 * processing pipeline (duplicates, verification, compliance, events). See docs/collection.md.
 */
export * from './collection.errors.js';
export {
  COMPLIANCE_RESULTS,
  type CollectionTables,
  RECEIVED_SOURCES,
  type ReceivedFile,
  type ReceivedInvoice,
  type ReceivedSource,
  USAGE_STATUSES,
  type UsageStatus,
  VERIFICATION_STATUSES,
  type VerificationStatus,
} from './collection.tables.js';
export {
  effectiveRules,
  RECEIVED_BUYER_ORG_NOT_FOUND,
  RECEIVED_RULES_INVALID,
  receivedRulesRoutes,
  recomputeCompliance,
  registerComplianceTasks,
} from './compliance/index.js';
export {
  enqueueProcessing,
  type IntakeFileResult,
  type IntakeFileStatus,
  type IntakeInput,
  type IntakeResult,
  intakeReceivedFiles,
  type RereadItemsListener,
  registerRereadItemsListener,
} from './intake.js';
export { classifyLink, type MailReceiver, mailRoutes, registerMailTasks, startMailReceiver } from './mail/index.js';
export * from './mail/mail.errors.js';
export { enterReceivedInvoice, type ManualEntry } from './manual-entry.js';
export { type OrphanSweepResult, sweepOrphanBlobs } from './orphan-blobs.js';
export {
  closeParsePool,
  configureParsePool,
  getParsePool,
  PARSE_LIMITS,
  ParsePool,
  type ParsePoolOptions,
  ParseRejected,
  setParsePoolTestHooks,
} from './parse-pool.js';
export {
  type DeductibleFilters,
  findFileById as findReceivedFile,
  findReceivedInvoice,
  findReceivedInvoicesByIds,
  listDeductibleReceived,
  listReceivedInvoices,
  lockReceivedInvoices,
  type ReceivedInvoiceFilters,
  updateReceivedInvoice,
} from './received.repo.js';
export { receivedBlobs } from './received-blobs.js';
export { publishReceivedEvent, RECEIVED_EVENTS, type ReceivedEvent } from './received-events.js';
export {
  exportMoney,
  INVOICE_AMOUNT_COLUMN,
  INVOICE_IDENTITY_COLUMNS,
  type InvoiceIdentityRow,
} from './received-export.js';
export { claimableFen, setReceivedUsage } from './received-usage.js';
export {
  type DeductionLoader,
  deductionFactsOf,
  type ReceivedInvoiceView,
  type ReceivedUsage,
  registerDeductionLoader,
  registerUsageLoader,
  registerVerificationHistoryLoader,
  toReceivedInvoiceViews,
  type UsageLoader,
  type VerificationHistoryEntry,
  type VerificationHistoryLoader,
} from './received-view.js';
export { invoiceFilesRoutes } from './routes/invoice-files.routes.js';
export { ReceivedInvoiceView as ReceivedInvoiceViewSchema } from './routes/received.schemas.js';
export { receivedFilesRoutes } from './routes/received-files.routes.js';
export {
  assertSupportedUploads,
  readUpload,
  receivedInvoicesRoutes,
  UPLOAD_LIMITS,
  UPLOAD_MULTIPART_LIMITS,
  type Upload,
} from './routes/received-invoices.routes.js';
export { sendReceivedFile } from './routes/send-received-file.js';
export { type ComplianceFinding, complianceJson } from './stored-json.js';
export { registerCollectionTasks } from './tasks/index.js';
export { ORPHAN_SWEEP_WINDOW_MS, scheduleOrphanBlobSweep } from './tasks/sweep-orphan-blobs.task.js';
export { PROCESS_RECEIVED_TASK, SWEEP_ORPHAN_BLOBS_TASK } from './tasks/task-ids.js';
export {
  loadVerificationHistories,
  NIGHTLY_QUOTA_SHARE,
  NIGHTLY_WINDOW,
  queueNightlyReverification,
  REVERIFY_NIGHTLY_TASK,
  receivedVerificationRoutes,
  registerVerificationTasks,
  requestVerification,
  scheduleNightlyReverification,
  VERIFY_RECEIVED_TASK,
  type VerifyOutcome,
  type VerifyReason,
  type VerifyReceivedInput,
  type VerifyReceivedOptions,
  verificationQueryOf,
  verifyReceivedInvoice,
} from './verification/index.js';
