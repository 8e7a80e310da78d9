/**
 * The audit module's front door (审计日志): append an entry in the transaction of the change it records, the
 * sealer that hash-chains entries per tenant, verification, and the search/export routes. The lowest module: every
 * other module may record through it.
 */

export { AUDIT_ACTOR_KINDS, type AuditActorKind, type AuditEntryRow } from './audit.tables.js';
export {
  auditSealerAfter,
  auditSealerScheduled,
  registerAuditTasks,
  SEAL_INTERVAL_MS,
  scheduleAuditSealer,
} from './audit.tasks.js';
export { type AuditDiff, auditDiff, auditSnapshot, REDACTED } from './audit-diff.js';
export {
  type AuditChange,
  type AuditMeta,
  appendAudit,
  appendAuditSync,
  auditInsertAfter,
  auditInsertCte,
  auditRow,
} from './record.js';
export { auditRoutes } from './routes/audit.routes.js';
export { sealAllChains, sealTenantChain } from './seal.js';
export { type AuditVerifyResult, type BrokenEntry, verifyAuditChains } from './verify.js';
export { withAudit, withAuditDeps } from './with-audit.js';
