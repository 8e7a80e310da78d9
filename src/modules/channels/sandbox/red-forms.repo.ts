/** Red confirmation form rows: reading, the 72-hour expiry (computed on read and persisted), and the view. */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { DbDialect } from '../../../platform/db/create-db.js';
import type { Database } from '../../../platform/db/database.js';
import { fenToDecimalString, type RedReason, toFen } from '../../../tax/index.js';
import { SANDBOX_PLATFORM_TENANT, type SandboxRedFormTable } from '../channels.tables.js';
import type { ChannelRedForm, RedFormStatus } from '../issuing-channel.js';
import type { RedClaim } from './red-form-rules.js';
import { nextSequence } from './sequences.repo.js';
import { redFormLinesJson } from './stored-json.js';

export type RedFormRow = Selectable<SandboxRedFormTable>;

/** The buyer must answer within 72 hours or the form lapses (tax-rules §8.1 item 1, status 07). */
export const RED_FORM_CONFIRM_WINDOW_MS = 72 * 3_600_000;

/** Statuses that no longer hold part of the blue invoice (作废). */
export const LAPSED_FORM_STATUSES: readonly RedFormStatus[] = ['rejected', 'expired'];

export function toRedForm(row: RedFormRow): ChannelRedForm {
  return {
    id: row.id,
    formNo: row.form_no,
    requestId: row.request_id,
    blueNumber: row.blue_number,
    reason: row.reason as RedReason,
    status: row.status as RedFormStatus,
    amount: fenToDecimalString(Number(row.amount_fen)),
    tax: fenToDecimalString(Number(row.tax_fen)),
    lines: redFormLinesJson.decode(row.lines_json),
    appliedAt: Number(row.applied_at),
    confirmBy: row.confirm_by === null ? null : Number(row.confirm_by),
    decidedAt: row.decided_at === null ? null : Number(row.decided_at),
  };
}

/** A form as a red claim in fen (for the remaining-amount checks). */
export function toRedClaim(form: Pick<RedFormRow, 'amount_fen' | 'tax_fen' | 'lines_json'>): RedClaim {
  const lines = redFormLinesJson.decode(form.lines_json);
  return {
    amountFen: Number(form.amount_fen),
    taxFen: Number(form.tax_fen),
    lines: lines.map((l) => ({ blueLineNo: l.blueLineNo, amountFen: toFen(l.amount), taxFen: toFen(l.taxAmount) })),
  };
}

/**
 * Marks pending forms whose window has passed as `expired` (decided at the deadline). Narrow it to one form or
 * to the forms of one blue invoice. Idempotent: only `pending_buyer` rows change.
 */
export async function expireDueForms(
  db: Kysely<Database>,
  tenantId: string,
  where: { formId: string } | { blueLedgerId: string },
  now: number,
): Promise<void> {
  let q = db
    .updateTable('sandbox_red_forms')
    .set((eb) => ({ status: 'expired', decided_at: eb.ref('confirm_by'), updated_at: now }))
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'pending_buyer')
    .where('confirm_by', '<=', now);
  q = 'formId' in where ? q.where('id', '=', where.formId) : q.where('blue_ledger_id', '=', where.blueLedgerId);
  await q.execute();
}

export async function findRedForm(
  db: Kysely<Database>,
  tenantId: string,
  formId: string,
): Promise<RedFormRow | undefined> {
  return db
    .selectFrom('sandbox_red_forms')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', formId)
    .executeTakeFirst();
}

export async function findRedFormByRequest(
  db: Kysely<Database>,
  tenantId: string,
  requestId: string,
): Promise<RedFormRow | undefined> {
  return db
    .selectFrom('sandbox_red_forms')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('request_id', '=', requestId)
    .executeTakeFirst();
}

