/** Public package surface (for embedding and for integrators' helpers). */
export { buildApp, createRuntime } from './app.js';
export { type VerifyWebhookOptions, verifyWebhookSignature } from './modules/delivery/index.js';
export { type SignScanLinkInput, signScanLink } from './modules/scan/index.js';
export { type Config, loadConfig } from './platform/config/load-config.js';
export { AppError } from './platform/errors/app-error.js';
