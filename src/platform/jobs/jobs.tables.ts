import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export const JOB_STATES = ['queued', 'running', 'retry', 'succeeded', 'dead', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A durable job (transactional outbox row). */
export interface JobTable {
  id: string;
  /** Owning tenant, or null for system jobs. Admin API queries are scoped by it. */
  tenant_id: string | null;
  task: string;
  /** JSON text. */
  payload: string;
  state: JobState;
  /** Deduplication key: a second enqueue with the same key is a no-op, whatever the first job's state. */
  job_key: string | null;
  priority: Generated<number>;
  run_at: number;
  attempts: Generated<number>;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export type Job = Selectable<JobTable>;
export type NewJob = Insertable<JobTable>;
export type JobUpdate = Updateable<JobTable>;

export interface JobTables {
  jobs: JobTable;
}
