/**
 * The invoice assistant (发票助手) and reimbursement (#15): event codes opening the assistant pages for an expense
 * system's bill, the employee's folder (个人票夹), imports pushed to expense systems over WebSocket or long-poll
 * (consumed once), bills and vouchers binding received invoices, and deduction selection (抵扣勾选).
 * See docs/assistant.md.
 */
export { BILL_STATUSES, type BillStatus, PUSH_TYPES, type PushType } from './assistant.tables.js';
// ---- bills & vouchers (bills helper): billSave / voucherSave, the pool's usage, red/void alerts ----
export { BILL_EVENTS, VOUCHER_EVENTS } from './bills/bill-events.js';
export { type BillView, billOfEvent } from './bills/bill-view.js';
export * from './bills/bills.errors.js';
export { billsRoutes } from './bills/bills.routes.js';
export { registerBillsTasks } from './bills/bills.tasks.js';
export { usageOf } from './bills/usage.js';
export * from './deduction/deduction.errors.js';
// ---- deduction (抵扣勾选): routes, the pool view's deduction state, errors ----
export { deductionRoutes } from './deduction/deduction.routes.js';
export { registerDeductionView } from './deduction/deduction.service.js';
export { DEDUCTION_STATUSES, type DeductionStatus, type DeductionTables } from './deduction/deduction.tables.js';
// asst-core: event codes, the assistant pages' API, the personal folder and employees.
export { type CompanyInfo, type CreatedEvent, createEvent } from './events/create-event.js';
export {
  DEFAULT_FRAME_ANCESTORS,
  EVENT_CODE_HEADER,
  frameAncestorsOfEvent,
  liveEventOf,
} from './events/event-auth.js';
export * from './events/events.errors.js';
export { assistantEventsRoutes } from './events/events.routes.js';
export * from './folder/folder.errors.js';
export { folderRoutes } from './folder/folder.routes.js';
export { registerFolderIntake } from './folder/folder-intake.js';
export { type AssistantItem, AssistantItemSchema, toAssistantItems } from './pages/assistant-item.js';
// Assistant pages (asst-web): the built pages served at /assistant/*, their frame-ancestors.
export { ASSISTANT_PAGE_PATHS, assistantStaticPagesRoutes } from './pages/page-static.routes.js';
export * from './pages/pages.errors.js';
export { assistantPageRoutes } from './pages/pages.routes.js';
export * from './push/push.errors.js';
export {
  assistantPushRoutes,
  PUSH_LIMITS,
  PUSH_MAX_INCOMING_BYTES,
  PUSH_POLL_PATH,
  PUSH_SOCKET_PATH,
  type PushLimits,
} from './push/push.routes.js';
export { registerPushTasks, scheduleImportsJanitor } from './push/push.tasks.js';
// Push to expense systems (asst-push): recordImport for the pages' 导入单据, the WebSocket and long-poll routes, the
// janitor task.
export {
  IMPORT_SIGNAL_TOPIC,
  type ImportPayload,
  importSignalKey,
  type PushAttachment,
  type PushMessage,
  type RecordImportInput,
  recordImport,
} from './push/record-import.js';
export * from './vouchers/vouchers.errors.js';
