import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedInvoices } from '../../src/modules/invoicing/index.js';
import { createOrg } from '../../src/modules/orgs/index.js';
import { loginAs, seedUser } from '../auth/console-kit.js';
import { buildTestApp, errorOf, makeUscc, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { blueRequest, get, post } from '../invoicing/invoicing-kit.js';

/** Parses RFC 4180 CSV (every cell quoted by the exporter); strips the BOM. */
function parseCsv(text: string): string[][] {
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (c !== '\r') cell += c;
  }
  return rows;
}

/** The cells of the XLSX file's one sheet: per row, per cell its text (inline string or number) and type. */
function parseXlsx(bytes: Uint8Array): { types: string[]; rows: { type: string; value: string }[][] } {
  const files = unzipSync(bytes);
  for (const part of ['[Content_Types].xml', 'xl/workbook.xml', 'xl/styles.xml', 'xl/_rels/workbook.xml.rels'])
    expect(files[part], part).toBeDefined();
  const xml = new TextDecoder().decode(files['xl/worksheets/sheet1.xml']);
  const unxml = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
  const rows = [...xml.matchAll(/<row r="(\d+)">(.*?)<\/row>/g)].map((m) =>
    [...m[2]!.matchAll(/<c r="[A-Z]+\d+" s="\d+"(?: t="(\w+)")?(?:\/>|>(.*?)<\/c>)/g)].map((c) => {
      const type = c[1] ?? (c[2] === undefined ? 'empty' : 'n');
      const inner = c[2] ?? '';
      const value =
        type === 'inlineStr'
          ? unxml(/<t[^>]*>(.*?)<\/t>/.exec(inner)?.[1] ?? '')
          : (/<v>(.*?)<\/v>/.exec(inner)?.[1] ?? '');
      return { type, value };
    }),
  );
  return { types: [], rows };
}

const col = (header: string[], name: string) => {
  const i = header.indexOf(name);
  expect(i, name).toBeGreaterThanOrEqual(0);
  return i;
};
const untab = (s: string) => s.replace(/^\t/, '');

