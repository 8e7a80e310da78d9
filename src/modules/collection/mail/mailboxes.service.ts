import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import { type AuditMeta, auditSnapshot, withAuditDeps } from '../../audit/index.js';
import { encryptSecret, listOrgs } from '../../orgs/index.js';
import { checkImapHost, passwordContext, pollMailboxOnce, testMailbox } from './imap-poll.js';
import {
  RECEIVED_MAILBOX_HOST_REFUSED,
  RECEIVED_MAILBOX_MOVE_TO_REQUIRED,
  RECEIVED_MAILBOX_NOT_FOUND,
  RECEIVED_MAILBOX_ORG_NOT_FOUND,
  RECEIVED_MAILBOX_POLL_BUSY,
} from './mail.errors.js';
import {
  bumpMailboxPollSeq,
  deleteMailboxRow,
  findMailbox,
  findMailboxById,
  findMailboxesOfTenant,
  insertMailbox,
  updateMailboxRow,
} from './mail.repo.js';
import type { AfterImportAction, ReceivedMailbox } from './mail.tables.js';
import { POLL_MAILBOX_TASK } from './mail-task-ids.js';

/** What a client sets on a mailbox. */
export interface MailboxFields {
  name?: string | null;
  buyerOrgId?: string | null;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  folder: string;
  pollIntervalSeconds: number;
  afterImport: AfterImportAction;
  moveTo?: string | null;
  enabled: boolean;
}

export interface MailboxView {
  id: string;
  name: string | null;
  buyerOrgId: string | null;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  folder: string;
  pollIntervalSeconds: number;
  afterImport: AfterImportAction;
  moveTo: string | null;
  enabled: boolean;
  /** The folder position: UIDVALIDITY and the last UID taken. */
  uidValidity: string | null;
  lastUid: number;
  lastPoll: { at: number; ok: boolean; error: string | null; count: number } | null;
  polling: boolean;
  createdAt: number;
  updatedAt: number;
}

