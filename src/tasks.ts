import { registerInvoicingTasks } from './modules/invoicing/index.js';
import type { Deps } from './platform/deps.js';
import type { TaskRegistry } from './platform/jobs/index.js';

/** Every module's background tasks, registered once per process (web and worker alike, so enqueue can validate). */
export function registerAllTasks(registry: TaskRegistry, deps: Deps): void {
  registerInvoicingTasks(registry, deps);
}
