/**
 * The sandbox's issue on PostgreSQL as ONE statement (data-modifying CTEs, autocommit): the request-id lookup, the
 * red form claim and blue update (reds), the quota charge (blues: only when it fits) or give-back (reds), the number
 * and the ledger row. Nothing is allocated unless everything before it succeeded, and the statement is atomic, so a
 * refusal consumes no number and charges no quota, and the platform-wide sequence row is locked only while the
 * statement commits — never across a round trip (docs/architecture.md, "No lock across a round trip").
 * SQLite has no data-modifying CTEs; its path runs the same steps as single statements in one in-process transaction.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { SANDBOX_PLATFORM_TENANT } from '../channels.tables.js';
import type { RedFormStatus } from '../issuing-channel.js';
import type { LedgerRow } from './ledger-rows.js';
import type { NumberPlan } from './numbering.js';
import { chargeQuotaSql, type QuotaKey, restoreQuotaSql } from './quota.repo.js';

/** Columns of sandbox_ledger in insert order. */
const LEDGER_COLUMNS = [
  'id',
  'tenant_id',
  'request_id',
  'number',
  'code',
  'check_code',
  'kind',
  'seller_tax_id',
  'seller_name',
  'seller_region',
  'buyer_name',
  'buyer_tax_id',
  'buyer_natural_person',
  'amount_fen',
  'tax_fen',
  'total_fen',
  'issued_at',
  'lines_json',
  'is_red',
  'blue_number',
  'red_form_id',
  'status',
  'red_amount_fen',
  'red_tax_fen',
  'updated_at',
] as const satisfies readonly (keyof LedgerRow)[];

/** What one issue writes. The ledger row's `number` and (reds) `blue_number` come from the statement itself. */
export interface IssueStatement {
  readonly row: Omit<LedgerRow, 'number' | 'blue_number'>;
  readonly numbering: Pick<NumberPlan, 'scope' | 'prefix' | 'width'>;
  readonly quota: { readonly key: QuotaKey; readonly deltaFen: number; readonly defaultTotalFen: number };
  /** A red invoice: the form to claim (if still in `usable`) and the amounts to add to its blue. */
  readonly red: {
    readonly formId: string;
    readonly usable: readonly RedFormStatus[];
    readonly amountFen: number;
    readonly taxFen: number;
  } | null;
}

/** `existing`: the request id was issued before (nothing written); `issued`: this statement wrote it; `refused`: not
 *  written — a blue's quota did not fit, or a red's form was not usable (any more). */
export type IssueOutcome = { kind: 'existing' | 'issued'; row: LedgerRow } | { kind: 'refused' };

function param(value: unknown): RawBuilder<unknown> {
  return typeof value === 'number' ? sql`cast(${value} as bigint)` : sql`cast(${value} as text)`;
}

export async function issueInOneStatement(db: Kysely<Database>, s: IssueStatement): Promise<IssueOutcome> {
  const { row, numbering, quota, red } = s;
  const notIssued = sql`not exists (select 1 from existing)`;
  const redCtes = red
    ? sql`, form as (
        update sandbox_red_forms set status = 'used', red_ledger_id = ${row.id}, updated_at = ${row.updated_at}
        where tenant_id = ${row.tenant_id} and id = ${red.formId} and status in (${sql.join(red.usable)})
          and ${notIssued}
        returning blue_ledger_id
      ), blue as (
        update sandbox_ledger b set
          red_amount_fen = b.red_amount_fen + ${param(red.amountFen)},
          red_tax_fen = b.red_tax_fen + ${param(red.taxFen)},
          status = case when b.amount_fen + b.red_amount_fen + ${param(red.amountFen)} = 0
            and b.tax_fen + b.red_tax_fen + ${param(red.taxFen)} = 0 then 'reversed' else 'partially_reversed' end,
          updated_at = ${param(row.updated_at)}
        from form where b.tenant_id = ${row.tenant_id} and b.id = form.blue_ledger_id
        returning b.number
      )`
    : sql``;
  const quotaCte = red
    ? restoreQuotaSql(quota.key, quota.deltaFen, row.updated_at, sql`exists (select 1 from blue)`)
    : chargeQuotaSql(quota.key, quota.deltaFen, quota.defaultTotalFen, row.updated_at, notIssued);
  const values = LEDGER_COLUMNS.map((column) => {
    if (column === 'number') {
      // Past the last number of the range this is null and the not-null column fails the whole statement.
      return sql`case when seq.value < ${param(10 ** numbering.width)}
        then cast(${numbering.prefix} as text) || lpad(cast(seq.value as text), ${numbering.width}, '0') end`;
    }
    if (column === 'blue_number') return red ? sql`blue.number` : sql`cast(null as text)`;
    return param(row[column]);
  });
  const result = await sql<LedgerRow & { outcome: 'existing' | 'issued' }>`
    with existing as (
      select * from sandbox_ledger where tenant_id = ${row.tenant_id} and request_id = ${row.request_id}
    )${redCtes}, quota as (
      ${quotaCte}
    ), seq as (
      insert into sandbox_sequences as s (tenant_id, scope, value)
      select cast(${SANDBOX_PLATFORM_TENANT} as text), cast(${numbering.scope} as text), cast(1 as bigint)
      where exists (select 1 from quota)
      on conflict (tenant_id, scope) do update set value = s.value + 1
      returning value
    ), ledger as (
      insert into sandbox_ledger (${sql.join(LEDGER_COLUMNS.map((c) => sql.ref(c)))})
      select ${sql.join(values)} from seq${red ? sql` cross join blue` : sql``}
      returning *
    )
    select 'existing' as outcome, e.* from existing e
    union all
    select 'issued' as outcome, l.* from ledger l`.execute(db);
  const first = result.rows[0];
  if (!first) return { kind: 'refused' };
  const { outcome, ...ledgerRow } = first;
  return { kind: outcome, row: ledgerRow as LedgerRow };
}
