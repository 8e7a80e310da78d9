/**
 * 柜台 (counter modes): 码上开票 orders built at the till and the per-org counter settings (QR validity, receipt);
 * 预约二维码 (reservation QRs), 自助打印 (kiosks, extraction codes), 抬头联想 (title suggestions).
 */
export type { CounterTables } from './counter.tables.js';
export { registerCounterTasks } from './counter.tasks.js';
export { createExtractionCode } from './extraction-codes.js';
export { counterH5Routes } from './h5/counter-h5.routes.js';
export { counterRoutes } from './routes/counter.routes.js';
export { counterReservationRoutes } from './routes/reservations.routes.js';
export { suggestTitles } from './suggest-titles.js';
