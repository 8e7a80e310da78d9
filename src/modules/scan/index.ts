/** Scan-to-invoice (扫码开票): QR settings, pushed and merchant-signed orders, the consumer H5 pages. */
export { type CreateOrderInput, createOrder } from './create-order.js';
export { scanH5Routes } from './h5/h5.routes.js';
export { issueOrder } from './issue-order.js';
export { loadOrderEventSource } from './order-event-source.js';
export { ORDER_EVENTS, type OrderEvent } from './order-events.js';
export { countOrdersByStatus } from './order-stats.repo.js';
export { orderSerialNo } from './order-title.js';
export { orderLinks } from './order-view.js';
export { scanOrdersRoutes } from './routes/orders.routes.js';
export { scanSettingsRoutes } from './routes/settings.routes.js';
export { ORDER_STATUSES, type OrderStatus, type ScanTables } from './scan.tables.js';
export { registerScanTasks } from './scan.tasks.js';
export {
  isValidScanLinkSignature,
  SCAN_SIGNATURE_BYTES,
  type SignScanLinkInput,
  scanLinkCanonical,
  scanLinkSignature,
  signScanLink,
} from './scan-link-signature.js';
export { createSetting, getSettingOrThrow } from './settings.service.js';
