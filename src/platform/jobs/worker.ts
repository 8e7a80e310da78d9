import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load-config.js';
import type { Db } from '../db/create-db.js';
import type { Database } from '../db/database.js';
import { randomToken } from '../ids.js';
import { computeBackoffDelay } from './compute-backoff-delay.js';
import { type DispatchSlot, enqueuedInProcessCount } from './enqueue-job.js';
import { notifyDead } from './run-job.js';

const SWEEP_INTERVAL_MS = 1000;
/**
 * The idle poll while wake-ups from other processes arrive ({@link WorkerWake} listening): only a safety net for a
 * lost notification and for jobs that become due later on another node's say (a retry's backoff, a delayed job).
 */
export const SAFETY_POLL_MS = 5000;
/** Jobs past retention deleted per purge: a few milliseconds of the shared SQLite connection. */
const PURGE_BATCH = 500;
/**
 * The retention purge runs with the sweep at most this often, unless the last one deleted a full batch (more are
 * past retention: it goes on at the next sweep, up to 500/s). Once a second it was a commit a second for nothing.
 */
const PURGE_INTERVAL_MS = 60_000;
/** Due times a worker remembers for its wake-up timer ({@link Worker.wakeAt}); later ones wait for the idle poll. */
const MAX_DUE_TIMES = 1024;
/** A due time this close after a remembered one shares its wake-up (a burst of retries is one wake-up). */
const WAKE_COALESCE_MS = 10;
/** The wake-up fires this much after the due time, so the claim's `run_at <= now` holds despite timer rounding. */
const WAKE_SLACK_MS = 5;
/**
 * PostgreSQL: how long a poll that finds free slots waits, while jobs are running, for one of them to claim in its
 * completion's transaction instead ({@link claimSuccessors}: no commit of its own). Under load a job finishes every
 * few milliseconds; a standalone claim is a round trip and a commit (measured: ~0.2 per invoice under the
 * invoices-issue load, when every poll claimed at once).
 */
const HAND_ON_WAIT_MS = 50;
/** The longest timer armed at once (Node fires one of more than 2^31-1 ms at once); a due time beyond re-arms. */
const MAX_TIMER_MS = 3_600_000;

import { claimJobs, LEASE_EXPIRED_ERROR, purgeFinishedJobs, releaseJob, sweepExpiredLeases } from './jobs.repo.js';
import type { Job } from './jobs.tables.js';
import { type JobFinishedInfo, type JobRun, type RunJobContext, runJob } from './run-job.js';
import type { TaskRegistry } from './task-registry.js';

export type { JobFinishedInfo } from './run-job.js';

/** Options of {@link createWorker}. */
export interface WorkerOptions {
  db: Db;
  registry: TaskRegistry;
  config: Config['jobs'];
  logger: Logger;
  clock: Clock;
  /** Stored in `locked_by`; defaults to `<host>:<pid>:<random>`. Must be unique among live workers. */
  workerId?: string;
  /** Called after a job's outcome was recorded (metrics). */
  onJobFinished?: (info: JobFinishedInfo) => void;
  /** Delay (ms) before the next attempt after `attempts` failures; defaults to {@link computeBackoffDelay}. */
  backoff?: (attempts: number) => number;
  /**
   * Wake-ups when any process queues a job (PostgreSQL: a NOTIFY sent by the `jobs` insert itself, through the
   * platform signals' listener). While it listens, an idle worker polls only every {@link SAFETY_POLL_MS} (or
   * `pollIntervalMs` if longer) instead of every `pollIntervalMs`, and sets a timer for the retries and delayed jobs it
   * knows of.
   */
  wake?: WorkerWake;
  /** PostgreSQL: how long a poll waits for a finishing job to claim for it; defaults to {@link HAND_ON_WAIT_MS}. */
  handOnWaitMs?: number;
}

/** What {@link WorkerOptions.wake} needs: a subscription to "a job was queued", and whether it currently listens. */
export interface WorkerWake {
  subscribe(onQueued: () => void): () => void;
  isListening(): boolean;
}

