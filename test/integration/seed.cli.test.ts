import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/processes.js';
import { TEST_DIALECTS, type TestDbConfig } from '../helpers/test-db.js';

// Real CLI processes (compile + boot each); the timeout is a hang detector, not a time assertion.
vi.setConfig({ testTimeout: 180_000 });

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: openfapiao seed --invoices`, () => {
    let dataDir: string;
    let created: TestDbConfig;
    let env: Record<string, string>;

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-seed-'));
      created = await dialect.createConfigDb();
      env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
      if (created.dbConfig.driver === 'postgres') env.DATABASE_URL = created.dbConfig.url;
    });
    afterAll(async () => {
      await created?.cleanup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('adds N invoices in bulk with progress on stderr, additively, and refuses a tenant without sellers', async () => {
      const tenant = await runCli(['tenant', 'create', '--name', '种子', '--json'], env);
      const { tenantId } = JSON.parse(tenant.stdout) as { tenantId: string };
      const noOrg = await runCli(['seed', '--invoices', '10', '--tenant', tenantId], env);
      expect(noOrg.code).toBe(1);
      expect(noOrg.stderr).toMatch(/no seller org/);
      const org = await runCli(
        ['org', 'create', '--tenant', tenantId, '--tax-id', '91110000600037341L', '--name', '种子销方'],
        env,
      );
      expect(org.code, org.stderr).toBe(0);

      const first = await runCli(['seed', '--invoices', '1500', '--tenant', tenantId, '--json'], env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/seed: 100% 1500\/1500/);
      const result = JSON.parse(first.stdout) as { inserted: number; serialPrefix: string };
      expect(result.inserted).toBe(1500);
      expect(result.serialPrefix).toMatch(/^SEED[0-9A-Z]+-$/);
      // Additive: a second run adds more under its own serial prefix.
      const second = await runCli(['seed', '--invoices', '300', '--tenant', tenantId, '--json'], env);
      expect(second.code, second.stderr).toBe(0);
      const again = JSON.parse(second.stdout) as { inserted: number; serialPrefix: string };
      expect(again.inserted).toBe(300);
      expect(again.serialPrefix).not.toBe(result.serialPrefix);
      const bad = await runCli(['seed', '--invoices', '0', '--tenant', tenantId], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/--invoices must be an integer/);
    });
  });
}
