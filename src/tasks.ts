import {
  registerBillsTasks,
  registerDeductionView,
  registerFolderIntake,
  registerPushTasks,
} from './modules/assistant/index.js';
import { registerAuditTasks } from './modules/audit/index.js';
import {
  registerCollectionTasks,
  registerComplianceTasks,
  registerMailTasks,
  registerVerificationTasks,
} from './modules/collection/index.js';
import { registerCounterTasks } from './modules/counter/index.js';
import { registerDeliveryTasks } from './modules/delivery/index.js';
import { registerDocumentsTasks } from './modules/documents/index.js';
import { registerInvoicingTasks } from './modules/invoicing/index.js';
import { registerScanTasks } from './modules/scan/index.js';
import type { Deps } from './platform/deps.js';
import type { TaskRegistry } from './platform/jobs/index.js';

/** Every module's background tasks, registered once per process (web and worker alike, so enqueue can validate). */
export function registerAllTasks(registry: TaskRegistry, deps: Deps): void {
  registerAuditTasks(registry, deps);
  registerInvoicingTasks(registry, deps);
  registerScanTasks(registry, deps);
  registerCounterTasks(registry, deps);
  registerDeliveryTasks(registry, deps);
  registerDocumentsTasks(registry, deps);
  registerCollectionTasks(registry, deps);
  registerVerificationTasks(registry, deps);
  registerComplianceTasks(registry, deps);
  registerMailTasks(registry, deps);
  registerPushTasks(registry, deps);
  registerBillsTasks(registry, deps);
  registerDeductionView();
  registerFolderIntake();
}
