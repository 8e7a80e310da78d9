/** Ops: the admin API over platform services (the job queue: list, inspect, retry; the 系统 overview). */
export { jobsRoutes } from './jobs.routes.js';
export { configSummary, systemRoutes } from './system.routes.js';
