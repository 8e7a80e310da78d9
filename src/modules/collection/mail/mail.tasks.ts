import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { defineTask, type TaskPayloadsOf, type TaskRegistry } from '../../../platform/jobs/index.js';
import { pollMailboxOnce } from './imap-poll.js';
import { failImportMail, runImportMail } from './import-mail.js';
import { advanceMailboxPollSeq, findMailboxById } from './mail.repo.js';
import { IMPORT_MAIL_TASK, POLL_MAILBOX_TASK } from './mail-task-ids.js';

/** Attempts of a mail import (≈ 2 min of retries): a mail that fails five times is recorded `failed`. */
export const IMPORT_MAIL_ATTEMPTS = 5;
/** Attempts of one scheduled poll; IMAP errors do not throw (they are the poll's result), only the database. */
export const POLL_MAILBOX_ATTEMPTS = 3;
/** The next poll when more messages wait than one poll takes. */
const CONTINUE_DELAY_MS = 1000;

/** Imports one stored mail (one job per mail). */
export const importMailTask = defineTask({
  id: IMPORT_MAIL_TASK,
  payload: Type.Object({ mailId: Type.String({ maxLength: 64 }) }),
  maxAttempts: IMPORT_MAIL_ATTEMPTS,
  jobKey: (payload) => payload.mailId,
  handler: (deps: Deps, payload) => runImportMail(deps, payload.mailId),
  onDead: (deps, payload, { lastError }) => failImportMail(deps, payload.mailId, lastError),
});

/**
 * One scheduled poll of a mailbox, then the next one `pollIntervalSeconds` later (keyed `{mailboxId}:{seq}`). A job
 * whose sequence is no longer the mailbox's (the mailbox was changed, disabled or deleted) does nothing.
 */
export const pollMailboxTask = defineTask({
  id: POLL_MAILBOX_TASK,
  payload: Type.Object({ mailboxId: Type.String({ maxLength: 64 }), seq: Type.Integer({ minimum: 0 }) }),
  maxAttempts: POLL_MAILBOX_ATTEMPTS,
  handler: async (deps: Deps, { mailboxId, seq }) => {
    const db = deps.db.kysely;
    const mailbox = await findMailboxById(db, mailboxId);
    if (!mailbox || Number(mailbox.poll_seq) !== seq || mailbox.enabled !== 1) return;
    const result = await pollMailboxOnce(deps, mailboxId);
    const delay = result?.more ? CONTINUE_DELAY_MS : Number(mailbox.poll_interval_seconds) * 1000;
    await db.transaction().execute(async (trx) => {
      if (!(await advanceMailboxPollSeq(trx, mailboxId, seq))) return;
      await deps.jobs.enqueue(
        trx,
        POLL_MAILBOX_TASK,
        { mailboxId, seq: seq + 1 },
        { tenantId: mailbox.tenant_id, runAt: deps.clock.now() + delay, key: `${mailboxId}:${seq + 1}` },
      );
    });
  },
});

const MAIL_TASKS = [importMailTask, pollMailboxTask] as const;

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof MAIL_TASKS> {}
}

/** The mail intake's tasks. */
export function registerMailTasks(registry: TaskRegistry, deps: Deps): void {
  registry.register(deps, MAIL_TASKS);
}
