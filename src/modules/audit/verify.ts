import type { Ctx } from '../../platform/deps.js';
import { auditTenants, sealedEntriesAfter } from './audit.repo.js';
import { entryHash, GENESIS_HASH } from './seal.js';

const PAGE = 1000;

export interface BrokenEntry {
  tenantId: string;
  id: string;
  seq: number;
  reason: 'seq_gap' | 'prev_hash_mismatch' | 'hash_mismatch';
}

export interface AuditVerifyResult {
  ok: boolean;
  /** Chained entries checked. */
  checked: number;
  /** Entries the sealer has not chained yet (not covered by the check). */
  unsealed: number;
  /** The first broken entry of each tenant whose chain is broken (in chain order). */
  broken: BrokenEntry[];
  /** False when `maxEntries` stopped the check before the end of a chain (what was checked is intact). */
  complete: boolean;
}

/**
 * Recomputes every tenant's chain (or one tenant's) in seq order and reports the first broken entry of each: a seq
 * that does not follow the previous one (an entry deleted or inserted), a `prev_hash` that is not the previous
 * entry's hash, or a hash that does not match the entry's columns (an entry edited).
 */
export async function verifyAuditChains(
  { db }: Pick<Ctx, 'db'>,
  options: { tenantId?: string | null; maxEntries?: number } = {},
): Promise<AuditVerifyResult> {
  const result: AuditVerifyResult = { ok: true, checked: 0, unsealed: 0, broken: [], complete: true };
  const max = options.maxEntries ?? Number.POSITIVE_INFINITY;
  for (const tenant of await auditTenants(db, options.tenantId ?? null)) {
    result.unsealed += tenant.unsealed;
    let seq = 0;
    let prev = GENESIS_HASH;
    let broken: BrokenEntry | null = null;
    while (broken === null) {
      if (result.checked >= max) {
        // Stopped at the bound: complete only when nothing follows in this chain.
        if ((await sealedEntriesAfter(db, tenant.tenantId, seq, 1)).length > 0) result.complete = false;
        break;
      }
      const want = Math.min(PAGE, max - result.checked);
      const rows = await sealedEntriesAfter(db, tenant.tenantId, seq, want);
      for (const row of rows) {
        const rowSeq = Number(row.seq);
        const at = { tenantId: tenant.tenantId, id: row.id, seq: rowSeq };
        if (rowSeq !== seq + 1) broken = { ...at, reason: 'seq_gap' };
        else if (row.prev_hash !== prev) broken = { ...at, reason: 'prev_hash_mismatch' };
        else if (row.hash !== entryHash(row, rowSeq, prev)) broken = { ...at, reason: 'hash_mismatch' };
        if (broken) break;
        result.checked++;
        seq = rowSeq;
        prev = row.hash ?? GENESIS_HASH;
      }
      if (rows.length < want) break;
    }
    if (broken) {
      result.ok = false;
      result.broken.push(broken);
    }
  }
  return result;
}
