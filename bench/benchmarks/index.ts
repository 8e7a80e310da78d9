import type { Benchmark } from '../lib/measure.js';
import { authMe } from './auth-me.js';
import { authToken } from './auth-token.js';
import { invoicesIssue } from './invoices-issue.js';

/** Every benchmark, in the order `npm run bench` runs them. Add new ones here. */
export const BENCHMARKS: readonly Benchmark[] = [authToken, authMe, invoicesIssue];