for (const dialect of TEST_DIALECTS) {
  // Tens of thousands of rows per test: generous timeouts for a loaded CI machine (never assertions on time).
  describe.skipIf(dialect.skip)(`${dialect.name}: invoice export (CSV / XLSX, streamed)`, { timeout: 240_000 }, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let issued: { serialNo: string; number: string }[] = [];
    let injected: string;
    // Enough rows (~10 MB of CSV) that socket buffers cannot hold the whole file while the client waits.
    const SEEDED = 40_000;
    const MAX_ROWS = SEEDED + 3;

    beforeAll(async () => {
      // The limit is tenant A's whole pool (the seeded rows and the three issued below): the streaming test exports
      // exactly that many, and one more row is over it.
      t = await buildTestApp(dialect, { EXPORT_MAX_ROWS: String(MAX_ROWS) }, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      // The seed command's bulk insert: a year of invoices, before the real ones (ids sort by time).
      await seedInvoices(
        { db: t.runtime.deps.db.kysely, clock: t.clock },
        { tenantId: a.tenantId, count: SEEDED, seed: 7 },
      );
      await seedInvoices(
        { db: t.runtime.deps.db.kysely, clock: t.clock },
        { tenantId: b.tenantId, count: 30, seed: 8 },
      );
      t.clock.advance(1000);
      for (const overrides of [{}, { kind: '81' }]) {
        const req = blueRequest(a, overrides);
        const res = await post(t, a, '/api/v1/invoices?wait=10', req);
        expect(res.statusCode, res.body).toBe(200);
        issued.push({ serialNo: req.serialNo, number: res.json<{ number: string }>().number });
      }
      // A buyer name a spreadsheet would evaluate as a formula.
      const evil = blueRequest(a, { buyer: { name: '=HYPERLINK("http://x","点我")', naturalPerson: true } });
      const res = await post(t, a, '/api/v1/invoices?wait=10', evil);
      expect(res.statusCode, res.body).toBe(200);
      injected = evil.serialNo;
      issued = issued.filter((i) => i.number);
    }, 300_000);
    afterAll(async () => t?.close());

    it('exports the selected rows as CSV: BOM, header, 20-digit numbers intact, formulas neutralised', async () => {
      const serialNos = [...issued.map((i) => i.serialNo), injected].join(',');
      const res = await get(t, a, `/api/v1/invoices/export.csv?serialNos=${encodeURIComponent(serialNos)}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toContain("filename*=UTF-8''");
      expect(res.headers['x-export-rows']).toBe('3');
      const [header, ...rows] = parseCsv(res.body);
      expect(header).toContain('发票号码');
      expect(rows).toHaveLength(3);
      const serialCol = col(header!, '流水号');
      const numberCol = col(header!, '发票号码');
      for (const inv of issued) {
        const row = rows.find((r) => r[serialCol] === inv.serialNo)!;
        expect(inv.number).toMatch(/^\d{20}$/);
        // A leading tab keeps Excel from turning it into 2.5E+19; the digits are all there.
        expect(row[numberCol]).toBe(`\t${inv.number}`);
        expect(untab(row[numberCol]!)).toBe(inv.number);
        expect(row[col(header!, '价税合计')]).toMatch(/^\d+\.\d{2}$/);
      }
      const evilRow = rows.find((r) => r[serialCol] === injected)!;
      expect(evilRow[col(header!, '购方名称')]).toBe(`'=HYPERLINK("http://x","点我")`);
    });

    it('exports a filter as XLSX: numbers and ids as text cells, amounts as numbers with 2 decimals', async () => {
      const res = await get(t, a, '/api/v1/invoices/export.xlsx?kind=81');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const { rows } = parseXlsx(res.rawPayload);
      const header = rows[0]!.map((c) => c.value);
      const data = rows.slice(1);
      expect(data.length).toBe(Number(res.headers['x-export-rows']));
      expect(data.length).toBeGreaterThan(1000);
      const kindCol = col(header, '票种');
      expect(new Set(data.map((r) => r[kindCol]!.value))).toEqual(new Set(['电子发票（增值税专用发票）']));
      const mine = data.find((r) => r[col(header, '流水号')]!.value === issued[1]!.serialNo)!;
      const number = mine[col(header, '发票号码')]!;
      expect(number).toEqual({ type: 'inlineStr', value: issued[1]!.number });
      expect(mine[col(header, '购方税号')]!.type).toBe('inlineStr');
      expect(mine[col(header, '销方税号')]).toEqual({ type: 'inlineStr', value: a.sellerTaxId });
      const total = mine[col(header, '价税合计')]!;
      expect(total.type).toBe('n');
      expect(total.value).toMatch(/^-?\d+\.\d{2}$/);
      // Newest first, every serial number once.
      const serials = data.map((r) => r[col(header, '流水号')]!.value);
      expect(new Set(serials).size).toBe(serials.length);
    });

    it('streams: rows are read after the response has started (a page at a time), not collected first', async () => {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const address = t.app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/invoices/export.csv`, { headers: a.auth });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      // The response has begun. Rename every buyer now: a streaming export reads the later pages after this.
      await t.runtime.deps.db.kysely
        .updateTable('invoices')
        .set({ buyer_name: '改名后的购方' })
        .where('tenant_id', '=', a.tenantId)
        .execute();
      const chunks: Uint8Array[] = [first.value!];
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        chunks.push(next.value);
      }
      const [header, ...rows] = parseCsv(Buffer.concat(chunks).toString('utf8'));
      expect(rows).toHaveLength(SEEDED + 3);
      const names = rows.map((r) => r[col(header!, '购方名称')]);
      // The first rows were sent before the rename; the last ones were read after it.
      expect(names[0]).not.toBe('改名后的购方');
      expect(names.at(-1)).toBe('改名后的购方');
    });

    it('refuses an export over EXPORT_MAX_ROWS before sending anything, and the list format=csv streams the same file', async () => {
      const more = await seedInvoices(
        { db: t.runtime.deps.db.kysely, clock: t.clock },
        { tenantId: a.tenantId, count: 1, seed: 9 },
      );
      expect(more.inserted).toBe(1);
      const res = await get(t, a, '/api/v1/invoices/export.xlsx');
      expect(res.statusCode).toBe(422);
      expect(errorOf(res)).toMatchObject({ code: 'EXPORT_TOO_LARGE', details: { maxRows: MAX_ROWS } });
      expect(errorOf(res).message).toMatch(/超过上限/);
      const list = await get(t, a, `/api/v1/invoices?format=csv&serialNo=${issued[0]!.serialNo}`);
      const direct = await get(t, a, `/api/v1/invoices/export.csv?serialNo=${issued[0]!.serialNo}`);
      expect(list.statusCode).toBe(200);
      expect(list.body).toBe(direct.body);
    });

    it('tenants are walls, a clerk sees only their orgs, and each export is in the audit log', async () => {
      const res = await get(t, b, `/api/v1/invoices/export.csv?serialNos=${issued[0]!.serialNo}`);
      expect(res.statusCode).toBe(200);
      expect(parseCsv(res.body)).toHaveLength(1);

      const otherOrg = makeUscc('91310115MA1K4Q9X0');
      await createOrg({ db: t.runtime.deps.db.kysely, clock: t.clock }, a.tenantId, {
        taxId: otherOrg,
        name: '另一家销方',
      });
      const clerk = await loginAs(t, await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [otherOrg] }));
      const scoped = await t.app.inject({ method: 'GET', url: '/api/v1/invoices/export.csv', headers: clerk.read });
      expect(scoped.statusCode).toBe(200);
      expect(parseCsv(scoped.body)).toHaveLength(1);
      const denied = await t.app.inject({
        method: 'GET',
        url: `/api/v1/invoices/export.csv?sellerTaxId=${a.sellerTaxId}`,
        headers: clerk.read,
      });
      expect(denied.statusCode).toBe(403);

      const admin = await loginAs(t, await seedUser(t, a.tenantId, 'admin'));
      // Two filters, one row: the audit entry records the filters as given (the XLSX of thousands of rows is the
      // test above).
      const xlsx = await t.app.inject({
        method: 'GET',
        url: `/api/v1/invoices/export.xlsx?kind=81&serialNo=${issued[1]!.serialNo}`,
        headers: admin.read,
      });
      expect(xlsx.statusCode).toBe(200);
      expect(xlsx.headers['x-export-rows']).toBe('1');
      const log = await t.app.inject({
        method: 'GET',
        url: '/api/v1/audit-log?action=invoices.export',
        headers: admin.read,
      });
      const entries = log.json<{
        items: {
          actor: { kind: string; name: string };
          target: { id: string };
          diff: Record<string, { to: unknown }>;
        }[];
      }>().items;
      const byAdmin = entries.find((e) => e.actor.kind === 'user');
      expect(byAdmin?.target.id).toBe('xlsx');
      expect(byAdmin?.diff.filters?.to).toEqual({ kind: '81', serialNo: issued[1]!.serialNo });
      expect(byAdmin?.diff.rows?.to).toBe(Number(xlsx.headers['x-export-rows']));
      // The API app's exports are recorded too.
      expect(entries.some((e) => e.actor.kind === 'app')).toBe(true);
    });
  });
}
