/** Scan-to-invoice (扫码开票): QR settings, pushed and merchant-signed orders, the consumer H5 pages. */

export { type CreateOrderInput, createOrder } from './create-order.js';
export { renderErrorPage } from './h5/error-page.js';
export { scanH5Routes, sendPage } from './h5/h5.routes.js';
export { createCsrfGuard } from './h5/h5-csrf.js';
export { consumerLinkTenant, invoicedOrderOfLink } from './h5/h5-links.js';
export { escapeHtml, html, raw, SafeHtml } from './h5/html.js';
export { renderPage } from './h5/layout.js';
export { violationErrors } from './h5/order-link.routes.js';
export { renderOrderPage } from './h5/order-page.js';
export { STATUS_PAGE_SCRIPT } from './h5/page-script.js';
export { type FieldErrors, parseTitleForm, readForm, type TitleFormValues } from './h5/title-form.js';
export { issueOrder } from './issue-order.js';
export { loadOrderEventSource } from './order-event-source.js';
export { ORDER_EVENTS, type OrderEvent } from './order-events.js';
export { countOrdersByStatus } from './order-stats.repo.js';
export { type OrderTitle, orderSerialNo } from './order-title.js';
export { orderLinks } from './order-view.js';
export { POSTER_SIZES, type PosterSize, type QrPosterLayout, renderQrPosterPdf } from './poster.js';
export { renderQr } from './qr-image.js';
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
