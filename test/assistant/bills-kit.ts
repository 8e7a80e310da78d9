/** Helpers of the bills and vouchers suites: a tenant with a business system, pool items, bill and voucher calls. */
import type { LightMyRequestResponse } from 'fastify';
import { Type } from 'typebox';
import { expect } from 'vitest';
import type { DomainEvent } from '../../src/platform/events.js';
import { createWorker, defineTask, type Worker } from '../../src/platform/jobs/index.js';
import { buildTestApp, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import type { TestDialect } from '../helpers/test-db.js';

export interface Usage {
  status: string;
  claimed: string;
  remaining: string | null;
  bills: Array<{ resource: string; billId: string; billNo: string | null; amount: string; status: string }>;
  voucher: { resource: string; vouchId: string; vouchNo: string | null } | null;
}

export interface PoolItem {
  id: string;
  usageStatus: string;
  usage: Usage;
  verification: { status: string };
  compliance: { result: string; findings: Array<{ rule: string; level: string; outcome: string; reason: string }> };
}

export interface BillsKit {
  t: TestApp;
  worker: Worker;
  events: DomainEvent[];
  drain(): Promise<void>;
  tenant(name: string, resource?: string): Promise<SeededTenant>;
  enter(who: SeededTenant, total: string, number?: string, issueDate?: string): Promise<PoolItem>;
  item(who: SeededTenant, id: string): Promise<PoolItem>;
  /** The ids the pool lists for `query` (e.g. `usage=claimed`), in the list's order. */
  poolIds(who: SeededTenant, query: string): Promise<string[]>;
  /** DELETE of a pool item (refused while a bill or voucher holds it). */
  deleteItem(who: SeededTenant, id: string): Promise<LightMyRequestResponse>;
  putBill(
    who: SeededTenant,
    billId: string,
    body: Record<string, unknown>,
    resource?: string,
  ): Promise<LightMyRequestResponse>;
  getBill(who: SeededTenant, billId: string, resource?: string): Promise<LightMyRequestResponse>;
  deleteBill(who: SeededTenant, billId: string, resource?: string): Promise<LightMyRequestResponse>;
  putVoucher(
    who: SeededTenant,
    vouchId: string,
    body: Record<string, unknown>,
    resource?: string,
  ): Promise<LightMyRequestResponse>;
  eventsOf(type: string): DomainEvent[];
}

let numberSeq = 0;
/** A fresh 20-digit 数电 number the sandbox platform does not know. */
export const freshNumber = () =>
  `2531200000${String(Date.now() % 1e6).padStart(6, '0')}${String(++numberSeq).padStart(4, '0')}`;

export async function createBillsKit(dialect: TestDialect, env: Record<string, string> = {}): Promise<BillsKit> {
  const events: DomainEvent[] = [];
  const t = await buildTestApp(
    dialect,
    { VERIFY_RATE_PER_SECOND: '1000', VERIFY_DAILY_QUOTA: '1000', ...env },
    (_app, rt) => {
      const record = defineTask({
        id: 'test/record-bill-event',
        payload: Type.Object({ event: Type.Any() }),
        maxAttempts: 1,
        handler: async (_deps: unknown, payload: { event: DomainEvent }) => {
          events.push(payload.event);
        },
      });
      rt.deps.jobs.registry.register(null, [record]);
      rt.deps.events.subscribe(
        ['bill.saved', 'bill.deleted', 'bill.invoice_changed', 'voucher.saved', 'voucher.deleted'],
        'test/record-bill-event' as never,
      );
    },
  );
  const worker = createWorker({
    db: t.runtime.deps.db,
    registry: t.runtime.deps.jobs.registry,
    config: { ...t.config.jobs, concurrency: 4 },
    logger: t.runtime.deps.logger,
    clock: t.clock,
    backoff: () => 0,
  });
  const drain = async () => {
    while ((await worker.runOnce()) > 0);
  };
  const billUrl = (resource: string, billId: string) => `/api/v1/bills/${resource}/${billId}`;
  return {
    t,
    worker,
    events,
    drain,
    async tenant(name, resource = 'OA') {
      const who = await seedTenant(t, name);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/business-systems',
        headers: who.auth,
        payload: { code: resource, name: `${name} 费控系统`, events: ['bill.saved', 'voucher.saved'] },
      });
      expect(res.statusCode, res.body).toBe(201);
      return who;
    },
    async enter(who, total, number = freshNumber(), issueDate = '2025-05-20') {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/received-invoices',
        headers: who.auth,
        payload: { number, issueDate, total },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().items[0];
    },
    async item(who, id) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/received-invoices/${id}`, headers: who.auth });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    },
    async poolIds(who, query) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/received-invoices?${query}`, headers: who.auth });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items.map((i: { id: string }) => i.id);
    },
    deleteItem: (who, id) =>
      t.app.inject({ method: 'DELETE', url: `/api/v1/received-invoices/${id}`, headers: who.auth }),
    putBill: (who, billId, body, resource = 'OA') =>
      t.app.inject({ method: 'PUT', url: billUrl(resource, billId), headers: who.auth, payload: body }),
    getBill: (who, billId, resource = 'OA') =>
      t.app.inject({ method: 'GET', url: billUrl(resource, billId), headers: who.auth }),
    deleteBill: (who, billId, resource = 'OA') =>
      t.app.inject({ method: 'DELETE', url: billUrl(resource, billId), headers: who.auth }),
    putVoucher: (who, vouchId, body, resource = 'OA') =>
      t.app.inject({ method: 'PUT', url: `/api/v1/vouchers/${resource}/${vouchId}`, headers: who.auth, payload: body }),
    eventsOf: (type) => events.filter((e) => e.type === type),
  };
}

/**
 * What the bills and vouchers suites start from: the kit and tenants A and B, each with the business system OA.
 * Call in `beforeAll` and close `k.t` in `afterAll`; a failed seed closes the app itself.
 */
export async function seedBillsSuite(
  dialect: TestDialect,
  env: Record<string, string> = {},
): Promise<{ k: BillsKit; a: SeededTenant; b: SeededTenant }> {
  const k = await createBillsKit(dialect, env);
  try {
    return { k, a: await k.tenant('A'), b: await k.tenant('B') };
  } catch (err) {
    await k.t.close();
    throw err;
  }
}
