import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoCredentials } from '../../src/demo-seed.js';
import { freePort, runCli, startServer } from '../helpers/processes.js';
import { TEST_DIALECTS, type TestDbConfig } from '../helpers/test-db.js';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: npm start and the CLI`, () => {
    let dataDir: string;
    let created: TestDbConfig;
    let env: Record<string, string>;

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-serve-'));
      created = await dialect.createConfigDb();
      const port = await freePort();
      env = { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
      if (created.dbConfig.driver === 'postgres') env.DATABASE_URL = created.dbConfig.url;
    });
    afterAll(async () => {
      await created?.cleanup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('starts with a demo tenant, prints how to try it, and drains on SIGTERM', async () => {
      const server = await startServer([], env);
      const base = `http://127.0.0.1:${env.PORT}`;
      try {
        const file = path.join(dataDir, 'demo-credentials.json');
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        const creds = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoCredentials;
        expect(Object.keys(creds).sort()).toEqual(
          ['adminPassword', 'adminUser', 'appId', 'appSecret', 'baseUrl', 'sellerTaxId', 'tenantId'].sort(),
        );
        expect(server.output()).toContain(creds.appSecret);
        expect(server.output()).toContain('/api/docs');
        expect(server.output()).toContain('curl');

        const tokenRes = await fetch(`${base}/api/v1/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ appId: creds.appId, appSecret: creds.appSecret }),
        });
        expect(tokenRes.status).toBe(200);
        const { accessToken } = (await tokenRes.json()) as { accessToken: string };
        const orgs = (await (
          await fetch(`${base}/api/v1/orgs`, { headers: { authorization: `Bearer ${accessToken}` } })
        ).json()) as {
          items: { taxId: string }[];
        };
        expect(orgs.items.map((o) => o.taxId)).toEqual([creds.sellerTaxId]);
        expect((await fetch(`${base}/readyz`)).status).toBe(200);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    });

    it('reuses the data on a second start and creates no second tenant', async () => {
      const before = JSON.parse(
        fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'),
      ) as DemoCredentials;
      const server = await startServer([], env);
      try {
        expect(server.output()).toContain('Demo credentials (from');
        expect(server.output()).toContain(before.appId);
      } finally {
        expect(await server.stop()).toBe(0);
      }
      const after = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
      expect(after).toEqual(before);
      const jobs = await runCli(['jobs', 'list', '--json'], env);
      expect(jobs.code).toBe(0);
      expect(JSON.parse(jobs.stdout)).toEqual([]);
    });

    it('creates tenants, orgs, apps and users from the CLI with --json output', async () => {
      const tenant = await runCli(['tenant', 'create', '--name', '测试租户', '--json'], env);
      expect(tenant.code, tenant.stderr).toBe(0);
      const { tenantId } = JSON.parse(tenant.stdout) as { tenantId: string };
      expect(tenantId).toMatch(/^tnt_/);

      const org = await runCli(
        ['org', 'create', '--tenant', tenantId, '--tax-id', '91110000600037341L', '--name', '北京测试', '--json'],
        env,
      );
      expect(org.code, org.stderr).toBe(0);
      expect(JSON.parse(org.stdout)).toMatchObject({ taxId: '91110000600037341L', tenantId });

      const badOrg = await runCli(
        ['org', 'create', '--tenant', tenantId, '--tax-id', '91110000600037341A', '--name', 'x'],
        env,
      );
      expect(badOrg.code).toBe(1);
      expect(badOrg.stderr).toContain('校验位错误');

      const app = await runCli(['app', 'create', '--tenant', tenantId, '--name', 'ERP', '--json'], env);
      expect(app.code, app.stderr).toBe(0);
      expect(JSON.parse(app.stdout)).toMatchObject({
        appId: expect.stringMatching(/^ofa_/),
        appSecret: expect.any(String),
        tenantId,
      });

      const user = await runCli(
        ['user', 'create', '--tenant', tenantId, '--username', `fin-${dialect.name}`, '--role', 'finance', '--json'],
        env,
      );
      expect(user.code, user.stderr).toBe(0);
      expect(JSON.parse(user.stdout)).toMatchObject({ role: 'finance', password: expect.any(String) });

      const migrate = await runCli(['migrate', '--json'], env);
      expect(JSON.parse(migrate.stdout)).toEqual({ applied: [] });
    });

    it('fails at boot with a clear message on bad configuration', async () => {
      const res = await runCli(['serve'], { ...env, PORT: 'eighty', ROLE: 'boss' });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('PORT=eighty');
      expect(res.stderr).toContain('ROLE=boss');
      expect(res.stderr).not.toContain('    at ');
    });
  });
}