/** A form after applying the expiry rule, or undefined when the tenant has no such form. */
export async function readRedForm(
  db: Kysely<Database>,
  tenantId: string,
  formId: string,
  now: number,
): Promise<RedFormRow | undefined> {
  await expireDueForms(db, tenantId, { formId }, now);
  return findRedForm(db, tenantId, formId);
}

/** The forms against a blue ledger row that still hold part of it (not lapsed). */
export async function findLiveRedClaims(db: Kysely<Database>, tenantId: string, blueLedgerId: string) {
  return db
    .selectFrom('sandbox_red_forms')
    .select(['amount_fen', 'tax_fen', 'lines_json'])
    .where('tenant_id', '=', tenantId)
    .where('blue_ledger_id', '=', blueLedgerId)
    .where('status', 'not in', LAPSED_FORM_STATUSES)
    .execute();
}

/** The bigint columns of sandbox_red_forms (the others are text), for typed parameters in insert … select. */
const BIGINT_COLUMNS: ReadonlySet<string> = new Set([
  'amount_fen',
  'tax_fen',
  'applied_at',
  'confirm_by',
  'decided_at',
  'updated_at',
]);

/**
 * Inserts a form numbered `numbering.prefix` + the next value of `numbering.scope`, zero-padded to `width`. On
 * PostgreSQL the number and the row are one statement, so the sequence row stays locked only until the caller's
 * COMMIT (call it last in the transaction); on SQLite two statements in the caller's transaction.
 */
export async function insertNumberedRedForm(
  db: Kysely<Database>,
  dialect: DbDialect,
  row: Omit<RedFormRow, 'form_no'>,
  numbering: { scope: string; prefix: string; width: number },
): Promise<RedFormRow> {
  if (dialect === 'sqlite') {
    const sequence = await nextSequence(db, numbering.scope);
    const numbered = { ...row, form_no: numbering.prefix + String(sequence).padStart(numbering.width, '0') };
    await db.insertInto('sandbox_red_forms').values(numbered).execute();
    return numbered;
  }
  const columns = Object.keys(row) as (keyof typeof row)[];
  const values = columns.map((c) =>
    BIGINT_COLUMNS.has(c) ? sql`cast(${row[c]} as bigint)` : sql`cast(${row[c]} as text)`,
  );
  const result = await sql<RedFormRow>`
    with seq as (
      insert into sandbox_sequences as s (tenant_id, scope, value)
      values (${SANDBOX_PLATFORM_TENANT}, ${numbering.scope}, 1)
      on conflict (tenant_id, scope) do update set value = s.value + 1
      returning value
    )
    insert into sandbox_red_forms (${sql.join(columns.map((c) => sql.ref(c)))}, form_no)
    select ${sql.join(values)},
      case when seq.value < ${10 ** numbering.width}
        then cast(${numbering.prefix} as text) || lpad(cast(seq.value as text), ${numbering.width}, '0') end
    from seq
    returning *`.execute(db);
  return result.rows[0] as RedFormRow;
}

/** Marks a form `used` by a red ledger row if its status is one of `usable`; false when another call was first. */
export async function claimRedFormIf(
  db: Kysely<Database>,
  tenantId: string,
  formId: string,
  usable: readonly RedFormStatus[],
  redLedgerId: string,
  now: number,
): Promise<boolean> {
  const claimed = await db
    .updateTable('sandbox_red_forms')
    .set({ status: 'used', red_ledger_id: redLedgerId, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', formId)
    .where('status', 'in', usable)
    .returning('id')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** The buyer's decision on a form still `pending_buyer`; undefined when it is not (any more). */
export async function decidePendingRedForm(
  db: Kysely<Database>,
  tenantId: string,
  formId: string,
  status: 'confirmed' | 'rejected',
  now: number,
): Promise<RedFormRow | undefined> {
  return db
    .updateTable('sandbox_red_forms')
    .set({ status, decided_at: now, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', formId)
    .where('status', '=', 'pending_buyer')
    .returningAll()
    .executeTakeFirst();
}
