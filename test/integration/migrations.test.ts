import { type Migration, sql } from 'kysely';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { createDb } from '../../src/platform/db/create-db.js';
import {
  isSchemaCurrent,
  listAppliedMigrations,
  MIGRATION_TABLE,
  migrateToLatest,
} from '../../src/platform/db/migrate.js';
import { MIGRATIONS } from '../../src/platform/db/migrations/index.js';
import { TEST_DIALECTS, type TestDbConfig } from '../helpers/test-db.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: migrations`, () => {
    let created: TestDbConfig | null = null;
    afterEach(async () => {
      await created?.cleanup();
      created = null;
    });

    it('migrates a fresh database once; a second run applies nothing', async () => {
      created = await dialect.createConfigDb();
      const db = createDb(created.dbConfig);
      try {
        expect(await isSchemaCurrent(db.kysely)).toBe(false);
        expect(await migrateToLatest(db.kysely)).toEqual(Object.keys(MIGRATIONS));
        expect(await migrateToLatest(db.kysely)).toEqual([]);
        expect(await listAppliedMigrations(db.kysely)).toEqual(Object.keys(MIGRATIONS));
        expect(await isSchemaCurrent(db.kysely)).toBe(true);
      } finally {
        await db.destroy();
      }
    });

    it('0014-invoice-origin: invoices of scan orders become scan_order, every other one direct', async () => {
      created = await dialect.createConfigDb();
      const db = createDb(created.dbConfig);
      const k = db.kysely as unknown as Parameters<Migration['up']>[0];
      try {
        for (const [name, migration] of Object.entries(MIGRATIONS)) {
          if (name === '0014-invoice-origin') break;
          await migration.up(k);
        }
        await k.insertInto('tenants').values({ id: 'tnt_1', name: 't', is_demo: 0, created_at: 0 }).execute();
        await k.insertInto('tenants').values({ id: 'tnt_2', name: 'u', is_demo: 0, created_at: 0 }).execute();
        await k
          .insertInto('scan_settings')
          .values({
            id: 'qrs_1',
            tenant_id: 'tnt_1',
            key: 'k1',
            seller_tax_id: 's',
            scan_type: 'issue',
            allowed_kinds: '["82"]',
            validity_days: 30,
            secret_enc: 'x',
            secret_rotated_at: 0,
            created_at: 0,
            updated_at: 0,
          })
          .execute();
        const order = (id: string, orderNo: string, serial: string | null) => ({
          id,
          tenant_id: 'tnt_1',
          setting_id: 'qrs_1',
          order_no: orderNo,
          source: 'api',
          request_hash: 'h',
          status: serial ? 'invoiced' : 'open',
          seller_tax_id: 's',
          allowed_kinds: '["82"]',
          content_json: '{}',
          items_json: '[]',
          total_fen: 100,
          invoice_serial_no: serial,
          expires_at: 0,
          created_at: 0,
          updated_at: 0,
        });
        await k
          .insertInto('scan_orders')
          .values([order('ord_1', 'POS-1', 'S-POS-1'), order('ord_2', 'POS-2', null)])
          .execute();
        const invoice = (id: string, tenant: string, serial: string, isRed = 0) => ({
          id,
          tenant_id: tenant,
          serial_no: serial,
          request_hash: 'h',
          request_json: '{}',
          kind: '82',
          seller_tax_id: 's',
          seller_json: '{}',
          buyer_name: 'b',
          buyer_json: '{}',
          computed_json: '{}',
          amount_fen: 100,
          tax_fen: 6,
          total_fen: 106,
          status: 'issued',
          is_red: isRed,
          created_at: 0,
          updated_at: 0,
        });
        await k
          .insertInto('invoices')
          .values([
            invoice('inv_1', 'tnt_1', 'S-POS-1'), // the scan order's invoice
            invoice('inv_2', 'tnt_1', 'ERP-1'), // direct
            invoice('inv_3', 'tnt_1', 'S-POS-2'), // an S- serial no order names (direct request)
            invoice('inv_4', 'tnt_2', 'S-POS-1'), // another tenant's S-POS-1
            invoice('inv_5', 'tnt_1', 'S-RED-1', 1), // a red request
          ])
          .execute();
        await MIGRATIONS['0014-invoice-origin']!.up(k);
        const rows = await k.selectFrom('invoices').select(['id', 'origin']).orderBy('id').execute();
        expect(rows).toEqual([
          { id: 'inv_1', origin: 'scan_order' },
          { id: 'inv_2', origin: 'direct' },
          { id: 'inv_3', origin: 'direct' },
          { id: 'inv_4', origin: 'direct' },
          { id: 'inv_5', origin: 'direct' },
        ]);
      } finally {
        await db.destroy();
      }
    });

    it('0017-scan-static-counters: the submissions become day counters per setting and client, then go', async () => {
      created = await dialect.createConfigDb();
      const db = createDb(created.dbConfig);
      const k = db.kysely as unknown as Parameters<Migration['up']>[0];
      try {
        for (const [name, migration] of Object.entries(MIGRATIONS)) {
          if (name === '0017-scan-static-counters') break;
          await migration.up(k);
        }
        await k.insertInto('tenants').values({ id: 'tnt_1', name: 't', is_demo: 0, created_at: 0 }).execute();
        await k
          .insertInto('scan_settings')
          .values({
            id: 'qrs_1',
            tenant_id: 'tnt_1',
            key: 'k1',
            seller_tax_id: 's',
            scan_type: 'issue',
            allowed_kinds: '["82"]',
            validity_days: 30,
            secret_enc: 'x',
            secret_rotated_at: 0,
            created_at: 0,
            updated_at: 0,
          })
          .execute();
        // Shanghai days: 2025-06-01 starts at 2025-05-31T16:00Z; 15:59Z on 06-01 is still that day, 16:00Z the next.
        const day1 = Date.parse('2025-05-31T16:00:00Z');
        const day2 = Date.parse('2025-06-01T16:00:00Z');
        const submission = (id: string, client: string, fen: number, iso: string) => ({
          id,
          tenant_id: 'tnt_1',
          setting_id: 'qrs_1',
          client_hash: client,
          amount_fen: fen,
          created_at: Date.parse(iso),
        });
        await k
          .insertInto('scan_static_submissions')
          .values([
            submission('s1', 'aa', 1000, '2025-05-31T16:00:00Z'),
            submission('s2', 'aa', 2000, '2025-06-01T15:59:59Z'),
            submission('s3', 'bb', 500, '2025-06-01T08:00:00Z'),
            submission('s4', 'aa', 700, '2025-06-01T16:00:00Z'),
          ])
          .execute();
        await MIGRATIONS['0017-scan-static-counters']!.up(k);
        const rows = await k
          .selectFrom('scan_static_counters')
          .select(['subject', 'day_start', 'day_count', 'day_fen', 'minute_count'])
          .orderBy('day_start')
          .orderBy('subject')
          .execute();
        expect(rows.map((r) => [r.subject, Number(r.day_start), Number(r.day_count), Number(r.day_fen)])).toEqual([
          ['', day1, 3, 3500],
          ['aa', day1, 2, 3000],
          ['bb', day1, 1, 500],
          ['', day2, 1, 700],
          ['aa', day2, 1, 700],
        ]);
        expect(rows.every((r) => Number(r.minute_count) === 0)).toBe(true);
        const tables = await k.introspection.getTables();
        expect(tables.map((t) => t.name)).not.toContain('scan_static_submissions');
      } finally {
        await db.destroy();
      }
    });

    it('0037-received-rules-no-same-file: stored duplicate rules lose sameFile, the rest stays', async () => {
      created = await dialect.createConfigDb();
      const db = createDb(created.dbConfig);
      const k = db.kysely as unknown as Parameters<Migration['up']>[0];
      try {
        for (const [name, migration] of Object.entries(MIGRATIONS)) {
          if (name === '0037-received-rules-no-same-file') break;
          await migration.up(k);
        }
        await k.insertInto('tenants').values({ id: 'tnt_1', name: 't', is_demo: 0, created_at: 0 }).execute();
        const duplicate = {
          enabled: true,
          level: 'warn',
          params: { sameNumber: false, sameFingerprint: true, sameFile: true },
        };
        const maxAge = { enabled: true, level: 'warn', params: { days: 30 } };
        await k
          .insertInto('received_rules')
          .values([
            {
              id: 'rrl_1',
              tenant_id: 'tnt_1',
              buyer_org_id: null,
              rules: JSON.stringify({ duplicate, maxAge }),
              updated_at: 0,
              updated_by: 'x',
            },
          ])
          .execute();
        await MIGRATIONS['0037-received-rules-no-same-file']!.up(k);
        const row = await k.selectFrom('received_rules').select('rules').executeTakeFirstOrThrow();
        expect(JSON.parse(row.rules)).toEqual({
          duplicate: { enabled: true, level: 'warn', params: { sameNumber: false, sameFingerprint: true } },
          maxAge,
        });
      } finally {
        await db.destroy();
      }
    });

    it('lets several processes start at once: the lock makes one of them migrate', async () => {
      created = await dialect.createConfigDb();
      const dbs = [createDb(created.dbConfig), createDb(created.dbConfig), createDb(created.dbConfig)];
      try {
        const results = await Promise.all(dbs.map((db) => migrateToLatest(db.kysely)));
        expect(results.flat().sort()).toEqual(Object.keys(MIGRATIONS).sort());
      } finally {
        await Promise.all(dbs.map((db) => db.destroy()));
      }
    });

    it('refuses to start against a schema newer than the code', async () => {
      created = await dialect.createConfigDb();
      const db = createDb(created.dbConfig);
      await migrateToLatest(db.kysely);
      await sql`insert into ${sql.table(MIGRATION_TABLE)} (name, timestamp) values ('9999-from-the-future', '2030-01-01T00:00:00Z')`.execute(
        db.kysely,
      );
      await db.destroy();
      const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), db: created.dbConfig };
      await expect(createRuntime(config, { logger: pino({ level: 'silent' }) })).rejects.toMatchObject({
        code: 'SCHEMA_TOO_NEW',
        details: { unknownMigrations: ['9999-from-the-future'] },
      });
    });
  });
}
