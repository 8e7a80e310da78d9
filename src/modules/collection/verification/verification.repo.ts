import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { REVERIFIED_STATUSES } from '../../../tax/index.js';
import type { ReceivedVerificationTable } from './verification.tables.js';

export async function insertVerification(db: Kysely<Database>, row: Insertable<ReceivedVerificationTable>) {
  await db.insertInto('received_verifications').values(row).execute();
}

/** The history rows of items, newest first per item. */
export async function findVerifications(db: Kysely<Database>, tenantId: string, receivedIds: readonly string[]) {
  if (receivedIds.length === 0) return [];
  return db
    .selectFrom('received_verifications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('received_id', 'in', [...receivedIds])
    .orderBy('received_id')
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/**
 * Items to verify again tonight, stalest first, across tenants: live, verified 正常 before `verifiedBefore`, and not
 * booked yet (usage_status unused or claimed). Keyset on (verified_at, id).
 */
export async function findReverifyCandidates(
  db: Kysely<Database>,
  query: { verifiedBefore: number; after: { verifiedAt: number; id: string } | null; limit: number },
) {
  let q = db
    .selectFrom('received_invoices')
    .select(['id', 'tenant_id', 'verified_at'])
    // 正常 and 部分红冲 can still change on the platform; a final verdict (已红冲, 作废 …) is not asked again.
    .where('verification_status', 'in', REVERIFIED_STATUSES)
    .where('usage_status', 'in', ['unused', 'claimed'])
    .where('deleted_at', 'is', null)
    .where('verified_at', '<', query.verifiedBefore);
  const after = query.after;
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb('verified_at', '>', after.verifiedAt),
        eb.and([eb('verified_at', '=', after.verifiedAt), eb('id', '>', after.id)]),
      ]),
    );
  }
  return q.orderBy('verified_at').orderBy('id').limit(query.limit).execute();
}
