import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { isSchemaCurrent } from '../db/migrate.js';
import type { Deps } from '../deps.js';

const HealthReply = Type.Object({
  status: Type.String(),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
});

/** /healthz: the process is up. /readyz: the database answers and every migration has run. */
export function registerHealth(app: FastifyInstance, deps: Pick<Deps, 'db'>, isDraining: () => boolean): void {
  app.get('/healthz', { schema: { tags: ['ops'], response: { 200: HealthReply } } }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: { tags: ['ops'], response: { 200: HealthReply, 503: HealthReply } } },
    async (_req, reply) => {
      const checks: Record<string, string> = {};
      try {
        await sql`select 1`.execute(deps.db.kysely);
        checks.database = 'ok';
        checks.migrations = (await isSchemaCurrent(deps.db.kysely)) ? 'ok' : 'pending';
      } catch {
        checks.database = 'unreachable';
      }
      if (isDraining()) checks.shutdown = 'draining';
      const ready = checks.database === 'ok' && checks.migrations === 'ok' && !isDraining();
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );
}