export function toMailboxView(row: ReceivedMailbox, now: number): MailboxView {
  return {
    id: row.id,
    name: row.name,
    buyerOrgId: row.buyer_org_id,
    host: row.host,
    port: Number(row.port),
    secure: row.secure === 1,
    user: row.username,
    folder: row.folder,
    pollIntervalSeconds: Number(row.poll_interval_seconds),
    afterImport: row.after_import,
    moveTo: row.move_to,
    enabled: row.enabled === 1,
    uidValidity: row.uid_validity,
    lastUid: Number(row.last_uid),
    lastPoll:
      row.last_poll_at === null
        ? null
        : {
            at: Number(row.last_poll_at),
            ok: row.last_poll_ok === 1,
            error: row.last_poll_error,
            count: Number(row.last_poll_count ?? 0),
          },
    polling: row.polling_until !== null && Number(row.polling_until) > now,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Runs `fn` in the caller's transaction, or in a new one. */
const inTrx = <T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> =>
  db.isTransaction ? fn(db) : db.transaction().execute(fn);

/** What the audit log records of a mailbox (the encrypted password only as redacted). */
const auditOf = (row: ReceivedMailbox) => {
  const { password_enc: _p, polling_until: _u, last_poll_at: _a, last_poll_ok: _o, ...rest } = row;
  return auditSnapshot({ ...rest, password: '[REDACTED]' });
};

async function assertHostAllowed(deps: Deps, host: string, port: number): Promise<void> {
  const checked = await checkImapHost(deps, host, port);
  if (checked.refused !== null) {
    throw new AppError(RECEIVED_MAILBOX_HOST_REFUSED, undefined, { reason: checked.refused });
  }
}

async function assertOwnOrg(deps: Deps, tenantId: string, orgId: string | null | undefined): Promise<void> {
  if (!orgId) return;
  const orgs = await listOrgs({ db: deps.db.kysely }, tenantId);
  if (!orgs.some((o) => o.id === orgId)) throw new AppError(RECEIVED_MAILBOX_ORG_NOT_FOUND);
}

function assertMoveTo(afterImport: AfterImportAction, moveTo: string | null | undefined, folder: string): void {
  if (afterImport === 'move' && (!moveTo || moveTo === folder)) throw new AppError(RECEIVED_MAILBOX_MOVE_TO_REQUIRED);
}

/** Schedules the mailbox's next poll `delayMs` from now, superseding any scheduled one (in the caller's transaction). */
export async function schedulePoll(deps: Deps, trx: Kysely<Database>, mailbox: ReceivedMailbox, delayMs: number) {
  const seq = await bumpMailboxPollSeq(trx, mailbox.id);
  await deps.jobs.enqueue(
    trx,
    POLL_MAILBOX_TASK,
    { mailboxId: mailbox.id, seq },
    { tenantId: mailbox.tenant_id, runAt: deps.clock.now() + delayMs, key: `${mailbox.id}:${seq}` },
  );
}

export async function getMailboxOrThrow(deps: Deps, tenantId: string, id: string): Promise<ReceivedMailbox> {
  const row = await findMailbox(deps.db.kysely, tenantId, id);
  if (!row) throw new AppError(RECEIVED_MAILBOX_NOT_FOUND);
  return row;
}

export async function listMailboxes(deps: Deps, tenantId: string): Promise<ReceivedMailbox[]> {
  return findMailboxesOfTenant(deps.db.kysely, tenantId);
}

/** Adds a mailbox (host checked by the outbound guard, password encrypted); an enabled one is polled at once. */
export async function createMailbox(
  deps: Deps,
  tenantId: string,
  fields: MailboxFields,
  meta?: AuditMeta,
): Promise<ReceivedMailbox> {
  assertMoveTo(fields.afterImport, fields.moveTo, fields.folder);
  await assertOwnOrg(deps, tenantId, fields.buyerOrgId);
  await assertHostAllowed(deps, fields.host, fields.port);
  const now = deps.clock.now();
  const id = newId('rmb', now);
  const created = await withAuditDeps(
    deps,
    meta as AuditMeta,
    (d) =>
      inTrx(d.db.kysely, async (trx) => {
        await insertMailbox(trx, {
          id,
          tenant_id: tenantId,
          buyer_org_id: fields.buyerOrgId ?? null,
          name: fields.name ?? null,
          host: fields.host,
          port: fields.port,
          secure: fields.secure ? 1 : 0,
          username: fields.user,
          password_enc: encryptSecret(deps.config, fields.password, passwordContext(tenantId, id)),
          folder: fields.folder,
          poll_interval_seconds: fields.pollIntervalSeconds,
          after_import: fields.afterImport,
          move_to: fields.afterImport === 'move' ? (fields.moveTo ?? null) : null,
          enabled: fields.enabled ? 1 : 0,
          uid_validity: null,
          last_uid: 0,
          poll_seq: 0,
          polling_until: null,
          last_poll_at: null,
          last_poll_ok: null,
          last_poll_error: null,
          last_poll_count: null,
          created_at: now,
          updated_at: now,
        });
        const row = await findMailboxById(trx, id);
        if (row && fields.enabled) await schedulePoll(deps, trx, row, 0);
        return row as ReceivedMailbox;
      }),
    (row) => ({ action: 'received.mailboxes.create', target: { type: 'received_mailbox', id }, after: auditOf(row) }),
  );
  deps.jobs.notify();
  return created;
}

/** Changes a mailbox; a new host, user or folder starts from the folder's beginning. Re-schedules the poll. */
export async function updateMailbox(
  deps: Deps,
  tenantId: string,
  id: string,
  patch: Partial<MailboxFields>,
  meta?: AuditMeta,
): Promise<ReceivedMailbox> {
  const before = await getMailboxOrThrow(deps, tenantId, id);
  const host = patch.host ?? before.host;
  const port = patch.port ?? Number(before.port);
  const folder = patch.folder ?? before.folder;
  const afterImport = patch.afterImport ?? before.after_import;
  const moveTo = patch.moveTo === undefined ? before.move_to : patch.moveTo;
  assertMoveTo(afterImport, moveTo, folder);
  await assertOwnOrg(deps, tenantId, patch.buyerOrgId);
  if (patch.host !== undefined || patch.port !== undefined) await assertHostAllowed(deps, host, port);
  const moved = host !== before.host || folder !== before.folder || (patch.user ?? before.username) !== before.username;
  const enabled = patch.enabled ?? before.enabled === 1;
  const after = await withAuditDeps(
    deps,
    meta as AuditMeta,
    (d) =>
      inTrx(d.db.kysely, async (trx) => {
        await updateMailboxRow(trx, tenantId, id, {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.buyerOrgId !== undefined ? { buyer_org_id: patch.buyerOrgId } : {}),
          host,
          port,
          ...(patch.secure !== undefined ? { secure: patch.secure ? 1 : 0 } : {}),
          ...(patch.user !== undefined ? { username: patch.user } : {}),
          ...(patch.password !== undefined
            ? { password_enc: encryptSecret(deps.config, patch.password, passwordContext(tenantId, id)) }
            : {}),
          folder,
          ...(patch.pollIntervalSeconds !== undefined ? { poll_interval_seconds: patch.pollIntervalSeconds } : {}),
          after_import: afterImport,
          move_to: afterImport === 'move' ? moveTo : null,
          enabled: enabled ? 1 : 0,
          ...(moved ? { uid_validity: null, last_uid: 0 } : {}),
          updated_at: deps.clock.now(),
        });
        const row = await findMailboxById(trx, id);
        if (row && enabled) await schedulePoll(deps, trx, row, 0);
        else if (row) await bumpMailboxPollSeq(trx, id); // a disabled mailbox: the scheduled poll becomes stale
        return row as ReceivedMailbox;
      }),
    (row) => ({
      action: 'received.mailboxes.update',
      target: { type: 'received_mailbox', id },
      before: auditOf(before),
      after: auditOf(row),
    }),
  );
  deps.jobs.notify();
  return after;
}

/** Removes a mailbox (its scheduled poll finds nothing and stops; its mails stay in the list). */
export async function deleteMailbox(deps: Deps, tenantId: string, id: string, meta?: AuditMeta): Promise<void> {
  const before = await getMailboxOrThrow(deps, tenantId, id);
  await withAuditDeps(
    deps,
    meta as AuditMeta,
    (d) => deleteMailboxRow(d.db.kysely, tenantId, id),
    () => ({ action: 'received.mailboxes.delete', target: { type: 'received_mailbox', id }, before: auditOf(before) }),
  );
}

/** Polls now (also a disabled mailbox); 409 while another poll runs. */
export async function pollMailboxNow(deps: Deps, tenantId: string, id: string): Promise<ReceivedMailbox> {
  await getMailboxOrThrow(deps, tenantId, id);
  const result = await pollMailboxOnce(deps, id);
  if (result === null) throw new AppError(RECEIVED_MAILBOX_POLL_BUSY);
  return getMailboxOrThrow(deps, tenantId, id);
}

export async function testMailboxConnection(deps: Deps, tenantId: string, id: string) {
  return testMailbox(deps, await getMailboxOrThrow(deps, tenantId, id));
}
