import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INVOICE_STATUSES,
  INVOICE_TRANSITIONS,
  type InvoiceStateEvent,
  type InvoiceStatus,
  nextInvoiceStatus,
  transitionSources,
  transitionTarget,
} from '../../src/modules/invoicing/invoice-state-machine.js';
import { transitionInvoice } from '../../src/modules/invoicing/invoicing.repo.js';
import type { Db } from '../../src/platform/db/create-db.js';
import { createTestDb, TEST_DIALECTS } from '../helpers/test-db.js';

const root = path.resolve(import.meta.dirname, '../..');
const EVENTS = [...new Set(INVOICE_TRANSITIONS.map((t) => t.event))] as InvoiceStateEvent[];

describe('invoice state machine: the table', () => {
  it('gives each event its from-states and one to-state', () => {
    const byEvent = Object.fromEntries(EVENTS.map((e) => [e, [transitionSources(e), transitionTarget(e)]]));
    expect(byEvent).toEqual({
      issue_deferred: [['pending', 'issuing'], 'issuing'],
      issued: [['pending', 'issuing'], 'issued'],
      issue_failed: [['pending', 'issuing'], 'failed'],
      red_form_failed: [['pending'], 'failed'],
      patched: [['failed'], 'failed'],
      retried: [['failed'], 'pending'],
      cancelled: [['pending', 'failed'], 'cancelled'],
      red_requested: [['issued', 'partially_reversed'], 'red_pending'],
      red_issued_full: [['red_pending'], 'reversed'],
      red_issued_partial: [['red_pending'], 'partially_reversed'],
      red_released_to_issued: [['red_pending'], 'issued'],
      red_released_to_partial: [['red_pending'], 'partially_reversed'],
    });
    for (const event of EVENTS) {
      expect(new Set(INVOICE_TRANSITIONS.filter((t) => t.event === event).map((t) => t.to)).size).toBe(1);
    }
  });

  it('has no duplicate rows and uses only declared states', () => {
    const keys = INVOICE_TRANSITIONS.map((t) => `${t.from}/${t.event}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const t of INVOICE_TRANSITIONS) {
      expect(INVOICE_STATUSES).toContain(t.from);
      expect(INVOICE_STATUSES).toContain(t.to);
    }
  });

  it('refuses every transition that is not in the table', () => {
    // The table is pinned literally above; nextInvoiceStatus must follow it for every (state, event) pair.
    for (const status of INVOICE_STATUSES) {
      for (const event of EVENTS) {
        const expected = transitionSources(event).includes(status) ? transitionTarget(event) : null;
        expect(nextInvoiceStatus(status, event), `${status} + ${event}`).toBe(expected);
      }
    }
    // Final states leave by no event; an issued invoice cannot be cancelled nor retried.
    for (const event of EVENTS) {
      expect(nextInvoiceStatus('cancelled', event)).toBeNull();
      expect(nextInvoiceStatus('reversed', event)).toBeNull();
    }
    expect(nextInvoiceStatus('issued', 'cancelled')).toBeNull();
    expect(nextInvoiceStatus('issued', 'retried')).toBeNull();
    expect(nextInvoiceStatus('issuing', 'cancelled')).toBeNull();
  });

  it('reaches every state from pending', () => {
    const seen = new Set<InvoiceStatus>(['pending']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const t of INVOICE_TRANSITIONS) {
        if (seen.has(t.from) && !seen.has(t.to)) {
          seen.add(t.to);
          grew = true;
        }
      }
    }
    expect([...seen].sort()).toEqual([...INVOICE_STATUSES].sort());
  });

  it('uses every event somewhere in the invoicing code', () => {
    const dir = path.join(root, 'src/modules/invoicing');
    const code = sourceFiles(dir)
      .filter((f) => !f.endsWith('invoice-state-machine.ts'))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    // An event named like a state ('issued', 'cancelled') must appear in a transitionInvoice call: as a bare literal
    // it would also match the many status comparisons.
    for (const event of EVENTS) {
      const named = (INVOICE_STATUSES as readonly string[]).includes(event)
        ? new RegExp(`transitionInvoice\\([^;]*'${event}'`)
        : new RegExp(`'${event}'`);
      expect(code, event).toMatch(named);
    }
  });
});

describe('invoice state machine: docs/invoicing.md', () => {
  it('shows the same transition table as the code, in the same order', () => {
    expect(parseDocTable(fs.readFileSync(path.join(root, 'docs/invoicing.md'), 'utf8'))).toEqual(
      INVOICE_TRANSITIONS.map((t) => ({ from: t.from, event: t.event, to: t.to })),
    );
  });
});

describe('invoice state machine: the only writer of invoices.status', () => {
  it('no other update of the invoices table sets the status, and no raw SQL updates it', () => {
    expect(statusWriters(sourceFiles(path.join(root, 'src')))).toEqual([
      'src/modules/invoicing/invoicing.repo.ts: transitionInvoice',
    ]);
  });

  it('finds a status write outside the state machine (the check itself)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'status-writers-'));
    try {
      const file = path.join(dir, 'bad.ts');
      fs.writeFileSync(
        file,
        [
          'export async function sneaky(db) {',
          "  await db.updateTable('invoices').set({ red_form_status: form.status, updated_at: 1 }).execute();",
          "  await db.updateTable('invoices').set({ status: 'issued' }).where('status', '=', 'issuing').execute();",
          '}',
          'export async function raw(db) {',
          '  await sql`update invoices set status = ? where id = ?`.execute(db);',
          '}',
        ].join('\n'),
      );
      const rel = path.relative(root, file).split(path.sep).join('/');
      expect(statusWriters([file])).toEqual([`${rel}: raw SQL`, `${rel}: sneaky`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: transitionInvoice`, () => {
    let created: Awaited<ReturnType<typeof createTestDb>>;
    let db: Db;
    beforeAll(async () => {
      created = await createTestDb(dialect);
      db = created.db;
      await db.kysely.insertInto('tenants').values({ id: 'tnt_1', name: 't', is_demo: 0, created_at: 0 }).execute();
    });
    afterAll(async () => created?.cleanup());

    it('changes the status only from the event’s from-states, and sets the patch with it', async () => {
      await insertInvoice(db, 'inv_1', 'issued');
      expect(await transitionInvoice(db.kysely, 'inv_1', 'cancelled', { updated_at: 5 })).toBe(false);
      expect(await transitionInvoice(db.kysely, 'inv_1', 'retried', { updated_at: 5 })).toBe(false);
      expect(await read(db, 'inv_1')).toEqual({ status: 'issued', status_before_red: null, updated_at: 1 });
      expect(
        await transitionInvoice(db.kysely, 'inv_1', 'red_requested', { status_before_red: 'issued', updated_at: 7 }),
      ).toBe(true);
      expect(await read(db, 'inv_1')).toEqual({ status: 'red_pending', status_before_red: 'issued', updated_at: 7 });
      // The second of two racing red requests loses.
      expect(await transitionInvoice(db.kysely, 'inv_1', 'red_requested', { updated_at: 9 })).toBe(false);
      expect(await transitionInvoice(db.kysely, 'inv_1', 'red_issued_partial', { status_before_red: null })).toBe(true);
      expect((await read(db, 'inv_1')).status).toBe('partially_reversed');
    });
  });
}

async function insertInvoice(db: Db, id: string, status: InvoiceStatus): Promise<void> {
  await db.kysely
    .insertInto('invoices')
    .values({
      id,
      tenant_id: 'tnt_1',
      serial_no: id,
      request_hash: 'h',
      request_json: '{}',
      business_system_code: null,
      origin: 'direct',
      kind: '82',
      seller_tax_id: 's',
      seller_json: '{}',
      buyer_name: 'b',
      buyer_tax_id: null,
      buyer_json: '{}',
      computed_json: '{}',
      amount_fen: 100,
      tax_fen: 6,
      total_fen: 106,
      remark: null,
      drawer: null,
      status,
      revision: 0,
      channel_revision: 0,
      number: null,
      code: null,
      check_code: null,
      issued_at: null,
      failure_code: null,
      failure_reason: null,
      is_red: 0,
      blue_invoice_id: null,
      red_reason: null,
      red_form_id: null,
      red_form_no: null,
      red_form_status: null,
      status_before_red: null,
      reversed_amount_fen: 0,
      reversed_tax_fen: 0,
      created_at: 1,
      updated_at: 1,
    } as never)
    .execute();
}

async function read(db: Db, id: string) {
  const row = await db.kysely
    .selectFrom('invoices')
    .select(['status', 'status_before_red', 'updated_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return { ...row, updated_at: Number(row.updated_at) };
}

/** The `| from | event | to |` table of docs/invoicing.md, values without their backticks. */
function parseDocTable(doc: string): { from: string; event: string; to: string }[] {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => /^\|\s*from\s*\|\s*event\s*\|\s*to\s*\|$/.test(l.trim()));
  if (start < 0) return [];
  const rows: { from: string; event: string; to: string }[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [from = '', event = '', to = ''] = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim().replace(/^`|`$/g, ''));
    rows.push({ from, event, to });
  }
  return rows;
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
}

/**
 * Every place in `files` that writes `invoices.status`: a Kysely `updateTable('invoices')` chain (up to its
 * `.execute…`) whose text sets `status`, named `file: enclosing function`; a raw `update invoices` anywhere.
 */
function statusWriters(files: string[]): string[] {
  const writers: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(root, file).split(path.sep).join('/');
    for (const m of text.matchAll(/updateTable\(\s*['"]invoices['"]\s*\)/g)) {
      const end = text.indexOf('.execute', m.index);
      const chain = text.slice(m.index, end < 0 ? undefined : end);
      if (!/(?<![.\w])status\s*[:,}]|['"]status['"]\s*:/.test(chain.replace(/\.where\([^)]*\)/g, ''))) continue;
      const before = text.slice(0, m.index);
      const fn = [...before.matchAll(/function\s+(\w+)/g)].at(-1)?.[1] ?? '?';
      writers.push(`${rel}: ${fn}`);
    }
    if (/update\s+["']?invoices["']?\s+set/i.test(text)) writers.push(`${rel}: raw SQL`);
  }
  return writers.sort();
}
