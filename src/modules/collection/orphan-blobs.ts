/**
 * Orphan blobs: intake stores a file's bytes in the blob store before the transaction that records the file, so a
 * crash or a shutdown in between leaves bytes that no `received_files` row references. Intake claims each blob it
 * writes (`received_blob_claims`, before writing it) and its transaction deletes the claims with the rows it records;
 * an intake in flight touches its claims every quarter of the grace period. The sweep removes the bytes of a claim
 * older than the grace period (COLLECT_ORPHAN_BLOB_GRACE_MINUTES, default 60) that no file row of any tenant and no
 * invoice document references, on either store (docs/collection.md#orphan-blobs).
 */
import type { Deps } from '../../platform/deps.js';
import { isDocumentBlob } from '../documents/index.js';
import {
  claimBlob,
  deleteBlobClaims,
  findStaleBlobClaims,
  isBlobOfAnyFile,
  releaseStaleBlobClaim,
  touchBlobClaims,
} from './received.repo.js';
import { receivedBlobs } from './received-blobs.js';

const MINUTE_MS = 60_000;

/** The grace period in milliseconds. */
export function orphanBlobGraceMs(deps: Pick<Deps, 'config'>): number {
  return deps.config.collectOrphanBlobGraceMinutes * MINUTE_MS;
}

/**
 * The blobs one intake writes, claimed until its transaction records their files ({@link settle}) or it ends
 * ({@link stop}; what it did not settle stays claimed and is swept after the grace period). While it runs, the
 * claims are touched every quarter of the grace period (real time), so a long intake (a ZIP of many pictures) keeps
 * them; a process that dies stops touching them.
 */
export class BlobClaims {
  private readonly shas = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: Deps) {}

  /** Claims `sha256` before its bytes are written. */
  async claim(sha256: string): Promise<void> {
    this.shas.add(sha256);
    await claimBlob(this.deps.db.kysely, sha256, this.deps.clock.now());
    if (!this.timer) {
      this.timer = setInterval(() => void this.touch(), Math.max(1000, orphanBlobGraceMs(this.deps) / 4));
      this.timer.unref();
    }
  }

  private async touch(): Promise<void> {
    const shas = [...this.shas];
    try {
      const kept = await touchBlobClaims(this.deps.db.kysely, shas, this.deps.clock.now());
      // Fewer when a concurrent intake of the same bytes recorded them (its row references them now), or when this
      // process stalled for longer than the grace period.
      if (kept < shas.length)
        this.deps.logger.debug({ claimed: shas.length, kept }, 'intake: some blob claims were settled elsewhere');
    } catch (err) {
      this.deps.logger.warn({ err }, 'intake: could not touch its blob claims; trying again');
    }
  }

  /** Deletes the claims in the intake's transaction (the file rows it records reference the blobs). */
  async settle(trx: Deps['db']['kysely']): Promise<void> {
    await deleteBlobClaims(trx, [...this.shas]);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** Claims looked at per sweep run (the rest waits for the next run). */
const SWEEP_BATCH = 500;

export interface OrphanSweepResult {
  /** Blobs removed: stale claims nothing references. */
  readonly removed: number;
  /** Stale claims whose blob a file row or an invoice document references (claim dropped, bytes kept). */
  readonly kept: number;
}

/**
 * Removes the blobs intake wrote and never recorded, once their claim is older than the grace period. Per claim, in
 * one transaction: the claim is deleted only if it is still stale (an intake that claimed the same bytes again keeps
 * it; on PostgreSQL one claiming it meanwhile waits for this transaction, then writes the bytes anew), and the bytes
 * are removed only when no file of any tenant and no invoice document is stored under them.
 */
export async function sweepOrphanBlobs(deps: Deps): Promise<OrphanSweepResult> {
  const cutoff = deps.clock.now() - orphanBlobGraceMs(deps);
  const blobs = receivedBlobs(deps);
  let removed = 0;
  let kept = 0;
  for (const sha256 of await findStaleBlobClaims(deps.db.kysely, cutoff, SWEEP_BATCH)) {
    await deps.db.kysely.transaction().execute(async (trx) => {
      if (!(await releaseStaleBlobClaim(trx, sha256, cutoff))) return;
      if ((await isBlobOfAnyFile(trx, sha256)) || (await isDocumentBlob(trx, sha256))) {
        kept++;
        return;
      }
      await blobs.remove(sha256, trx);
      removed++;
    });
  }
  if (removed > 0) deps.logger.info({ removed, kept }, 'removed blobs of received files that were never recorded');
  return { removed, kept };
}
