import { randomBytes } from 'node:crypto';
import type { RawBuilder } from 'kysely';
import type { Deps } from '../../platform/deps.js';
import { newId, randomToken, sha256Hex } from '../../platform/ids.js';
import type { ReservationQr } from './counter.tables.js';
import { CODE_ALPHABET, codeOfToken, storeExtractionCode } from './extraction-codes.js';
import { clientKey, enforceLimits, shanghaiDayStart } from './rate-limit.js';
import type { ReservationEntry } from './reservation-config.js';
import { qrConfig, qrLimits } from './reservation-qrs.js';
import { announceReservationChange } from './reservation-signals.js';
import { insertReservationWithSeq } from './reservations.repo.js';
import { reservationEntryJson, reservationTitleJson, type StoredTitle } from './stored-json.js';

export const EXPIRE_TASK = 'counter/expire-reservation';

/**
 * The invoice serial number of a new reservation, fixed when it is submitted: `R-` and 12 random characters of the
 * extraction code alphabet (60 bits; no 0/O or 1/I), short enough to type at a kiosk as the order number.
 */
export const newReservationSerialNo = () => `R-${Array.from(randomBytes(12), (b) => CODE_ALPHABET[b % 32]).join('')}`;

/**
 * Records a consumer's reservation at a reservation QR: the abuse limits first (per client and per QR, each one
 * conditional upsert; a refusal answers 429 and writes nothing), then the reservation with the org's next 序号 and
 * its expiry job — on PostgreSQL ONE statement, on SQLite one transaction — and the extraction code its status
 * token stands for. Answers the status page's bearer token (only its hash is stored) and the 序号.
 */
export async function submitReservation(
  deps: Deps,
  qr: ReservationQr,
  title: StoredTitle,
  entry: ReservationEntry,
  clientIp: string,
): Promise<{ token: string; seqNo: number; id: string }> {
  const limits = qrLimits(qr);
  const client = clientKey(deps, clientIp);
  await enforceLimits(deps, [
    { name: 'clientPerMinute', scope: `rc:${qr.id}`, subject: client, window: 'minute', cap: limits.clientPerMinute },
    { name: 'clientPerDay', scope: `rc:${qr.id}`, subject: client, window: 'day', cap: limits.clientPerDay },
    { name: 'qrPerMinute', scope: `r:${qr.id}`, subject: '', window: 'minute', cap: limits.qrPerMinute },
    { name: 'qrPerDay', scope: `r:${qr.id}`, subject: '', window: 'day', cap: limits.qrPerDay },
  ]);
  const now = deps.clock.now();
  const token = randomToken(96);
  const id = newId('rsv', now);
  const expiresAt = now + qrConfig(qr).expiryHours * 3_600_000;
  const row = {
    id,
    tenant_id: qr.tenant_id,
    qr_id: qr.id,
    seller_tax_id: qr.seller_tax_id,
    seq_day: shanghaiDayStart(now),
    status: 'submitted' as const,
    token_hash: sha256Hex(token),
    buyer_json: reservationTitleJson.encode(title),
    buyer_name: title.name,
    mobile: title.mobile ?? null,
    email: title.email ?? null,
    entry_json: reservationEntryJson.encode(entry),
    lines_json: null,
    total_fen: null,
    invoice_id: null,
    invoice_serial_no: newReservationSerialNo(),
    reject_reason: null,
    failure_reason: null,
    expires_at: expiresAt,
    created_at: now,
    updated_at: now,
  };
  const jobOptions = { tenantId: qr.tenant_id, runAt: expiresAt };
  const { kysely: db, dialect } = deps.db;
  const withs: RawBuilder<unknown>[] =
    dialect === 'postgres' ? [deps.jobs.enqueueAfter('ins', EXPIRE_TASK, { reservationId: id }, jobOptions)] : [];
  const seqNo = await insertReservationWithSeq(db, dialect, row, withs, async (trx) => {
    await deps.jobs.enqueue(trx, EXPIRE_TASK, { reservationId: id }, jobOptions);
  });
  await storeExtractionCode(deps, qr.tenant_id, row.invoice_serial_no, codeOfToken(deps, token));
  await announceReservationChange(deps, qr.tenant_id);
  return { token, seqNo, id };
}
