/**
 * Invoice collection (收票): for now the parse-only front door — one uploaded file parsed on a worker thread by
 * src/parse and answered without storing anything. Intake, the pool, verification and compliance come next (#14).
 */
export * from './collection.errors.js';
export { classifyLink, type MailReceiver, mailRoutes, registerMailTasks, startMailReceiver } from './mail/index.js';
export * from './mail/mail.errors.js';
export { getParsePool, PARSE_LIMITS, ParsePool, type ParsePoolOptions, ParseRejected } from './parse-pool.js';
export { invoiceFilesRoutes } from './routes/invoice-files.routes.js';
