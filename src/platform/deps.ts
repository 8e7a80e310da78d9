import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config/load-config.js';
import type { Db } from './db/create-db.js';
import type { Database } from './db/database.js';
import type { EventBus } from './events.js';
import type { JobsRuntime } from './jobs-runtime.js';
import type { Signals } from './signals/index.js';

/**
 * Everything a use case may need, built once in buildApp and passed explicitly (no container, no globals). Platform
 * knows no module, so a module adds what it provides by declaration merging: `channel` (where invoices are issued)
 * is declared next to `IssuingChannel` in `modules/channels/issuing-channel.ts`.
 */
export interface Deps {
  readonly config: Config;
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly jobs: JobsRuntime;
  /** Domain events (`invoice.issued` …) fanned out to subscribed tasks in the publisher's transaction. */
  readonly events: EventBus;
  /** Wake-ups across every node (`?wait`, cache invalidation): in-process at once, PostgreSQL LISTEN/NOTIFY between nodes. */
  readonly signals: Signals;
}

/**
 * The one narrow context (convention, docs/architecture.md): what a use case gets when it does not take the whole
 * {@link Deps} — the query builder (the database, or the caller's transaction, so the use case can join it) and the
 * clock, plus the Deps members it names: `Ctx<'config'>`. Build one from Deps with {@link ctxOf}.
 */
export type Ctx<K extends Exclude<keyof Deps, 'db' | 'clock'> = never> = {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
} & Pick<Deps, K>;

/** The {@link Ctx} of (a slice of) Deps: its database, or `trx` when given, and every other member as it is. */
export function ctxOf<D extends Pick<Deps, 'db' | 'clock'>>(
  deps: D,
  trx?: Kysely<Database>,
): Omit<D, 'db'> & { readonly db: Kysely<Database> } {
  return { ...deps, db: trx ?? deps.db.kysely };
}
