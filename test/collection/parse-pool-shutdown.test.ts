/**
 * Closing the app closes the process-wide parse pool: a file being read (the picture lane's test picture that hangs)
 * and one waiting are answered 503 INVOICE_FILE_PARSE_STOPPED at once, nothing is recorded, and the picture process
 * ends with the app (none left orphaned). Both dialects.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { getParsePool } from '../../src/modules/collection/index.js';
import { errorOf, seedTenant } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { HANGING_PICTURE as hang, multipart, parsePoolHookApps, upload } from './received-kit.js';

/** The picture-lane children of this process (parse-worker.ts: forked with `--openfapiao-parse-child`). */
const parseChildren = (): string[] =>
  execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('--openfapiao-parse-child'));

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: the app closes the parse pool`, () => {
    const buildApp = parsePoolHookApps(dialect);

    it('answers files being read or waiting with 503 INVOICE_FILE_PARSE_STOPPED and ends the picture processes', async () => {
      const t = await buildApp();
      const a = await seedTenant(t, 'A');
      const body = multipart([{ name: 'file', filename: 'h.png', type: 'image/png', data: hang }]);
      const parse = t.app.inject({
        method: 'POST',
        url: '/api/v1/invoice-files/parse',
        payload: body.payload,
        headers: { ...body.headers, ...a.auth },
      });
      const intake = upload(t, a, [{ name: 'h.png', data: hang }]);
      const pool = getParsePool();
      await expect.poll(() => pool.state().picture, { timeout: 60_000 }).toMatchObject({ busy: 1, queued: 1 });
      expect(parseChildren()).toHaveLength(1);
      const db = t.runtime.deps.db.kysely;
      const tenantId = a.tenantId;

      await t.app.close();
      for (const res of [await parse, await intake]) {
        expect(res.statusCode).toBe(503);
        expect(errorOf(res).code).toBe('INVOICE_FILE_PARSE_STOPPED');
      }
      expect(pool.state().picture).toEqual({ workers: 0, busy: 0, queued: 0 });
      expect(parseChildren()).toEqual([]);
      const recorded = await db.selectFrom('received_files').select('id').where('tenant_id', '=', tenantId).execute();
      expect(recorded).toEqual([]);
    }, 120_000);
  });
}
