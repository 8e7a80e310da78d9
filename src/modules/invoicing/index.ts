/** Direct invoicing (直接开票): the module's front door. */
export { createInvoice } from './create-invoice.js';
export type { InvoiceRequestData } from './invoice-draft.js';
export { INVOICE_EVENTS, type InvoiceEvent } from './invoice-events.js';
export { listIssuedBuyersSince } from './invoice-lists.repo.js';
export { INVOICE_STATUSES, type InvoiceStatus, wasIssued } from './invoice-state-machine.js';
export {
  countFailedByCode,
  countInvoicesByStatus,
  type IssuedInvoiceSums,
  issuedDailyTotals,
  sumIssuedInvoices,
} from './invoice-stats.repo.js';
export { type InvoiceViewData, toInvoiceView } from './invoice-view.js';
export { TAX_RULE_ERRORS } from './invoicing.errors.js';
export { findInvoiceById, findInvoiceBySerial } from './invoicing.repo.js';
export { INVOICE_ORIGINS, type Invoice, type InvoiceOrigin, type InvoicingTables } from './invoicing.tables.js';
export { type IssuedFilesRenderer, registerIssuedFilesRenderer } from './issued-files.js';
export { getInvoiceOrThrow, getScopedInvoiceOrThrow } from './manage-invoice.js';
export {
  type MonitorException,
  type MonitorExceptionSource,
  registerMonitorExceptionSource,
} from './monitor-exceptions.js';
export { invoicesRoutes } from './routes/invoices.routes.js';
export { monitorRoutes } from './routes/monitor.routes.js';
export { redFormsRoutes } from './routes/red-forms.routes.js';
export { taxCodeSearchRoutes } from './routes/tax-code-search.routes.js';
export { BuyerInput, Kind, LineInput, TotalsInput, WaitQuery } from './schemas.js';
export { type SeedInvoicesResult, seedInvoices } from './seed-invoices.js';
export {
  decodeComputedInvoice,
  decodeInvoiceRequest,
  decodeStoredBuyer,
  decodeStoredSeller,
  type StoredParty,
} from './stored-json.js';
export { registerInvoicingTasks } from './tasks/index.js';
export { importTaxCodes, loadTaxCodeTable } from './tax-code-table.js';
export { taxViolationsError } from './tax-violations-error.js';
