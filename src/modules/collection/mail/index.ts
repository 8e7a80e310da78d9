/**
 * E-mail intake of invoice collection (收票邮箱): the built-in SMTP receiver with a collection address per org and
 * user, IMAP polling of existing mailboxes, and the import of each mail (attachments and allowed links) into the
 * pool through intake. docs/collection.md#e-mail.
 */
export * from './mail.errors.js';
export type { MailTables } from './mail.tables.js';
export { registerMailTasks } from './mail.tasks.js';
export { classifyLink } from './mail-links.js';
export { mailRoutes } from './routes/mail.routes.js';
export { type MailReceiver, startMailReceiver } from './smtp-receiver.js';
