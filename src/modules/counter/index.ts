/** 柜台 (counter modes): 码上开票 orders built at the till and the per-org counter settings (QR validity, receipt). */
export type { CounterTables } from './counter.tables.js';
export { counterRoutes } from './routes/counter.routes.js';
