import type { Logger } from 'pino';
import type { IssuingChannel } from '../modules/channels/issuing-channel.js';
import type { Clock } from './clock.js';
import type { Config } from './config/load-config.js';
import type { Db } from './db/create-db.js';
import type { EventBus } from './events.js';
import type { JobsRuntime } from './jobs-runtime.js';

/** Everything a use case may need, built once in buildApp and passed explicitly (no container, no globals). */
export interface Deps {
  readonly config: Config;
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly jobs: JobsRuntime;
  /** Domain events (`invoice.issued` …) fanned out to subscribed tasks in the publisher's transaction. */
  readonly events: EventBus;
  /** Where invoices are issued (config CHANNEL; the built-in sandbox by default). */
  readonly channel: IssuingChannel;
}
