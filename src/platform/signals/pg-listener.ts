import pg from 'pg';
import type { Logger } from 'pino';

/** The LISTEN connection of one process: connected at the first subscription, reconnected with backoff when lost. */
export interface PgListener {
  isUp(): boolean;
  /**
   * Resolves true once connected and listening; false after `timeoutMs`, when closed, or at once when the listener is
   * reconnecting (only the very first connection is worth waiting for; after that, `onState('up')` tells).
   */
  waitUp(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Reconnect backoff: doubles from `minMs` up to `maxMs`, with jitter so nodes do not reconnect in lockstep. */
const DEFAULT_RECONNECT = { minMs: 100, maxMs: 5000 };

export const LISTENER_APPLICATION_NAME = 'openfapiao-listener';

/**
 * A dedicated `pg.Client` (not from the pool: a pooled connection is handed to other queries and would lose the
 * LISTEN) that runs `LISTEN channel`. It connects directly to PostgreSQL: behind PgBouncer in transaction mode LISTEN
 * does not work (docs/deploy.md). `onState('up')` runs after every successful (re)connection.
 */
export function createPgListener(options: {
  url: string;
  channel: string;
  logger: Logger;
  onNotification(payload: string): void;
  onState(state: 'up' | 'down'): void;
  reconnect?: { minMs: number; maxMs: number };
}): PgListener {
  const { url, channel, logger } = options;
  const backoff = options.reconnect ?? DEFAULT_RECONNECT;
  let client: pg.Client | null = null;
  let up = false;
  let closed = false;
  let failures = 0;
  let wasUp = false;
  let timer: NodeJS.Timeout | null = null;
  let waiters: ((up: boolean) => void)[] = [];

  const settleWaiters = (value: boolean) => {
    const list = waiters;
    waiters = [];
    for (const resolve of list) resolve(value);
  };

  const lost = (from: pg.Client, err?: Error) => {
    if (client !== from) return;
    client = null;
    from.removeAllListeners('notification');
    from.end().catch(() => {});
    if (up) {
      up = false;
      options.onState('down');
    }
    settleWaiters(false);
    if (closed) return;
    if (err) logger.warn({ err: err.message }, 'signal listener connection lost; reconnecting');
    schedule();
  };

  const schedule = () => {
    if (closed || timer) return;
    const base = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(failures, 16));
    failures += 1;
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
    timer.unref();
  };

  const connect = async () => {
    if (closed || client) return;
    const c = new pg.Client({ connectionString: url, application_name: LISTENER_APPLICATION_NAME, keepAlive: true });
    client = c;
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload !== undefined) options.onNotification(msg.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      if (client === c) {
        logger.warn({ err: (err as Error).message }, 'signal listener could not connect; retrying');
        lost(c);
      }
      return;
    }
    if (client !== c || closed) return;
    failures = 0;
    up = true;
    wasUp = true;
    options.onState('up');
    settleWaiters(true);
  };

  void connect();

  return {
    isUp: () => up,
    waitUp: (timeoutMs) => {
      if (up) return Promise.resolve(true);
      if (closed || failures > 0 || wasUp) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const t = setTimeout(() => {
          waiters = waiters.filter((w) => w !== done);
          resolve(false);
        }, timeoutMs);
        const done = (value: boolean) => {
          clearTimeout(t);
          resolve(value);
        };
        waiters.push(done);
      });
    },
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      settleWaiters(false);
      const c = client;
      client = null;
      if (up) {
        up = false;
        options.onState('down');
      }
      if (c) {
        c.removeAllListeners('notification');
        await c.end().catch(() => {});
      }
    },
  };
}
