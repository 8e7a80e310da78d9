import { randomBytes } from 'node:crypto';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import { listUsers } from '../../auth/index.js';
import { listOrgs } from '../../orgs/index.js';
import { RECEIVED_ADDRESS_NOT_FOUND } from './mail.errors.js';
import { findAddress, findAddressesOfTenant, insertAddressIfMissing, updateAddressLocalPart } from './mail.repo.js';
import type { AddressOwnerType, ReceivedMailAddress } from './mail.tables.js';

/** A new random local part: `inv-` + 80 random bits in lower-case base36 (unguessable, case-insensitive safe). */
export function newLocalPart(): string {
  return `inv-${BigInt(`0x${randomBytes(10).toString('hex')}`)
    .toString(36)
    .padStart(16, '0')}`;
}

export interface AddressView {
  id: string;
  ownerType: AddressOwnerType;
  ownerId: string;
  /** The org's name or the user's display name. */
  ownerName: string;
  /** `inv-…@COLLECT_MAIL_DOMAIN`, or null while no domain is configured. */
  address: string | null;
  localPart: string;
  createdAt: number;
  rotatedAt: number | null;
}

/**
 * The tenant's collection addresses: one per org and one per user, created on first read (random local parts).
 */
export async function listCollectionAddresses(deps: Deps, tenantId: string): Promise<AddressView[]> {
  const db = deps.db.kysely;
  const orgs = await listOrgs({ db }, tenantId);
  const users = (await listUsers({ db }, tenantId)).filter((u) => !u.disabled);
  const owners: Array<{ type: AddressOwnerType; id: string; name: string }> = [
    ...orgs.map((o) => ({ type: 'org' as const, id: o.id, name: o.name })),
    ...users.map((u) => ({ type: 'user' as const, id: u.id, name: u.displayName || u.username })),
  ];
  let rows = await findAddressesOfTenant(db, tenantId);
  const have = new Set(rows.map((r) => `${r.owner_type}:${r.owner_id}`));
  const missing = owners.filter((o) => !have.has(`${o.type}:${o.id}`));
  if (missing.length > 0) {
    const now = deps.clock.now();
    for (const o of missing) {
      await insertAddressIfMissing(db, {
        id: newId('rma', now),
        tenant_id: tenantId,
        owner_type: o.type,
        owner_id: o.id,
        local_part: newLocalPart(),
        created_at: now,
        rotated_at: null,
      });
    }
    rows = await findAddressesOfTenant(db, tenantId);
  }
  const names = new Map(owners.map((o) => [`${o.type}:${o.id}`, o.name]));
  return rows
    .filter((r) => names.has(`${r.owner_type}:${r.owner_id}`))
    .map((r) => toAddressView(deps, r, names.get(`${r.owner_type}:${r.owner_id}`) ?? ''));
}

export function toAddressView(deps: Deps, row: ReceivedMailAddress, ownerName: string): AddressView {
  const domain = deps.config.collectMail.mailDomain;
  return {
    id: row.id,
    ownerType: row.owner_type,
    ownerId: row.owner_id,
    ownerName,
    address: domain ? `${row.local_part}@${domain}` : null,
    localPart: row.local_part,
    createdAt: Number(row.created_at),
    rotatedAt: row.rotated_at === null ? null : Number(row.rotated_at),
  };
}

/** Gives an address a new random local part; mail to the old one is refused from now on. */
export async function rotateCollectionAddress(
  deps: Deps,
  tenantId: string,
  id: string,
): Promise<{ before: ReceivedMailAddress; after: ReceivedMailAddress }> {
  const db = deps.db.kysely;
  const before = await findAddress(db, tenantId, id);
  if (!before) throw new AppError(RECEIVED_ADDRESS_NOT_FOUND);
  await updateAddressLocalPart(db, tenantId, id, newLocalPart(), deps.clock.now());
  const after = await findAddress(db, tenantId, id);
  if (!after) throw new AppError(RECEIVED_ADDRESS_NOT_FOUND);
  return { before, after };
}
