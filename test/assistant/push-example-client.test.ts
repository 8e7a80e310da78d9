/**
 * The runnable example client (examples/expense-system/client.mjs) against a test server on loopback, on both
 * dialects: it gets a token, asks for an event code, prints the select URL, and receives exactly the one import pushed
 * for its bill (WebSocket and poll); the whole walkthrough with `--poll --save` (an invoice uploaded and imported
 * through the select page's API, the bill saved by the client); its usage and default address; a token that expires
 * while its socket is open (close 4401) or is refused on the upgrade (401) is replaced and the client reconnects at
 * once; refused credentials (a wrong secret at start, a secret rotated while it polls) exit 1 instead of looping.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config/load-config.js';
import { multipart } from '../collection/received-kit.js';
import { fetchFile, issueBlue } from '../documents/documents-kit.js';
import { ROOT } from '../helpers/processes.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { insertEvent, listen, record } from './push-kit.js';

const CLIENT = path.join(ROOT, 'examples/expense-system/client.mjs');

interface Line {
  event: string;
  [key: string]: unknown;
}

/** The client's arguments for a seeded tenant (its app, the OA business system); `extra` adds or overrides. */
function clientArgs(
  base: string,
  tenant: SeededTenant,
  options: { billId?: string; linkKey?: string; companyName?: string; companyTaxNo?: string; appSecret?: string },
  extra: string[] = [],
): string[] {
  return [
    ...['--base', base, '--app-id', tenant.appId, '--app-secret', options.appSecret ?? tenant.appSecret],
    ...['--resource', 'OA', '--user-id', 'zhang.san'],
    ...(options.billId ? ['--bill-id', options.billId] : []),
    ...(options.linkKey ? ['--link-key', options.linkKey] : []),
    ...['--company-tax-no', options.companyTaxNo ?? tenant.sellerTaxId],
    ...['--company-name', options.companyName ?? '示例有限公司'],
    ...extra,
  ];
}

/**
 * Runs the client; `lines` fills as it prints, `next(event)` resolves at the first line of that event and rejects,
 * with the client's output, when the client exits before printing one.
 */
function runClient(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [CLIENT, ...args], { cwd: ROOT });
  const lines: Line[] = [];
  let buffer = '';
  let stderr = '';
  let exitCode: number | null | undefined;
  let waiters: { event: string; resolve: (l: Line) => void; reject: (e: Error) => void }[] = [];
  const output = () =>
    `exit ${exitCode}\nstdout:\n${lines.map((l) => JSON.stringify(l)).join('\n')}${buffer}\nstderr:\n${stderr}`;
  child.stdout!.on('data', (d) => {
    buffer += d;
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, i)) as Line;
      buffer = buffer.slice(i + 1);
      lines.push(line);
      waiters = waiters.filter((w) => {
        if (w.event !== line.event) return true;
        w.resolve(line);
        return false;
      });
    }
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  // 'close' (not 'exit'): every line the client printed has been read by then.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      exitCode = code;
      for (const w of waiters) w.reject(new Error(`the client exited before printing "${w.event}"\n${output()}`));
      waiters = [];
      resolve(code);
    }),
  );
  return {
    child,
    lines,
    stderr: () => stderr,
    output,
    exited,
    next: (event: string) =>
      new Promise<Line>((resolve, reject) => {
        const seen = lines.find((l) => l.event === event);
        if (seen) resolve(seen);
        else if (exitCode !== undefined) reject(new Error(`the client exited before printing "${event}"\n${output()}`));
        else waiters.push({ event, resolve, reject });
      }),
  };
}