/** A job worker: claims due jobs with a lease and runs up to `config.concurrency` at once. */
export interface Worker {
  readonly id: string;
  /** Starts polling (every pollIntervalMs when idle, at once while work remains). */
  start(): void;
  /** Stops claiming, waits up to shutdownTimeoutMs for running jobs, then aborts and releases the rest. */
  stop(): Promise<void>;
  /** Claims due jobs once and resolves when they finished; returns how many ran. For tests and the CLI. */
  runOnce(): Promise<number>;
  /** Wakes a started worker now (e.g. after this process enqueued a job). */
  notify(): void;
  /** Wakes a started worker at `at` (Clock ms): a job this process queued to run later (or a retry) is due then. */
  wakeAt(at: number): void;
  /**
   * A free slot for a job this process is about to insert already claimed (direct dispatch, {@link DispatchSlot}),
   * or null: not started or stopping, no free slot, or the last claim came back full (waiting jobs go first).
   */
  reserve(): DispatchSlot | null;
}

/** After releasing jobs at shutdown, how long to let their aborted handlers settle before resolving stop(). */
const ABORT_GRACE_MS = 1000;

/** Creates a worker; nothing runs until {@link Worker.start} or {@link Worker.runOnce}. */
export function createWorker(options: WorkerOptions): Worker {
  const { db, config, clock } = options;
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomToken(48)}`;
  const logger = options.logger.child({ workerId: id });
  const ctx: RunJobContext = {
    db: db.kysely,
    registry: options.registry,
    workerId: id,
    leaseMs: config.leaseMs,
    clock,
    logger,
    backoff: options.backoff ?? ((attempts) => computeBackoffDelay(attempts)),
    onJobFinished: (info) => {
      if (info.retryAt !== undefined) wakeAt(info.retryAt);
      options.onJobFinished?.(info);
    },
    claimSuccessors,
  };
  const running = new Map<string, { run: JobRun; done: Promise<void> }>();
  let started = false;
  let stopping: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let pollAgain = false;
  let lastClaimFilled = false;
  let unsubscribeWake: (() => void) | undefined;

  let lastSweep = Number.NEGATIVE_INFINITY;
  let lastPurge = Number.NEGATIVE_INFINITY;
  /** Slots reserved for direct dispatch and not yet run or released: counted as running. */
  let reserved = 0;
  /**
   * A poll found no free slot (all running or reserved): the next job to finish, or slot to be released, polls. Without
   * it, jobs queued while direct dispatch kept every slot busy would wait for the next notify.
   */
  let pollWanted = false;
  /**
   * Times jobs were found waiting ({@link wantPoll}): a claim that comes back short clears `pollWanted` only when no
   * one wanted a poll while it was out (it may not have seen the jobs they woke for).
   */
  let pollWants = 0;
  /** A poll is waiting for a finishing job to claim for it ({@link HAND_ON_WAIT_MS}): the timer claims when none did. */
  let handOnTimer: NodeJS.Timeout | undefined;
  let handOnDue = false;

  /** Jobs wait for a slot: the next job to finish, or slot to be released, claims or polls for them. */
  function wantPoll(): void {
    pollWanted = true;
    pollWants++;
  }

  /**
   * Claims as many due jobs as there are free slots. The slots are reserved while the claim is out (so that a
   * finishing job's claim or a direct dispatch meanwhile cannot count them again) and stay reserved for the jobs it
   * returns: the caller launches them through {@link launchClaimed}.
   */
  async function claim(): Promise<Job[]> {
    const now = clock.now();
    await maintain(now);
    const limit = config.concurrency - running.size - reserved;
    if (limit <= 0) {
      // The room went while sweeping: what woke this poll still waits.
      lastClaimFilled = false;
      wantPoll();
      return [];
    }
    return claimHolding(db.kysely, now, limit);
  }

  /**
   * The one claim statement (through `via`: the pool, or a finishing job's transaction) for `limit` slots, held
   * reserved while it is out so that nothing else counts them again; the slots of the jobs it returns stay reserved
   * for them. Records whether it came back full. A claim that came back short while no one found jobs waiting
   * ({@link wantPoll}) answered every wait: `pollWanted` is cleared and a hand-on wait ends (else each run's end would
   * poll again). When someone did, it may not have seen their jobs: those flags stay.
   */
  async function claimHolding(via: Kysely<Database>, now: number, limit: number): Promise<Job[]> {
    const asked = pollWants;
    reserved += limit;
    let jobs: Job[] = [];
    try {
      jobs = await claimJobs(via, { dialect: db.dialect, workerId: id, now, leaseMs: config.leaseMs, limit });
    } finally {
      reserved -= limit - jobs.length;
    }
    lastClaimFilled = jobs.length === limit;
    if (!lastClaimFilled && asked === pollWants) {
      pollWanted = false;
      endHandOnWait();
    }
    return jobs;
  }

  /** Runs jobs {@link claim} returned, each taking the slot reserved for it. */
  function launchClaimed(jobs: readonly Job[]): Promise<void>[] {
    reserved -= jobs.length;
    return jobs.map((job) => launch(job));
  }

  /**
   * A job finishing in its handler's transaction while jobs wait (a poll found no free slot, or the last claim came
   * back full) claims, in that transaction, as many as will then be free — its own slot and any other: under a
   * backlog the claim rides in a commit the job makes anyway instead of one of its own (on PostgreSQL an fsync and a
   * round trip per freed slot). The claimed jobs hold reserved slots until the job's run ends; they run only if the
   * transaction committed ({@link JobRun.committedInTrx}). PostgreSQL only: a SQLite commit is neither a round trip
   * nor an fsync (WAL, `synchronous = NORMAL`), and there the claim at the run's end, shared by the runs that end in
   * the same turn, costs fewer statements than one in each transaction (measured: 18.5 → 19.7 statements per invoice).
   */
  async function claimSuccessors(trx: Kysely<Database>, run: JobRun): Promise<void> {
    if (run.successors) {
      // complete() again: the transaction of the first call rolled back (a second completion in the same one finds
      // the job finished and throws), and with it that claim.
      reserved -= run.successors.length;
      run.successors = undefined;
    }
    if (db.dialect !== 'postgres' || !started || stopping || !(pollWanted || lastClaimFilled)) return;
    // This run still holds its slot (it leaves `running` when its run ends): it is the one handed on.
    const limit = config.concurrency - running.size - reserved + 1;
    if (limit <= 0) return;
    run.successors = await claimHolding(trx, clock.now(), limit);
    // A wait it did not end (jobs may still wait): the next job to finish claims for them; the timer only stands in
    // when none has for HAND_ON_WAIT_MS.
    if (handOnTimer) armHandOnTimer();
  }

  /**
   * PostgreSQL, a poll with free slots while jobs run: leaves the claim to the next job that finishes in its
   * handler's transaction (pollWanted makes it claim for every free slot), or to the timer when none does within
   * {@link HAND_ON_WAIT_MS}. True when the poll should wait.
   */
  function waitForHandOn(): boolean {
    if (db.dialect !== 'postgres' || running.size === 0 || handOnDue) return false;
    wantPoll();
    if (!handOnTimer) armHandOnTimer();
    return true;
  }

  function armHandOnTimer(): void {
    clearTimeout(handOnTimer);
    handOnTimer = setTimeout(() => {
      handOnTimer = undefined;
      handOnDue = true;
      pollNow();
    }, options.handOnWaitMs ?? HAND_ON_WAIT_MS);
  }

  function endHandOnWait(): void {
    clearTimeout(handOnTimer);
    handOnTimer = undefined;
    handOnDue = false;
  }

  /**
   * After a run that claimed successors: they run if its transaction committed ({@link JobRun.committedInTrx});
   * when it rolled back, so did the claim: their slots go back and the jobs are looked for again; when that is not
   * known (the run was abandoned after its handler threw), they are left to their lease. Stopping: given back.
   * Returns how many were launched; `released` settles when the given-back ones are written.
   */
  function handOn(run: JobRun): { launched: number; released: Promise<unknown> } {
    const successors = run.successors ?? [];
    const none = { launched: 0, released: Promise.resolve() };
    if (successors.length === 0) return none;
    reserved -= successors.length;
    if (run.committedInTrx === false) {
      // Never claimed: the jobs are waiting again, and the flags the short claim cleared must say so.
      wantPoll();
      requestPoll();
      return none;
    }
    if (run.committedInTrx === undefined) {
      logger.warn(
        { count: successors.length },
        'jobs claimed with a completion that may not have committed are left to their lease',
      );
      return none;
    }
    if (stopping) {
      const released = Promise.all(
        successors.map((job) =>
          releaseJob(db.kysely, job, id, clock.now()).catch((err: unknown) =>
            logger.error({ err, jobId: job.id }, 'could not release a job; it is reclaimed when its lease expires'),
          ),
        ),
      );
      return { launched: 0, released };
    }
    for (const job of successors) launch(job).catch(() => {});
    return { launched: successors.length, released: Promise.resolve() };
  }

  /**
   * Leases expire on the scale of leaseMs: sweeping expired ones once a second (back to retry, or dead when no
   * attempts are left) is plenty, and keeps a busy worker from paying extra statements per claim. Run before each
   * claim and by a poll that finds no free slot (a worker whose slots are handed on by finishing jobs may not claim
   * on its own for a long time).
   */
  async function maintain(now: number): Promise<void> {
    if (now - lastSweep >= SWEEP_INTERVAL_MS || now < lastSweep) {
      lastSweep = now;
      const dead = await sweepExpiredLeases(db.kysely, db.dialect, now);
      if (dead.length > 0) logger.warn({ count: dead.length }, `jobs sent to dead: ${LEASE_EXPIRED_ERROR}`);
      for (const job of dead) await notifyDead(ctx, job, LEASE_EXPIRED_ERROR, logger);
      if (config.retentionMs > 0 && (now - lastPurge >= PURGE_INTERVAL_MS || now < lastPurge)) {
        // Housekeeping: a failure is logged and retried at the next sweep, it never keeps jobs from being claimed.
        try {
          const purged = await purgeFinishedJobs(db.kysely, db.dialect, {
            finishedBefore: now - config.retentionMs,
            limit: PURGE_BATCH,
          });
          lastPurge = purged < PURGE_BATCH ? now : Number.NEGATIVE_INFINITY;
          if (purged > 0) logger.debug({ purged }, 'deleted finished jobs past retention');
        } catch (err) {
          logger.warn({ err }, 'could not delete finished jobs past retention; trying again at the next sweep');
        }
      }
    }
  }

  function launch(job: Job, handed?: unknown): Promise<void> {
    const run: JobRun = {
      job,
      controller: new AbortController(),
      abandoned: false,
      ...(handed === undefined ? {} : { handed }),
    };
    const enqueuedBefore = enqueuedInProcessCount();
    const done = runJob(ctx, run).finally(() => {
      running.delete(job.id);
      const { launched, released } = handOn(run);
      // Its slot handed on to the jobs it claimed and no other free: nothing to look for now (what more waits is
      // claimed by the next job to finish, or by the poll that finds a slot free).
      if (launched === 0 || running.size + reserved < config.concurrency) {
        // Look again at once when there may be more: the last claim was full, a poll found no free slot, or this job
        // enqueued follow-ups (render, fan-out, deliver) that are committed now and would otherwise wait a poll
        // interval.
        if (lastClaimFilled || pollWanted || enqueuedInProcessCount() !== enqueuedBefore) {
          pollWanted = false;
          requestPoll();
        }
      }
      // stop() waits for the jobs this run claimed and gives back.
      return released;
    });
    running.set(job.id, { run, done });
    return done;
  }

  function schedulePoll(delayMs: number): void {
    clearTimeout(timer);
    if (stopping) return;
    timer = setTimeout(pollNow, delayMs);
  }

  /** The idle poll: the configured interval, or only the safety net while wake-ups arrive. */
  function idlePollMs(): number {
    return options.wake?.isListening() ? Math.max(config.pollIntervalMs, SAFETY_POLL_MS) : config.pollIntervalMs;
  }

  /**
   * Due times of jobs this process knows will become due (retries, delayed jobs it queued), earliest first, woken by
   * ONE timer armed for the earliest; each wake drops the times that have come and re-arms for the next, so a later
   * time asked for while an earlier one was armed is never lost. Times within {@link WAKE_COALESCE_MS} after a
   * known one share its wake-up; beyond {@link MAX_DUE_TIMES} the latest are left to the idle poll.
   */
  const dueTimes: number[] = [];
  let wakeTimer: NodeJS.Timeout | undefined;
  let wakeTimerAt = Number.POSITIVE_INFINITY;
  /** The armed timer is shorter than its due time (see {@link MAX_TIMER_MS}). */
  let wakeTimerCapped = false;
  function wakeAt(at: number): void {
    if (!started || stopping || !Number.isFinite(at)) return;
    // The first index whose time is >= at (binary search: the list is sorted).
    let lo = 0;
    let hi = dueTimes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (dueTimes[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    // A known time at or shortly after `at` wakes for it too (never earlier: the job would not be due yet).
    if (lo < dueTimes.length && dueTimes[lo]! - at <= WAKE_COALESCE_MS) return;
    if (dueTimes.length >= MAX_DUE_TIMES) {
      if (lo >= dueTimes.length) return;
      dueTimes.pop();
    }
    dueTimes.splice(lo, 0, at);
    if (lo === 0) armWakeTimer();
  }

  function armWakeTimer(): void {
    const next = dueTimes[0];
    if (next === undefined) {
      clearTimeout(wakeTimer);
      wakeTimer = undefined;
      wakeTimerAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (wakeTimer && wakeTimerAt === next) return;
    clearTimeout(wakeTimer);
    wakeTimerAt = next;
    // Capped: Node fires a timer of more than 2^31-1 ms at once; a capped timer that fires early just re-arms.
    const wanted = Math.max(0, next - clock.now()) + WAKE_SLACK_MS;
    wakeTimerCapped = wanted > MAX_TIMER_MS;
    const delay = Math.min(wanted, MAX_TIMER_MS);
    wakeTimer = setTimeout(onWakeTimer, delay);
    wakeTimer.unref?.();
  }

  function onWakeTimer(): void {
    const capped = wakeTimerCapped;
    wakeTimer = undefined;
    wakeTimerAt = Number.POSITIVE_INFINITY;
    if (!started || stopping) return;
    const now = clock.now();
    // The head is due when its full delay has passed, whatever a clock that does not follow real time says (tests).
    let due = capped ? 0 : 1;
    while (due < dueTimes.length && dueTimes[due]! <= now) due++;
    if (due > 0) {
      dueTimes.splice(0, due);
      requestPoll();
    }
    armWakeTimer();
  }

  let pollScheduled = false;

  /**
   * Polls soon: on the next turn of the event loop, so the jobs that finish and the enqueues that notify within one
   * turn share one claim (a claim costs about as much as the job statements themselves; under load each job used to
   * pay its own claim of limit 1).
   */
  function requestPoll(): void {
    if (!started || stopping || pollScheduled) return;
    pollScheduled = true;
    setImmediate(() => {
      pollScheduled = false;
      pollNow();
    });
  }

  function pollNow(): void {
    if (!started || stopping) return;
    if (polling) {
      pollAgain = true;
      return;
    }
    clearTimeout(timer);
    polling = pollLoop().finally(() => {
      polling = undefined;
    });
  }

  /**
   * A poll that leaves the claim to others (no room, or waiting for a finishing job's claim): the idle poll stays
   * armed as a safety net, and the sweep is due whoever claims (a worker whose polls never claim would never sweep).
   */
  async function pollWithoutClaim(): Promise<void> {
    schedulePoll(idlePollMs());
    try {
      await maintain(clock.now());
    } catch (err) {
      logger.error({ err }, 'sweeping expired leases failed; retrying at the next poll');
    }
  }

  /** Claims while there is room and work; sleeps pollIntervalMs once a claim comes back short. */
  async function pollLoop(): Promise<void> {
    do {
      pollAgain = false;
      if (stopping) return;
      if (running.size + reserved >= config.concurrency) {
        // No room: the next slot that frees polls (pollWanted) or is handed on (claimSuccessors), and the poll
        // interval stays armed as a safety net. A timer's turn to claim that found no room is spent.
        wantPoll();
        handOnDue = false;
        await pollWithoutClaim();
        // A poll asked for meanwhile (pollAgain) goes round again: returning would lose it, and with it the timer's
        // poll — the worker would never poll again.
        continue;
      }
      if (waitForHandOn()) {
        await pollWithoutClaim();
        continue;
      }
      endHandOnWait();
      try {
        const jobs = await claim();
        for (const run of launchClaimed(jobs)) run.catch(() => {});
        if (!lastClaimFilled && !pollAgain) schedulePoll(idlePollMs());
        else pollAgain = true;
      } catch (err) {
        logger.error({ err }, 'claiming jobs failed; retrying after the poll interval');
        schedulePoll(idlePollMs());
        return;
      }
    } while (pollAgain && !stopping);
  }

  async function shutdown(): Promise<void> {
    clearTimeout(timer);
    endHandOnWait();
    clearTimeout(wakeTimer);
    unsubscribeWake?.();
    await polling;
    if (!(await settlesWithin(currentRuns(), config.shutdownTimeoutMs))) await releaseRunning();
    logger.info('job worker stopped');
  }

  function currentRuns(): Promise<unknown> {
    return Promise.allSettled([...running.values()].map((r) => r.done));
  }

  async function releaseRunning(): Promise<void> {
    const runs = [...running.values()].map((r) => r.run);
    logger.warn({ count: runs.length }, 'shutdown timeout: aborting and releasing running jobs');
    for (const run of runs) {
      run.abandoned = true;
      run.controller.abort(new Error('worker shutting down'));
    }
    for (const run of runs) {
      try {
        await releaseJob(db.kysely, run.job, id, clock.now());
      } catch (err) {
        logger.error({ err, jobId: run.job.id }, 'could not release job; it is reclaimed when its lease expires');
      }
    }
    await settlesWithin(currentRuns(), Math.min(ABORT_GRACE_MS, config.shutdownTimeoutMs));
  }

  return {
    id,
    start() {
      if (started || stopping) return;
      started = true;
      logger.info({ concurrency: config.concurrency }, 'job worker started');
      // A job queued by any process (this one included: the enqueuer's notify() usually claimed it already, and a
      // claim that finds nothing is cheap) wakes an idle worker; a busy one claims when a slot frees.
      unsubscribeWake = options.wake?.subscribe(() => requestPoll());
      requestPoll();
    },
    stop() {
      stopping ??= shutdown();
      return stopping;
    },
    async runOnce() {
      if (stopping) return 0;
      const jobs = await claim();
      await Promise.all(launchClaimed(jobs));
      return jobs.length;
    },
    notify: () => requestPoll(),
    wakeAt,
    reserve() {
      if (!started || stopping) return null;
      if (lastClaimFilled || running.size + reserved >= config.concurrency) {
        // The caller queues its job instead: the next job to finish claims it with its completion (claimSuccessors)
        // or polls for it — without waiting for the job's own wake-up, which on PostgreSQL comes a round trip later
        // and would find the slot free and cost a claim of its own.
        wantPoll();
        return null;
      }
      reserved++;
      let open = true;
      const close = () => {
        if (!open) return false;
        open = false;
        reserved--;
        return true;
      };
      return {
        workerId: id,
        leaseMs: config.leaseMs,
        run(job, handed) {
          if (!close()) return;
          if (!stopping) {
            launch(job, handed).catch(() => {});
            return;
          }
          // Stopped meanwhile: give the job back for the next worker (the attempt is not counted).
          releaseJob(db.kysely, job, id, clock.now()).catch((err: unknown) =>
            logger.error(
              { err, jobId: job.id },
              'could not release a dispatched job; it is reclaimed when its lease expires',
            ),
          );
        },
        release() {
          if (close() && pollWanted) {
            pollWanted = false;
            requestPoll();
          }
        },
      };
    },
  };
}

/** True when `promise` settled within `ms`; the timer never outlives the wait. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timeout: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timeout = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), expired]);
  } finally {
    clearTimeout(timeout);
  }
}
