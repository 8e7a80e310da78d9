import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { WebhookDeliveryStatus } from './delivery.tables.js';

/** How many webhook deliveries of the tenant are in each state (the dashboard shows the dead ones). */
export async function countWebhookDeliveriesByStatus(
  db: Kysely<Database>,
  tenantId: string,
): Promise<Partial<Record<WebhookDeliveryStatus, number>>> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
