import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../platform/clock.js';
import { ctxOf, type Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { NOT_FOUND } from '../../platform/errors/platform.errors.js';
import { IsoTime, PageQuery, page, responses } from '../../platform/http/schemas.js';
import { JOB_STATES, type Job, listJobs, publicJobError, retryJob } from '../../platform/jobs/index.js';
import { withAudit } from '../audit/index.js';
import { auditMetaOf, getAuth } from '../auth/index.js';

export const JobView = Type.Object({
  id: Type.String(),
  task: Type.String(),
  state: Type.Union(JOB_STATES.map((s) => Type.Literal(s))),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  runAt: IsoTime,
  lastError: Type.Union([Type.String(), Type.Null()], {
    description: 'The last failure: error code or name and message (no stack; the full error is in the log)',
  }),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  finishedAt: Type.Union([IsoTime, Type.Null()]),
});

export function toJobView(job: Job) {
  return {
    id: job.id,
    task: job.task,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.max_attempts,
    runAt: toIsoCst(job.run_at),
    lastError: publicJobError(job.last_error),
    createdAt: toIsoCst(job.created_at),
    updatedAt: toIsoCst(job.updated_at),
    finishedAt: job.finished_at === null ? null : toIsoCst(job.finished_at),
  };
}

/** Admin view of the tenant's background jobs, and manual retry of a dead one. */
export const jobsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['jobs'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/v1/jobs',
    {
      config: { permission: 'system.read' },
      schema: {
        ...common,
        summary: '后台任务列表 (background jobs)',
        querystring: Type.Object({
          state: Type.Optional(Type.Union(JOB_STATES.map((s) => Type.Literal(s)))),
          task: Type.Optional(Type.String({ maxLength: 100 })),
          ...PageQuery,
        }),
        response: responses({ 200: page(JobView) }),
      },
    },
    async (request) => {
      const { state, task, cursor, limit } = request.query;
      const result = await listJobs(deps.db.kysely, {
        tenantId: getAuth(request).tenantId,
        ...(state ? { state } : {}),
        ...(task ? { task } : {}),
        ...(cursor ? { cursor } : {}),
        limit: limit ?? 50,
      });
      return { items: result.items.map(toJobView), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/api/v1/jobs/:id/retry',
    {
      config: { permission: 'system.manage' },
      schema: {
        ...common,
        summary: '重试任务 (retry a failed job)',
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: responses({ 200: JobView }, [400, 401, 404, 409]),
      },
    },
    async (request) => {
      const job = await withAudit(
        ctxOf(deps),
        auditMetaOf(request),
        ({ db, clock }) =>
          retryJob(db, { tenantId: getAuth(request).tenantId, id: request.params.id, now: clock.now() }),
        (retried) =>
          retried
            ? {
                action: 'jobs.retry',
                target: { type: 'job', id: retried.id },
                after: { task: retried.task, state: retried.state },
              }
            : null,
      );
      if (!job) throw new AppError(NOT_FOUND, `任务 ${request.params.id} 不存在或不可重试`);
      deps.jobs.notify();
      return toJobView(job);
    },
  );
};
