import type { Clock } from './clock.js';
import type { Signals } from './signals/index.js';

/**
 * The safety re-read of a waiting `?wait` request: at most this long between two reads even when no signal came. A
 * signal can be missed — the publisher committed and died before publishing, or this process's listener was cut off
 * without noticing yet (a half-open TCP connection looks alive until keep-alive gives up) — so a waiter never sleeps
 * on a signal alone. It is long on purpose: it bounds how late such a rare miss is seen, not how fast work is seen.
 */
export const SETTLED_SAFETY_READ_MS = 5000;

export interface WaitUntilOptions<T> {
  /** The value as the caller last saw it; returned unchanged when it is already done or `seconds` ≤ 0. */
  readonly initial: T;
  /** Re-reads the stored value (undefined when it vanished: the last value is kept). */
  readonly read: () => Promise<T | undefined>;
  /** True once the value is final: the wait ends. */
  readonly done: (value: T) => boolean;
  /** At most this long, by the Clock (and by real time, so a test clock that does not move still ends the wait). */
  readonly seconds: number;
  /** Between reads without a signal (default {@link SETTLED_SAFETY_READ_MS}). */
  readonly safetyReadMs?: number;
  /**
   * A watch the caller began BEFORE writing or reading `initial` (e.g. before inserting the request): when it began
   * while this process was listening, no signal about anything after that write can have been missed, so the wait
   * skips its first read. The caller closes it.
   */
  readonly watch?: SettledWatch;
}

/** Where the work's settling is announced: topic and key of the signal (e.g. `invoice.settled` + the invoice id). */
export interface SettledSignal {
  readonly topic: string;
  readonly key: string;
}

/** One signal, or several (any of them wakes the waiter: e.g. an order's settling and its other changes). */
export type SettledSignals = SettledSignal | readonly SettledSignal[];

/**
 * A subscription to one settling signal, begun before the caller's write ({@link watchSettled}), handed to
 * {@link waitUntilSettled}.
 */
export interface SettledWatch {
  readonly signal: SettledSignals;
  /** The watch began while this process's listener was up (always on SQLite): nothing after it can be missed. */
  readonly complete: boolean;
  /** Stops listening; idempotent. */
  close(): void;
}

interface WatchState extends SettledWatch {
  /** A signal or a listener reconnection came since the last {@link WatchState.clear}. */
  woken: boolean;
  wake: (() => void) | null;
}

/**
 * Subscribes to `signal` (and to listener reconnections) now. Begin it before the write whose settling it waits
 * for, then pass it to {@link waitUntilSettled}; close it when done (also when the write did not happen).
 */
export function watchSettled(signals: Signals, signal: SettledSignals): SettledWatch {
  return openWatch(signals, signal);
}

function openWatch(signals: Signals, signal: SettledSignals): WatchState {
  const onSignal = () => {
    state.woken = true;
    state.wake?.();
  };
  const list: readonly SettledSignal[] = Array.isArray(signal) ? signal : [signal as SettledSignal];
  const unsubscribes = list.map((s) => signals.subscribe(s.topic, s.key, onSignal));
  const unsubscribe = () => {
    for (const off of unsubscribes) off();
  };
  const complete = signals.isListening();
  // From now on a reconnection means signals may have been missed: wake up and read.
  const unConnect = signals.onConnect(onSignal);
  let closed = false;
  const state: WatchState = {
    signal,
    complete,
    woken: false,
    wake: null,
    close: () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      unConnect();
    },
  };
  return state;
}

/**
 * `?wait=N` for work a job settles (invoices, scan orders), without polling: subscribes to the settling signal first,
 * then reads once (so nothing settled in between is missed; skipped with a complete `watch` begun before the
 * caller's write), then sleeps until a signal for the key, a reconnection of the listener (signals may have been
 * lost), the safety re-read, or the deadline — and reads once per wake-up (signals that arrive during a read collapse
 * into one more read). Returns the last value read (done or not).
 */
export async function waitUntilSettled<T>(
  signals: Signals,
  clock: Clock,
  signal: SettledSignals,
  { initial, read, done, seconds, safetyReadMs = SETTLED_SAFETY_READ_MS, watch }: WaitUntilOptions<T>,
): Promise<T> {
  let current = initial;
  if (done(current) || seconds <= 0) return current;
  const deadline = clock.now() + seconds * 1000;
  let budgetMs = seconds * 1000;
  const w = (watch as WatchState | undefined) ?? openWatch(signals, signal);
  try {
    if (!watch?.complete) {
      // Only the process's very first LISTEN connection is waited for; while it reconnects the read below goes ahead.
      await signals.listening(Math.min(budgetMs, 2000));
      // The read covers every signal that came before it.
      w.woken = false;
      current = (await read()) ?? current;
    }
    while (!done(current)) {
      if (!w.woken) {
        const remaining = Math.min(deadline - clock.now(), budgetMs);
        if (remaining <= 0) break;
        const napMs = Math.min(safetyReadMs, remaining);
        const started = performance.now();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(finish, napMs);
          function finish() {
            clearTimeout(timer);
            w.wake = null;
            resolve();
          }
          w.wake = finish;
        });
        budgetMs -= performance.now() - started;
        if (!w.woken && (clock.now() >= deadline || budgetMs <= 0)) break;
      }
      // Woken by a signal (read even at the deadline: the answer is then fresh) or by the safety interval.
      w.woken = false;
      current = (await read()) ?? current;
    }
    return current;
  } finally {
    w.wake = null;
    if (!watch) w.close();
  }
}
