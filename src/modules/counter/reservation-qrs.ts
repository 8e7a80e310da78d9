import { toIsoCst } from '../../platform/clock.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId, randomToken } from '../../platform/ids.js';
import { getIssuingSellerOrThrow, getSellerOrThrow } from '../orgs/index.js';
import { RESERVATION_QR_NOT_FOUND } from './counter.errors.js';
import type { ReservationQr } from './counter.tables.js';
import { type CounterLimits, DEFAULT_RESERVATION_LIMITS } from './rate-limit.js';
import { type ReservationConfig, withConfigDefaults } from './reservation-config.js';
import {
  findReservationQrById,
  findReservationQrByKey,
  insertReservationQr,
  listReservationQrs,
  updateReservationQr,
} from './reservations.repo.js';
import { reservationConfigJson, reservationLimitsJson } from './stored-json.js';

export interface ReservationQrInput {
  sellerTaxId: string;
  name: string;
  config?: Partial<ReservationConfig>;
  limits?: Partial<CounterLimits> | null;
  enabled?: boolean;
}

export const qrConfig = (qr: ReservationQr): ReservationConfig => reservationConfigJson.decode(qr.config_json);

/** The limits in force: the QR's own, the rest at their defaults. */
export const qrLimits = (qr: ReservationQr): CounterLimits => ({
  ...DEFAULT_RESERVATION_LIMITS,
  ...(qr.limits_json ? reservationLimitsJson.decode(qr.limits_json) : {}),
});

/** Creates an org's reservation QR (its seller must be one the tenant issues under: 422 SELLER_NOT_BOUND). */
export async function createReservationQr(deps: Deps, tenantId: string, input: ReservationQrInput) {
  const db = deps.db.kysely;
  await getIssuingSellerOrThrow(db, tenantId, input.sellerTaxId);
  const now = deps.clock.now();
  const row = {
    id: newId('rqr', now),
    tenant_id: tenantId,
    key: randomToken(64),
    seller_tax_id: input.sellerTaxId,
    name: input.name,
    config_json: reservationConfigJson.encode(withConfigDefaults(input.config ?? {})),
    limits_json: input.limits ? reservationLimitsJson.encode(input.limits) : null,
    enabled: (input.enabled === false ? 0 : 1) as 0 | 1,
    created_at: now,
    updated_at: now,
  };
  await insertReservationQr(db, row);
  return row as ReservationQr;
}

export async function getReservationQrOrThrow(deps: Deps, tenantId: string, key: string): Promise<ReservationQr> {
  const qr = await findReservationQrByKey(deps.db.kysely, key);
  if (!qr || qr.tenant_id !== tenantId) throw new AppError(RESERVATION_QR_NOT_FOUND);
  return qr;
}

export const findQrById = (deps: Deps, id: string) => findReservationQrById(deps.db.kysely, id);
export const findQrByKey = (deps: Deps, key: string) => findReservationQrByKey(deps.db.kysely, key);

export async function updateReservationQrByKey(
  deps: Deps,
  tenantId: string,
  key: string,
  patch: Partial<Omit<ReservationQrInput, 'sellerTaxId'>>,
): Promise<ReservationQr> {
  const qr = await getReservationQrOrThrow(deps, tenantId, key);
  const set = {
    updated_at: deps.clock.now(),
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.enabled !== undefined ? { enabled: (patch.enabled ? 1 : 0) as 0 | 1 } : {}),
    ...(patch.config !== undefined
      ? { config_json: reservationConfigJson.encode(withConfigDefaults(patch.config, qrConfig(qr))) }
      : {}),
    ...(patch.limits !== undefined
      ? { limits_json: patch.limits === null ? null : reservationLimitsJson.encode(patch.limits) }
      : {}),
  };
  await updateReservationQr(deps.db.kysely, qr.id, set);
  return (await findReservationQrById(deps.db.kysely, qr.id))!;
}

export const listQrs = (deps: Deps, tenantId: string, scope: readonly string[] | null) =>
  listReservationQrs(deps.db.kysely, tenantId, scope);

/** The public link of a reservation QR. */
export const reservationUrl = (deps: Deps, key: string) => `${deps.config.http.publicUrl}/r/${key}`;

export async function toQrView(deps: Deps, qr: ReservationQr) {
  const url = reservationUrl(deps, qr.key);
  const seller = await getSellerOrThrow(deps.db.kysely, qr.tenant_id, qr.seller_tax_id);
  return {
    key: qr.key,
    name: qr.name,
    sellerTaxId: qr.seller_tax_id,
    sellerName: seller.name,
    enabled: qr.enabled === 1,
    config: qrConfig(qr),
    limits: qrLimits(qr),
    url,
    qrPngUrl: `${url}/qr.png`,
    qrSvgUrl: `${url}/qr.svg`,
    createdAt: toIsoCst(qr.created_at),
    updatedAt: toIsoCst(qr.updated_at),
  };
}
