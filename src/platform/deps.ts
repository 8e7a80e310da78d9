import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config/load-config.js';
import type { Db } from './db/create-db.js';
import type { EventBus } from './events.js';
import type { JobsRuntime } from './jobs-runtime.js';

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
}
