/** Public package surface (for embedding and for integrators' helpers). */
export { buildApp, createRuntime } from './app.js';
export { type Config, loadConfig } from './platform/config/load-config.js';
export { AppError } from './platform/errors/app-error.js';
