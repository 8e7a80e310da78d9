/**
 * Console: serves the web console's build under /console/ and the console-only composite reads (the dashboard),
 * which compose other modules' reads through their front doors (docs/console.md).
 */
export { CONSOLE_CSP, CONSOLE_SECURITY_HEADERS } from './console-security.js';
export { type ConsoleStaticOptions, consoleStaticRoutes, DEFAULT_CONSOLE_DIST } from './console-static.routes.js';
export { dashboardRoutes } from './dashboard.routes.js';
