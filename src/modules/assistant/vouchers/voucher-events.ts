import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import type { Deps } from '../../../platform/deps.js';
import { newId } from '../../../platform/ids.js';
import type { Voucher } from '../assistant.tables.js';
import type { VoucherEvent } from '../bills/bill-events.js';

/** Publishes a voucher event in the change's transaction, carrying the voucher as it is then. */
export async function publishVoucherEvent(
  deps: Pick<Deps, 'events'>,
  trx: Kysely<Database>,
  type: VoucherEvent,
  voucher: Voucher,
  invoiceIds: readonly string[],
  billIds: readonly string[],
  now: number,
): Promise<void> {
  await deps.events.publish(trx, {
    type,
    tenantId: voucher.tenant_id,
    subjectId: voucher.id,
    key: `${type}:${voucher.id}:${newId('vev', now)}`,
    data: {
      businessSystemCode: voucher.resource,
      resource: voucher.resource,
      vouchId: voucher.vouch_id,
      vouchNo: voucher.vouch_no,
      accountDate: voucher.account_date,
      accountTime: voucher.account_time,
      businessDate: voucher.business_date,
      invoiceIds: [...invoiceIds],
      billIds: [...billIds],
    },
  });
}
