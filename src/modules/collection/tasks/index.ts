import type { Deps } from '../../../platform/deps.js';
import type { TaskPayloadsOf, TaskRegistry } from '../../../platform/jobs/index.js';
import { mayHaveWebhookSubscribers, registerEventSource } from '../../delivery/index.js';
import { configureParsePool, parsePoolSettings } from '../parse-pool.js';
import { loadReceivedEventSource, RECEIVED_EVENTS } from '../received-events.js';
import { processReceivedTask } from './process-received.task.js';
import { rereadReceivedFileTask } from './reread-received-file.task.js';
import { sweepOrphanBlobsTask } from './sweep-orphan-blobs.task.js';

const COLLECTION_TASKS = [processReceivedTask, rereadReceivedFileTask, sweepOrphanBlobsTask] as const;

declare module '../../../platform/jobs/index.js' {
  interface TaskPayloads extends TaskPayloadsOf<typeof COLLECTION_TASKS> {}
}

/** The collection module's background work, and its events' webhook payloads. Every process runs it. */
export function registerCollectionTasks(registry: TaskRegistry, deps: Deps): void {
  registry.register(deps, COLLECTION_TASKS);
  // Intake parses in worker processes too (mail, IMAP): the parse pool reads pictures as the configuration says.
  configureParsePool(parsePoolSettings(deps.config));
  registerEventSource('received', loadReceivedEventSource);
  deps.events.subscribe(RECEIVED_EVENTS, 'delivery/fan-out-event', (event, db) =>
    mayHaveWebhookSubscribers(deps, db, event),
  );
}
