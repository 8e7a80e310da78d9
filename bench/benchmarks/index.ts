import type { Benchmark } from '../lib/measure.js';
import { authMe } from './auth-me.js';
import { authToken } from './auth-token.js';
import { collectIntake } from './collect-intake.js';
import { documentsRender } from './documents-render.js';
import { hostileInput } from './hostile-input.js';
import { invoicesIssue } from './invoices-issue.js';
import { scanE2e } from './scan-e2e.js';
import { scanH5 } from './scan-h5.js';
import { scanOrders } from './scan-orders.js';
import { webhooksFanout } from './webhooks-fanout.js';

/** Every benchmark, in the order `npm run bench` runs them. Add new ones here. */
export const BENCHMARKS: readonly Benchmark[] = [
  authToken,
  authMe,
  invoicesIssue,
  documentsRender,
  webhooksFanout,
  scanOrders,
  scanH5,
  scanE2e,
  hostileInput,
  collectIntake,
];
