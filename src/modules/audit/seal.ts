import { canonicalJson } from '../../platform/canonical-json.js';
import type { Ctx } from '../../platform/deps.js';
import { sha256Hex } from '../../platform/ids.js';
import { type ChainPosition, lastSealed, sealEntries, tenantsWithUnsealed, unsealedEntries } from './audit.repo.js';
import type { AuditEntryRow } from './audit.tables.js';

/** The hash before a tenant's first entry. */
export const GENESIS_HASH = '0'.repeat(64);
/** Entries one sealer pass chains per tenant at most. */
export const SEAL_BATCH = 500;

/**
 * The hash of an entry at its chain position: SHA-256 of the canonical JSON of every column as stored (the diff as
 * its stored text) and the previous entry's hash. Changing any column of any chained entry breaks its hash; deleting
 * or inserting one breaks the next entry's `prev_hash` or the seq sequence.
 */
export function entryHash(row: AuditEntryRow, seq: number, prevHash: string): string {
  return sha256Hex(
    canonicalJson({
      v: 1,
      prevHash,
      seq,
      id: row.id,
      tenantId: row.tenant_id,
      at: Number(row.at),
      actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
      action: row.action,
      target: { type: row.target_type, id: row.target_id },
      diff: row.diff_json,
      requestId: row.request_id,
      clientAddress: row.client_address,
    }),
  );
}

/**
 * Chains a tenant's unsealed entries in id order, up to {@link SEAL_BATCH}, continuing from its last chained entry,
 * in one statement (`sealEntries`: all or none). No lock: a concurrent sealer that chained any of them, or took a
 * position, makes this call chain nothing (it continues the chain), and a crash leaves the chain as it was. An entry
 * that commits late (an older id) is simply chained after the newer ones. Returns how many entries this call chained.
 */
export async function sealTenantChain({ db }: Pick<Ctx, 'db'>, tenantId: string): Promise<number> {
  const last = await lastSealed(db, tenantId);
  let seq = last?.seq === null || last?.seq === undefined ? 0 : Number(last.seq);
  let prev = last?.hash ?? GENESIS_HASH;
  const positions: ChainPosition[] = [];
  for (const row of await unsealedEntries(db, tenantId, SEAL_BATCH)) {
    seq++;
    const hash = entryHash(row, seq, prev);
    positions.push({ id: row.id, seq, prevHash: prev, hash });
    prev = hash;
  }
  return (await sealEntries(db, positions)) ? positions.length : 0;
}

/** Chains every tenant's unsealed entries (one batch each); for the CLI and tests. */
export async function sealAllChains(ctx: Pick<Ctx, 'db'>): Promise<number> {
  let total = 0;
  for (const tenantId of await tenantsWithUnsealed(ctx.db, 10_000)) total += await sealTenantChain(ctx, tenantId);
  return total;
}
