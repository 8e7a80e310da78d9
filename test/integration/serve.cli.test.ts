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

/** Every directory and file under `root` (itself included, as '.'), with its permission bits. */
function modesUnder(root: string): { path: string; dir: boolean; mode: number }[] {
  const out = [{ path: '.', dir: true, mode: fs.statSync(root).mode & 0o777 }];
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    if (stat) out.push({ path: path.relative(root, file), dir: stat.isDirectory(), mode: stat.mode & 0o777 });
  }
  return out;
}

/** Entries that another local user could read or enter: anything but 0700 directories and 0600 files. */
function tooOpen(root: string): string[] {
  return modesUnder(root)
    .filter((e) => e.mode !== (e.dir ? 0o700 : 0o600))
    .map((e) => `${e.path} ${e.mode.toString(8)}`);
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: npm start and the CLI`, () => {
    let root: string;
    let dataDir: string;
    let created: TestDbConfig;
    let env: Record<string, string>;

    beforeAll(async () => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-serve-'));
      // Not created yet: the server creates it.
      dataDir = path.join(root, 'data');
      created = await dialect.createConfigDb();
      const port = await freePort();
      env = { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
      if (created.dbConfig.driver === 'postgres') env.DATABASE_URL = created.dbConfig.url;
    });
    afterAll(async () => {
      await created?.cleanup();
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('starts with a demo tenant, prints how to try it, and drains on SIGTERM', async () => {
      const server = await startServer([], env, undefined, { umask: '022' });
      const base = `http://127.0.0.1:${env.PORT}`;
      try {
        const file = path.join(dataDir, 'demo-credentials.json');
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        const creds = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoCredentials;
        expect(Object.keys(creds).sort()).toEqual(
          ['adminPassword', 'adminUser', 'appId', 'appSecret', 'baseUrl', 'sellerTaxId', 'tenantId'].sort(),
        );
        expect(server.output()).toContain(creds.appSecret);
        expect(server.output()).toContain(creds.adminPassword);
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

        // An issued invoice puts its files under blobs/; with umask 022 nothing may come out group/world-readable.
        const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
        const issued = await fetch(`${base}/api/v1/invoices?wait=10`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            serialNo: 'ERP-MODES-1',
            kind: '82',
            seller: { taxId: creds.sellerTaxId },
            buyer: { name: '北京测试科技有限公司', taxId: '91110000600037341L' },
            lines: [{ name: '软件开发服务', taxCode: '3040201010000000000', amount: '100.00', taxRate: '0.06' }],
          }),
        });
        const issuedBody = await issued.text();
        expect(issuedBody).toContain('"status":"issued"');
        for (let i = 0; i < 200; i++) {
          if ((await fetch(`${base}/api/v1/invoices/ERP-MODES-1/files/pdf`, { headers: auth })).status === 200) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const entries = modesUnder(dataDir);
        expect(entries.filter((e) => e.path.startsWith('blobs/') && !e.dir)).not.toEqual([]);
        if (dialect.name === 'sqlite') {
          expect(entries.map((e) => e.path)).toEqual(
            expect.arrayContaining(['openfapiao.sqlite', 'openfapiao.sqlite-wal', 'openfapiao.sqlite-shm']),
          );
        }
        expect(tooOpen(dataDir)).toEqual([]);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    });

    it('reuses the data on a second start and creates no second tenant; prints where the credentials are, never the secrets', async () => {
      const credsFile = path.join(dataDir, 'demo-credentials.json');
      const before = JSON.parse(fs.readFileSync(credsFile, 'utf8')) as DemoCredentials;
      const server = await startServer([], env);
      let output: string;
      try {
        output = server.output();
        expect(output).toContain(before.appId);
        expect(output).toContain(`cat ${credsFile}`);
      } finally {
        expect(await server.stop()).toBe(0);
      }
      // stdout and stderr, LOG_LEVEL=warn, up to the exit
      output = server.output();
      expect(output).not.toContain(before.appSecret);
      expect(output).not.toContain(before.adminPassword);
      const after = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
      expect(after).toEqual(before);
      const jobs = await runCli(['jobs', 'list', '--json'], env);
      expect(jobs.code).toBe(0);
      // The jobs of the invoice issued by the first test.
      const rows = JSON.parse(jobs.stdout) as { task: string; state: string }[];
      expect(rows.map((r) => r.task)).toContain('invoicing/issue-invoice');
    });

    it('tightens a data directory that other local users can read, and says what it changed', async () => {
      fs.chmodSync(dataDir, 0o755);
      fs.chmodSync(path.join(dataDir, 'blobs'), 0o755);
      fs.chmodSync(path.join(dataDir, 'demo-credentials.json'), 0o644);
      const blobDir = fs.readdirSync(path.join(dataDir, 'blobs'))[0] as string;
      fs.chmodSync(path.join(dataDir, 'blobs', blobDir), 0o775);
      const blob = fs.readdirSync(path.join(dataDir, 'blobs', blobDir))[0] as string;
      fs.chmodSync(path.join(dataDir, 'blobs', blobDir, blob), 0o644);
      expect(tooOpen(dataDir)).toHaveLength(5);

      const server = await startServer([], env, undefined, { umask: '022' });
      try {
        expect(tooOpen(dataDir)).toEqual([]);
        const warnings = server
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { msg: string; changed?: number });
        const tightened = warnings.filter((w) => w.msg.startsWith('DATA_DIR was readable by other local users'));
        expect(tightened).toEqual([expect.objectContaining({ changed: 5 })]);
      } finally {
        expect(await server.stop()).toBe(0);
      }
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
      // The roles are the auth module's (loaded for the `user` subcommands that take --role): others are refused.
      const boss = await runCli(['user', 'create', '--tenant', tenantId, '--username', 'boss', '--role', 'boss'], env);
      expect(boss.code).toBe(1);
      expect(boss.stderr).toMatch(/argument 'boss' is invalid\. Allowed choices are .*finance/);

      const migrate = await runCli(['migrate', '--json'], env);
      expect(JSON.parse(migrate.stdout)).toEqual({ applied: [] });
      // Six CLI processes, each compiling the sources through tsx: on a busy 2-core machine this passed 30 s.
    }, 120_000);

    it('fails at boot with a clear message on bad configuration', async () => {
      const res = await runCli(['serve'], { ...env, PORT: 'eighty', ROLE: 'boss' });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('PORT=eighty');
      expect(res.stderr).toContain('ROLE=boss');
      expect(res.stderr).not.toContain('    at ');
    });
  });
}
