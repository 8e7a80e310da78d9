/**
 * The runnable example client (examples/expense-system/client.mjs) against a test server on loopback, on both
 * dialects: it gets a token, asks for an event code, prints the select URL, and receives exactly the one import pushed
 * for its bill (WebSocket and poll); the whole walkthrough with `--poll --save` (an invoice uploaded and imported
 * through the select page's API, the bill saved by the client); its usage and default address; a token that expires
 * while its socket is open (close 4401) is replaced and the client reconnects.
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

/** Runs the client; `lines` fills as it prints, `next(event)` resolves at the first line of that event. */
function runClient(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [CLIENT, ...args], { cwd: ROOT });
  const lines: Line[] = [];
  let buffer = '';
  let stderr = '';
  let waiters: { event: string; resolve: (l: Line) => void }[] = [];
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
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    next: (event: string) =>
      new Promise<Line>((resolve) => {
        const seen = lines.find((l) => l.event === event);
        if (seen) resolve(seen);
        else waiters.push({ event, resolve });
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
        const run = runClient([
          '--base',
          base,
          '--app-id',
          tenant.appId,
          '--app-secret',
          tenant.appSecret,
          '--resource',
          'OA',
          '--bill-id',
          billId,
          '--user-id',
          'zhang.san',
          '--link-key',
          linkKey,
          '--company-tax-no',
          tenant.sellerTaxId,
          '--company-name',
          '示例有限公司',
          '--once',
          ...(transport === 'poll' ? ['--poll'] : []),
        ]);
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
      const run = runClient([
        '--base',
        base,
        '--app-id',
        tenant.appId,
        '--app-secret',
        tenant.appSecret,
        '--bill-id',
        'BX-save',
        '--bill-no',
        'BX-2025-0001',
        '--user-id',
        'zhang.san',
        '--company-tax-no',
        company.taxNo,
        '--company-name',
        company.name,
        '--poll',
        '--save',
        '--once',
      ]);
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
      const run = runClient([
        '--base',
        base,
        '--app-id',
        tenant.appId,
        '--app-secret',
        tenant.appSecret,
        '--resource',
        'OA',
        '--bill-id',
        billId,
        '--user-id',
        'zhang.san',
        '--link-key',
        linkKey,
        '--company-tax-no',
        tenant.sellerTaxId,
        '--company-name',
        '示例有限公司',
        '--once',
      ]);
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
  });
}
