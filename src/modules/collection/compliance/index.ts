/**
 * 合规检查 of received invoices: the rules per buyer org (`received_rules`), their API, and the recompute of items'
 * results (after intake, verification and rules changes). The collection module's index.ts re-exports what others use.
 */
export * from './compliance.errors.js';
export { registerComplianceTasks } from './compliance.tasks.js';
export { recomputeAfterRemoval, recomputeCompliance } from './recompute.js';
export { receivedRulesRoutes } from './routes/rules.routes.js';
export { effectiveRules, getReceivedRules, saveReceivedRules } from './rules.service.js';
