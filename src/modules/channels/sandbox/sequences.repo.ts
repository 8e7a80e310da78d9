import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { SANDBOX_PLATFORM_TENANT } from '../channels.tables.js';

/**
 * Hands out the next number of a platform-wide sequence (1, 2, …) in one statement (an upsert that creates the row
 * at 1 or adds 1, `returning` the value). Inside a transaction a rollback gives the number back, so numbers are
 * unique and gap-free among committed rows; on PostgreSQL the row stays locked until that transaction ends, so call
 * it as late as possible (docs/architecture.md, "No lock across a round trip"). The sandbox's issue does not call
 * this on PostgreSQL: it allocates inside its one statement (issue.repo.ts).
 */
export async function nextSequence(db: Kysely<Database>, scope: string): Promise<number> {
  const row = await db
    .insertInto('sandbox_sequences')
    .values({ tenant_id: SANDBOX_PLATFORM_TENANT, scope, value: 1 })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'scope'])
        .doUpdateSet((eb) => ({ value: eb(eb.ref('sandbox_sequences.value'), '+', 1) })),
    )
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}
