/** Task ids of the mail intake (stored in jobs.task: never renamed). Separate so use cases need not import the tasks. */
export const IMPORT_MAIL_TASK = 'collection/import-mail';
export const POLL_MAILBOX_TASK = 'collection/poll-mailbox';
