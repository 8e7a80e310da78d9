import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../../platform/clock.js';
import type { DbDialect } from '../../../platform/db/create-db.js';
import type { Database } from '../../../platform/db/database.js';
import { isUniqueViolation } from '../../../platform/db/sql-helpers.js';
import { ChannelError } from '../issuing-channel.js';
import type { SettingsCache } from './settings-cache.js';

/**
 * What the sandbox's use cases share: its database (and dialect: PostgreSQL issues in one statement), clock, the
 * settings cache, and the injectable sleep/random of the simulation.
 */
export interface SandboxContext {
  readonly db: Kysely<Database>;
  readonly dialect: DbDialect;
  readonly settings: SettingsCache;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  /** 查验 housekeeping of this channel instance: the day before which check counters were last dropped. */
  readonly checks: { purgedBefore: string | null };
}

/** An error that a concurrent call with the same requestId may explain: a unique violation or a refusal. */
export function isRaceLoss(err: unknown): boolean {
  return isUniqueViolation(err) || (err instanceof ChannelError && err.kind === 'permanent');
}
