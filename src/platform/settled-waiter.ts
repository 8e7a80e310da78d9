import { EventEmitter } from 'node:events';
import type { Clock } from './clock.js';

/** Fallback poll for work settled by a worker in another process (multi-node): re-read at least this often. */
export const SETTLED_POLL_MS = 200;

export interface WaitUntilOptions<T> {
  /** The value as the caller last saw it; returned unchanged when it is already done or `seconds` ≤ 0. */
  readonly initial: T;
  /** Re-reads the stored value (undefined when it vanished: the last value is kept). */
  readonly read: () => Promise<T | undefined>;
  /** True once the value is final: the wait ends. */
  readonly done: (value: T) => boolean;
  /** At most this long, by the Clock. */
  readonly seconds: number;
}

/**
 * `?wait=N` for work a job settles (invoices, scan orders). `announce(key)` wakes the waiters of `key` in this process
 * at once (the task calls it after committing); `waitUntil` otherwise re-reads every `pollMs` for a worker in another
 * process.
 */
export interface SettledWaiter {
  announce(key: string): void;
  /** Waits until `done(value)` or the deadline; returns the last value read (done or not). */
  waitUntil<T>(clock: Clock, key: string, options: WaitUntilOptions<T>): Promise<T>;
}

/**
 * The deadline is `clock.now() + seconds`, so a test clock set past it ends the wait. Each round sleeps (real time) at
 * most `pollMs`, and the rounds are also budgeted (`seconds / pollMs`): a manual clock that does not move by itself
 * still lets the wait end after about `seconds` of real time.
 */
export function createSettledWaiter(options: { pollMs?: number } = {}): SettledWaiter {
  const pollMs = options.pollMs ?? SETTLED_POLL_MS;
  const wakeups = new EventEmitter();
  wakeups.setMaxListeners(0);

  const nap = (key: string, ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakeups.off(key, wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakeups.on(key, wake);
    });

  return {
    announce: (key) => {
      wakeups.emit(key);
    },
    waitUntil: async (clock, key, { initial, read, done, seconds }) => {
      let current = initial;
      if (done(current) || seconds <= 0) return current;
      const deadline = clock.now() + seconds * 1000;
      let rounds = Math.ceil((seconds * 1000) / pollMs);
      while (rounds > 0 && clock.now() < deadline) {
        rounds -= 1;
        await nap(key, Math.min(pollMs, Math.max(0, deadline - clock.now())));
        current = (await read()) ?? current;
        if (done(current)) return current;
      }
      return current;
    },
  };
}

/** The one waiter of this process (announcements come from the worker running in the same process). */
export const settledWaiter: SettledWaiter = createSettledWaiter();
