import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DemoCredentials } from '../../src/demo-seed.js';
import { freePort, runCli, startServer } from '../helpers/processes.js';
import { TEST_DIALECTS, type TestDbConfig } from '../helpers/test-db.js';

// Each test starts real server and CLI processes (a few seconds each to compile and boot; much longer on a busy
// 2-core machine): the timeout is a hang detector, not a time assertion.
vi.setConfig({ testTimeout: 120_000 });

const TAX_ID = '91110000600037341L';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: channel binding from the CLI and the demo seed`, () => {
    let dataDir: string;
    let created: TestDbConfig;
    let env: Record<string, string>;

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-binding-'));
      created = await dialect.createConfigDb();
      env = { DATA_DIR: dataDir, PORT: String(await freePort()), LOG_LEVEL: 'info' };
      if (created.dbConfig.driver === 'postgres') env.DATABASE_URL = created.dbConfig.url;
    });
    afterAll(async () => {
      await created?.cleanup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('the demo seed binds its seller without printing a channel credential, and the seller issues', async () => {
      const server = await startServer([], env);
      const base = `http://127.0.0.1:${env.PORT}`;
      try {
        const creds = JSON.parse(
          fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'),
        ) as DemoCredentials;
        const token = (await (
          await fetch(`${base}/api/v1/auth/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ appId: creds.appId, appSecret: creds.appSecret }),
          })
        ).json()) as { accessToken: string };
        const headers = { authorization: `Bearer ${token.accessToken}`, 'content-type': 'application/json' };
        const org = (await (await fetch(`${base}/api/v1/orgs/${creds.sellerTaxId}`, { headers })).json()) as {
          channelBinding: { status: string };
        };
        expect(org.channelBinding.status).toBe('bound');
        const res = await fetch(`${base}/api/v1/invoices?wait=10`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            serialNo: 'ERP-0001',
            kind: '82',
            seller: { taxId: creds.sellerTaxId },
            buyer: { name: '北京测试科技有限公司', taxId: TAX_ID },
            lines: [{ name: '软件开发服务', taxCode: '3040201010000000000', amount: '10000.00', taxRate: '0.06' }],
          }),
        });
        expect(((await res.json()) as { status: string }).status).toBe('issued');
        // Binding again over HTTP with a re-issued credential: accepted, and never written to the request log.
        const reissued = await runCli(['sandbox', 'credential', '--tax-id', creds.sellerTaxId, '--json'], env);
        const { credential } = JSON.parse(reissued.stdout) as { credential: string };
        const again = await fetch(`${base}/api/v1/orgs/${creds.sellerTaxId}/channel-binding`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ credential }),
        });
        expect(again.status).toBe(200);
      } finally {
        expect(await server.stop()).toBe(0);
      }
      expect(server.output()).not.toMatch(/sbxc_/);
      expect(fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8')).not.toMatch(/sbxc_/);
    }, 120_000);

    it('sandbox credential is an operator command; org bind takes it, one tenant at a time; org unbind frees it', async () => {
      const tenantIds: string[] = [];
      for (const name of ['甲', '乙']) {
        const tenant = await runCli(['tenant', 'create', '--name', name, '--json'], env);
        const { tenantId } = JSON.parse(tenant.stdout) as { tenantId: string };
        tenantIds.push(tenantId);
        const org = await runCli(
          ['org', 'create', '--tenant', tenantId, '--tax-id', TAX_ID, '--name', '北京测试'],
          env,
        );
        expect(org.code, org.stderr).toBe(0);
        expect(org.stdout).toContain('org bind');
      }
      const [first, second] = tenantIds as [string, string];
      const issued = await runCli(['sandbox', 'credential', '--tax-id', TAX_ID, '--json'], env);
      expect(issued.code, issued.stderr).toBe(0);
      const { credential } = JSON.parse(issued.stdout) as { credential: string };
      expect(credential).toMatch(/^sbxc_/);

      const bindArgs = (tenant: string, c: string) => [
        'org',
        'bind',
        '--tenant',
        tenant,
        '--tax-id',
        TAX_ID,
        '--credential',
        c,
      ];
      const wrong = await runCli(bindArgs(first, 'sbxc_wrong'), env);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('凭据不正确');
      const ok = await runCli([...bindArgs(first, credential), '--json'], env);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ taxId: TAX_ID, tenantId: first, status: 'bound' });
      const taken = await runCli(bindArgs(second, credential), env);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain('其他租户');

      const freed = await runCli(['org', 'unbind', '--tenant', first, '--tax-id', TAX_ID, '--json'], env);
      expect(JSON.parse(freed.stdout)).toMatchObject({ status: 'unbound' });
      const now = await runCli([...bindArgs(second, credential), '--json'], env);
      expect(now.code, now.stderr).toBe(0);
      expect(JSON.parse(now.stdout)).toMatchObject({ tenantId: second, status: 'bound' });
    }, 180_000);
  });
}
