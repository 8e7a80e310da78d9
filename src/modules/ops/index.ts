/** Ops: the admin API over platform services (the job queue: list, inspect, retry). */
export { jobsRoutes } from './jobs.routes.js';