describe('the example expense-system client: usage', () => {
  it('--help names the server’s default address; missing options exit 2 with the usage', () => {
    const { http } = loadConfig({ LOG_LEVEL: 'silent', DEMO_SEED: 'false' });
    const help = spawnSync(process.execPath, [CLIENT, '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(`[--base http://${http.host}:${http.port}]`);
    const usage = spawnSync(process.execPath, [CLIENT, '--app-id', 'x'], { cwd: ROOT, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('missing --app-secret, --company-tax-no, --company-name');
  });
});

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: the example expense-system client`, () => {
    let t: TestApp;
    let base: string;
    let tenant: SeededTenant;
    let seller: SeededTenant;
    const children: ChildProcess[] = [];

    beforeAll(async () => {
      t = await buildTestApp(
        dialect,
        { COLLECT_OCR: 'off', VERIFY_RATE_PER_SECOND: '1000', VERIFY_DAILY_QUOTA: '1000' },
        undefined,
        { worker: true },
      );
      base = await listen(t);
      tenant = await seedTenant(t, 'example');
      seller = await seedTenant(t, 'seller');
      const system = await t.app.inject({
        method: 'POST',
        url: '/api/v1/business-systems',
        headers: tenant.auth,
        payload: { code: 'OA', name: '报销系统' },
      });
      expect(system.statusCode, system.body).toBe(201);
    });
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await t?.close();
    });

    for (const transport of ['socket', 'poll'] as const) {
      it(`${transport}: event code → select URL → the push of its bill`, async () => {
        const billId = `BX-${transport}`;
        const linkKey = `lk-${transport}`;
        const run = runClient(
          clientArgs(base, tenant, { billId, linkKey }, ['--once', ...(transport === 'poll' ? ['--poll'] : [])]),
        );
        children.push(run.child);
        const event = await run.next('event');
        expect(String(event.selectUrl)).toMatch(/\/assistant\/select\?eventCode=/);
        await run.next('connected');
        const row = await t.runtime.deps.db.kysely
          .selectFrom('assistant_events')
          .selectAll()
          .where('tenant_id', '=', tenant.tenantId)
          .where('link_key', '=', linkKey)
          .executeTakeFirstOrThrow();
        expect(row).toMatchObject({ resource: 'OA', bill_id: billId, push_type: transport });
        const importId = await record(t, row, 7);
        expect(await run.exited, run.stderr()).toBe(0);
        const pushes = run.lines.filter((l) => l.event === 'push');
        expect(pushes).toEqual([
          expect.objectContaining({
            importId,
            resource: 'OA',
            billId,
            invoices: [expect.objectContaining({ id: 'rcv_7' })],
          }),
        ]);
      });
    }

    it('poll --save: the whole walkthrough — the employee imports on the select page, the client saves the bill', async () => {
      const company = { taxNo: tenant.sellerTaxId, name: 'example 销方有限公司' };
      const issued = await issueBlue(t, seller, { buyer: { name: company.name, taxId: company.taxNo } });
      const xml = await fetchFile(t, seller, `/api/v1/invoices/${issued.serialNo}/files/xml`);
      expect(xml.statusCode).toBe(200);
      const run = runClient(
        clientArgs(base, tenant, { billId: 'BX-save', companyTaxNo: company.taxNo, companyName: company.name }, [
          ...['--bill-no', 'BX-2025-0001', '--poll', '--save', '--once'],
        ]),
      );
      children.push(run.child);
      const event = await run.next('event');
      const code = new URL(String(event.selectUrl)).searchParams.get('eventCode')!;
      await run.next('connected');
      // The employee's browser: upload on the select page, wait for verification and compliance, 导入单据.
      const body = multipart([{ name: 'file', filename: 'invoice.xml', data: xml.rawPayload }]);
      const uploaded = await t.app.inject({
        method: 'POST',
        url: '/api/v1/assistant/page/files',
        payload: body.payload,
        headers: { ...body.headers, 'x-event-code': code },
      });
      expect(uploaded.statusCode, uploaded.body).toBe(201);
      const id = uploaded.json<{ items: Array<{ id: string }> }>().items[0]!.id;
      let level = 'pending';
      for (let i = 0; i < 300 && level === 'pending'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const res = await t.app.inject({
          method: 'GET',
          url: `/api/v1/assistant/page/items?ids=${id}`,
          headers: { 'x-event-code': code },
        });
        level = res.json<{ items: Array<{ check: { level: string } }> }>().items[0]!.check.level;
      }
      expect(level).toBe('pass');
      const imported = await t.app.inject({
        method: 'POST',
        url: '/api/v1/assistant/page/import',
        payload: { invoices: [{ invoiceId: id, amount: '100.00' }] },
        headers: { 'x-event-code': code },
      });
      expect(imported.statusCode, imported.body).toBe(201);

      expect(await run.exited, run.stderr()).toBe(0);
      expect(run.lines.filter((l) => l.event === 'push')).toEqual([
        expect.objectContaining({
          billId: 'BX-save',
          invoices: [{ id, number: issued.number, claimAmount: '100.00' }],
        }),
      ]);
      expect(run.lines.filter((l) => l.event === 'bill-saved')).toEqual([
        { event: 'bill-saved', billId: 'BX-save', invoiceCount: 1 },
      ]);
      const bill = await t.app.inject({ method: 'GET', url: '/api/v1/bills/OA/BX-save', headers: tenant.auth });
      expect(bill.json()).toMatchObject({
        billNo: 'BX-2025-0001',
        status: 'in_use',
        claimed: '100.00',
        invoices: [{ invoiceId: id, amount: '100.00' }],
      });
    });

    it('socket: the token expires while the socket is open → 4401 → a new token, reconnects, gets the push', async () => {
      const billId = 'BX-revoked';
      const linkKey = 'lk-revoked';
      const run = runClient(clientArgs(base, tenant, { billId, linkKey }, ['--once']));
      children.push(run.child);
      await run.next('connected');
      // Past every token's lifetime on the server's clock (last test: nothing after it needs the old tokens); the event
      // code lived 10 minutes, so the employee opened a new one for the same link key.
      t.clock.advance(t.config.auth.accessTokenTtlSeconds * 1000 + 1000);
      const row = await insertEvent(t, tenant.tenantId, linkKey);
      const importId = await record(t, row, 8);
      expect(await run.exited, run.stderr()).toBe(0);
      expect(run.lines.filter((l) => l.event === 'disconnected')).toEqual([
        expect.objectContaining({ code: 4401, retryInMs: 0 }),
      ]);
      expect(run.lines.filter((l) => l.event === 'connected')).toHaveLength(2);
      expect(run.lines.filter((l) => l.event === 'push')).toEqual([
        expect.objectContaining({ importId, billId: row.bill_id }),
      ]);
    });

    it('refused credentials: a wrong app secret exits 1 with one clear error line', async () => {
      const run = runClient(clientArgs(base, tenant, { appSecret: 'not-the-secret' }, ['--once']));
      expect(await run.exited, run.output()).toBe(1);
      expect(run.lines).toEqual([
        { event: 'error', message: expect.stringMatching(/^credentials refused: check --app-id and --app-secret/) },
      ]);
      await expect(run.next('connected')).rejects.toThrow(/exited before printing "connected"/);
    });

    /** A tenant of its own (the tests below move the server's clock past every earlier token) with the OA system. */
    async function freshTenant(name: string): Promise<SeededTenant> {
      const seeded = await seedTenant(t, name);
      const system = await t.app.inject({
        method: 'POST',
        url: '/api/v1/business-systems',
        headers: seeded.auth,
        payload: { code: 'OA', name: '报销系统' },
      });
      expect(system.statusCode, system.body).toBe(201);
      return seeded;
    }

    it('socket: the cached token is refused on the upgrade (401) → dropped, a new one, reconnects at once', async () => {
      const own = await freshTenant('upgrade-401');
      const linkKey = 'lk-upgrade-401';
      const run = runClient(clientArgs(base, own, { linkKey }, ['--once']));
      children.push(run.child);
      await run.next('connected');
      // The client's token expires on the server's clock, and the server goes away (deploy) before any check of the
      // open socket: the client reconnects at once with the token it cached, which the upgrade refuses.
      t.clock.advance(t.config.auth.accessTokenTtlSeconds * 1000 + 1000);
      for (const socket of t.app.websocketServer.clients) socket.close(1001, 'going away');
      await expect.poll(() => run.lines.filter((l) => l.event === 'connected').length, { timeout: 10_000 }).toBe(2);
      const row = await insertEvent(t, own.tenantId, linkKey);
      const importId = await record(t, row, 9);
      expect(await run.exited, run.output()).toBe(0);
      expect(run.lines.filter((l) => l.event === 'refused')).toEqual([{ event: 'refused', status: 401 }]);
      expect(run.lines.filter((l) => l.event === 'disconnected')).toEqual([
        expect.objectContaining({ code: 1001, retryInMs: 0 }),
        expect.objectContaining({ status: 401, retryInMs: 0 }),
      ]);
      expect(run.lines.filter((l) => l.event === 'push')).toEqual([expect.objectContaining({ importId })]);
    });

    it('poll: the token expires and the secret was rotated meanwhile → the token request is refused → exit 1, no loop', async () => {
      const own = await freshTenant('rotated');
      const linkKey = 'lk-rotated';
      const run = runClient(clientArgs(base, own, { linkKey }, ['--poll', '--once']));
      children.push(run.child);
      await run.next('connected');
      const rotated = await t.app.inject({
        method: 'POST',
        url: `/api/v1/apps/${own.appId}/rotate-secret`,
        headers: own.auth,
        payload: { overlapSeconds: 0 },
      });
      expect(rotated.statusCode, rotated.body).toBe(200);
      t.clock.advance(t.config.auth.accessTokenTtlSeconds * 1000 + 1000);
      // Wakes the waiting poll: its token is rechecked (401), the client asks for a new one with the old secret.
      await record(t, await insertEvent(t, own.tenantId, linkKey), 10);
      expect(await run.exited, run.output()).toBe(1);
      expect(run.lines.filter((l) => l.event === 'push')).toEqual([]);
      expect(run.lines.at(-1)).toEqual({
        event: 'error',
        message: expect.stringMatching(/^credentials refused: check --app-id and --app-secret/),
      });
    });
  });
}
