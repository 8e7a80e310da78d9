import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DemoCredentials } from '../../src/demo-seed.js';
import { freePort, runCli, type Served, startServer } from '../helpers/processes.js';
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

    // One start proves both: it is the second start on this data, and it finds the data directory loosened.
    describe('a second start on the same data', () => {
      let credsFile: string;
      let before: DemoCredentials;
      let server: Served;

      beforeAll(async () => {
        credsFile = path.join(dataDir, 'demo-credentials.json');
        before = JSON.parse(fs.readFileSync(credsFile, 'utf8')) as DemoCredentials;
        fs.chmodSync(dataDir, 0o755);
        fs.chmodSync(path.join(dataDir, 'blobs'), 0o755);
        fs.chmodSync(credsFile, 0o644);
        const blobDir = fs.readdirSync(path.join(dataDir, 'blobs'))[0] as string;
        fs.chmodSync(path.join(dataDir, 'blobs', blobDir), 0o775);
        const blob = fs.readdirSync(path.join(dataDir, 'blobs', blobDir))[0] as string;
        fs.chmodSync(path.join(dataDir, 'blobs', blobDir, blob), 0o644);
        expect(tooOpen(dataDir)).toHaveLength(5);
        server = await startServer([], env, undefined, { umask: '022' });
      });
      afterAll(async () => {
        await server?.stop();
      });

      it('tightens a data directory that other local users can read, and says what it changed', () => {
        expect(tooOpen(dataDir)).toEqual([]);
        const warnings = server
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { msg: string; changed?: number });
        const tightened = warnings.filter((w) => w.msg.startsWith('DATA_DIR was readable by other local users'));
        expect(tightened).toEqual([expect.objectContaining({ changed: 5 })]);
      });

      it('reuses the data and creates no second tenant; prints where the credentials are, never the secrets', async () => {
        let output = server.output();
        expect(output).toContain(before.appId);
        expect(output).toContain(`cat ${credsFile}`);
        expect(await server.stop()).toBe(0);
        // stdout and stderr, LOG_LEVEL=warn, up to the exit
        output = server.output();
        expect(output).not.toContain(before.appSecret);
        expect(output).not.toContain(before.adminPassword);
        const after = JSON.parse(fs.readFileSync(credsFile, 'utf8')) as DemoCredentials;
        expect(after).toEqual(before);
        const jobs = await runCli(['jobs', 'list', '--json'], env);
        expect(jobs.code).toBe(0);
        // The jobs of the invoice issued by the first test.
        const rows = JSON.parse(jobs.stdout) as { task: string; state: string }[];
        expect(rows.map((r) => r.task)).toContain('invoicing/issue-invoice');
      });
    });

    it('creates tenants, orgs, apps and users from the CLI with --json output', async () => {
      // The commands run side by side where one does not need another's output (as an operator's script may run
      // them): each process loads the app graph, and on a 2-core machine two at a time take about half the wall time.
      const [tenant, migrate] = await Promise.all([
        runCli(['tenant', 'create', '--name', '测试租户', '--json'], env),
        runCli(['migrate', '--json'], env),
      ]);
      expect(tenant.code, tenant.stderr).toBe(0);
      const { tenantId } = JSON.parse(tenant.stdout) as { tenantId: string };
      expect(tenantId).toMatch(/^tnt_/);
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(JSON.parse(migrate.stdout)).toEqual({ applied: [] });

      const [org, badOrg, app, user] = await Promise.all([
        runCli(
          ['org', 'create', '--tenant', tenantId, '--tax-id', '91110000600037341L', '--name', '北京测试', '--json'],
          env,
        ),
        runCli(['org', 'create', '--tenant', tenantId, '--tax-id', '91110000600037341A', '--name', 'x'], env),
        runCli(['app', 'create', '--tenant', tenantId, '--name', 'ERP', '--json'], env),
        runCli(
          ['user', 'create', '--tenant', tenantId, '--username', `fin-${dialect.name}`, '--role', 'finance', '--json'],
          env,
        ),
      ]);
      expect(org.code, org.stderr).toBe(0);
      expect(JSON.parse(org.stdout)).toMatchObject({ taxId: '91110000600037341L', tenantId });

      expect(badOrg.code).toBe(1);
      expect(badOrg.stderr).toContain('校验位错误');

      expect(app.code, app.stderr).toBe(0);
      expect(JSON.parse(app.stdout)).toMatchObject({
        appId: expect.stringMatching(/^ofa_/),
        appSecret: expect.any(String),
        tenantId,
      });

      expect(user.code, user.stderr).toBe(0);
      expect(JSON.parse(user.stdout)).toMatchObject({ role: 'finance', password: expect.any(String) });
    });
  });
}

// Refusals that come before any database is opened (the configuration, an argument's choices): nothing in them
// depends on the dialect, so they run once. The same commands on each dialect's database are the tests above.
describe('the CLI refuses bad input before it opens a database', () => {
  let root: string;
  let env: Record<string, string>;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-serve-'));
    env = { DATA_DIR: path.join(root, 'data'), LOG_LEVEL: 'warn' };
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('fails at boot with a clear message on bad configuration', async () => {
    const res = await runCli(['serve'], { ...env, PORT: 'eighty', ROLE: 'boss' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('PORT=eighty');
    expect(res.stderr).toContain('ROLE=boss');
    expect(res.stderr).not.toContain('    at ');
  });

  it('refuses a user role the auth module does not know, with the choices', async () => {
    // The roles are the auth module's (loaded for the `user` subcommands that take --role): others are refused.
    const boss = await runCli(['user', 'create', '--tenant', 'tnt_x', '--username', 'boss', '--role', 'boss'], env);
    expect(boss.code).toBe(1);
    expect(boss.stderr).toMatch(/argument 'boss' is invalid\. Allowed choices are .*finance/);
  });
});
