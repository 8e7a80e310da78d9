/** GET/PUT /api/v1/received-rules and the compliance of received items (recomputed on a rules change), both dialects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultComplianceRules } from '../../src/tax/index.js';
import { loginAs, seedUser } from '../auth/console-kit.js';
import { fetchFile, issueBlue, tempDataDir } from '../documents/documents-kit.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { get, upload } from './received-kit.js';

interface Finding {
  rule: string;
  level: string;
  outcome: string;
  reason: string;
}
interface Item {
  id: string;
  kind: string;
  issueDate: string;
  totals: { total: string };
  duplicateOf: string | null;
  compliance: { result: string; findings: Finding[] };
}

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: received-invoice compliance rules`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    let aOrgId: string;
    let bOrgId: string;

    const put = (who: SeededTenant, payload: unknown) =>
      t.app.inject({ method: 'PUT', url: '/api/v1/received-rules', headers: who.auth, payload: payload as object });

    /** An invoice B issues to `buyer`, received by A as its XML file. */
    async function receiveFromB(buyer: { name: string; taxId: string }, lines?: unknown): Promise<Item> {
      const blue = await issueBlue(t, b, { buyer, ...(lines ? { lines } : {}) });
      const xml = (await fetchFile(t, b, `/api/v1/invoices/${blue.serialNo}/files/xml`)).rawPayload;
      const res = await upload(t, a, [{ name: `${blue.number}.xml`, data: xml }]);
      expect(res.statusCode).toBe(201);
      return res.json().items[0] as Item;
    }

    async function settled(id: string, until: (item: Item) => boolean): Promise<Item> {
      let last: Item | null = null;
      await expect
        .poll(async () => {
          last = (await get(t, a, `/api/v1/received-invoices/${id}`)).json() as Item;
          return until(last);
        })
        .toBe(true);
      return last as unknown as Item;
    }

    beforeAll(async () => {
      t = await buildTestApp(dialect, { DATA_DIR: tempDataDir() }, undefined, { worker: true });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
      aOrgId = (await get(t, a, '/api/v1/received-rules')).json().buyerOrgs[0].id;
      bOrgId = (await get(t, b, '/api/v1/received-rules')).json().buyerOrgs[0].id;
    });
    afterAll(async () => t?.close());

    it('answers the built-in defaults until rules are saved, with the tenant orgs', async () => {
      const res = await get(t, a, '/api/v1/received-rules');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        buyerOrgId: null,
        source: 'default',
        rules: defaultComplianceRules(),
        updatedAt: null,
        updatedBy: null,
        buyerOrgs: [{ id: aOrgId, taxId: a.sellerTaxId, name: 'A 销方有限公司', ownRules: false }],
      });
      const org = await get(t, a, `/api/v1/received-rules?buyerOrgId=${aOrgId}`);
      expect(org.json()).toMatchObject({ buyerOrgId: aOrgId, source: 'default' });
    });

    it('validates PUT: schema (400), meaning (422), unknown or foreign org (404)', async () => {
      const rules = defaultComplianceRules();
      const { kind: _kind, ...missingOne } = rules;
      expect((await put(a, { rules: missingOne })).statusCode).toBe(400);
      expect((await put(a, { rules: { ...rules, maxAge: { ...rules.maxAge, level: 'stop' } } })).statusCode).toBe(400);
      expect((await put(a, { rules: { ...rules, maxAge: { ...rules.maxAge, params: { days: 0 } } } })).statusCode).toBe(
        400,
      );
      const blocklist = { ...rules.sellerBlocklist, params: { taxIds: ['not a tax id!'] } };
      expect((await put(a, { rules: { ...rules, sellerBlocklist: blocklist } })).statusCode).toBe(400);
      const zero = await put(a, { rules: { ...rules, maxAmount: { ...rules.maxAmount, params: { amount: '0.00' } } } });
      expect(zero.statusCode).toBe(422);
      expect(errorOf(zero).code).toBe('RECEIVED_RULES_INVALID');
      const dropDefault = await put(a, { rules: null });
      expect(dropDefault.statusCode).toBe(422);
      const foreign = await put(a, { buyerOrgId: bOrgId, rules });
      expect(foreign.statusCode).toBe(404);
      expect(errorOf(foreign).code).toBe('RECEIVED_BUYER_ORG_NOT_FOUND');
      expect((await get(t, a, `/api/v1/received-rules?buyerOrgId=${bOrgId}`)).statusCode).toBe(404);
      expect((await get(t, a, '/api/v1/received-rules?buyerOrgId=org_nope')).statusCode).toBe(404);
    });

    it('reads with received.read (审计), changes with received.manage (财务); 开票员 sees nothing', async () => {
      const rules = defaultComplianceRules();
      const auditor = await loginAs(t, await seedUser(t, a.tenantId, 'auditor'));
      expect((await get(t, { auth: auditor.read }, '/api/v1/received-rules')).statusCode).toBe(200);
      const refused = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/received-rules',
        headers: auditor.write,
        payload: { buyerOrgId: aOrgId, rules },
      });
      expect(refused.statusCode).toBe(403);
      const clerk = await loginAs(t, await seedUser(t, a.tenantId, 'clerk'));
      expect((await get(t, { auth: clerk.read }, '/api/v1/received-rules')).statusCode).toBe(403);
      const finance = await loginAs(t, await seedUser(t, a.tenantId, 'finance'));
      const saved = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/received-rules',
        headers: finance.write,
        payload: { buyerOrgId: aOrgId, rules },
      });
      expect(saved.statusCode).toBe(200);
      expect(saved.json()).toMatchObject({ source: 'org', updatedBy: finance.info.user.username });
      // Back to the tenant default for the tests below.
      const reset = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/received-rules',
        headers: finance.write,
        payload: { buyerOrgId: aOrgId, rules: null },
      });
      expect(reset.json()).toMatchObject({ source: 'default' });
    });

    it('evaluates items on intake: the tenant as buyer passes, another buyer is blocked with the reason', async () => {
      const ours = await receiveFromB({ name: 'A 销方有限公司', taxId: a.sellerTaxId });
      const theirs = await receiveFromB({ name: '北京别家科技有限公司', taxId: '91110000600037341L' });
      // Verified 正常 on the sandbox (B issued it there), then evaluated again with that result.
      const pass = await settled(ours.id, (i) =>
        i.compliance.findings.some((f) => f.rule === 'verification' && f.outcome === 'pass'),
      );
      expect(pass.compliance.result).toBe('pass');
      expect(pass.compliance.findings.map((f) => f.rule)).toEqual(Object.keys(defaultComplianceRules()));
      expect(pass.compliance.findings.find((f) => f.rule === 'verification')).toMatchObject({ outcome: 'pass' });
      const block = await settled(theirs.id, (i) => i.compliance.result !== 'pending');
      expect(block.compliance.result).toBe('block');
      expect(block.compliance.findings.find((f) => f.rule === 'buyerName')).toMatchObject({
        outcome: 'fail',
        level: 'block',
        reason: '购买方“北京别家科技有限公司”不是本企业',
      });
    });

    it('blocks the second copy of an invoice as a duplicate, and clears it when the first is deleted', async () => {
      const blue = await issueBlue(t, b, { buyer: { name: 'A 销方有限公司', taxId: a.sellerTaxId } });
      const copies: Item[] = [];
      for (const format of ['xml', 'pdf']) {
        const bytes = (await fetchFile(t, b, `/api/v1/invoices/${blue.serialNo}/files/${format}`)).rawPayload;
        copies.push((await upload(t, a, [{ name: `${blue.number}.${format}`, data: bytes }])).json().items[0]);
      }
      const [first, second] = copies as [Item, Item];
      expect((await settled(first.id, (i) => i.compliance.result !== 'pending')).compliance.result).toBe('pass');
      const dup = await settled(second.id, (i) => i.compliance.result !== 'pending');
      expect(dup.compliance.result).toBe('block');
      expect(dup.compliance.findings.find((f) => f.rule === 'duplicate')).toMatchObject({
        outcome: 'fail',
        reason: `与 ${first.id} 重复：同一张发票（发票代码和号码相同）`,
      });
      const del = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/received-invoices/${first.id}`,
        headers: a.auth,
      });
      expect(del.statusCode).toBe(204);
      // Not recomputed inside the request: a job, enqueued in the delete's transaction, does it.
      const job = await t.runtime.deps.db.kysely
        .selectFrom('jobs')
        .select(['task', 'tenant_id'])
        .where('job_key', '=', `collection/compliance-after-removal:${first.id}`)
        .executeTakeFirst();
      expect(job).toEqual({ task: 'collection/compliance-after-removal', tenant_id: a.tenantId });
      const after = await settled(second.id, (i) => i.compliance.result !== 'block');
      expect(after.compliance.result).toBe('pass');
    });

    it('blocks a typed-in entry of an invoice already received as a file, whatever 数电 kind it names', async () => {
      const blue = await issueBlue(t, b, { buyer: { name: 'A 销方有限公司', taxId: a.sellerTaxId } });
      const xml = (await fetchFile(t, b, `/api/v1/invoices/${blue.serialNo}/files/xml`)).rawPayload;
      const file = (await upload(t, a, [{ name: `${blue.number}.xml`, data: xml }])).json().items[0] as Item;
      expect(file.kind).toBe('82');
      const typed = await t.app.inject({
        method: 'POST',
        url: '/api/v1/received-invoices',
        headers: a.auth,
        payload: { number: blue.number, issueDate: file.issueDate, total: file.totals.total, kind: '81' },
      });
      expect(typed.statusCode, typed.body).toBe(201);
      const entry = typed.json().items[0] as Item;
      const dup = await settled(entry.id, (i) => i.compliance.result !== 'pending' && i.duplicateOf !== null);
      expect(dup.duplicateOf).toBe(file.id);
      expect(dup.compliance.findings.find((f) => f.rule === 'duplicate')).toMatchObject({ outcome: 'fail' });
      expect(dup.compliance.result).toBe('block');
    });

    it('recomputes existing items when a blocking rule is turned on, and back; audited; B untouched', async () => {
      const item = await receiveFromB({ name: 'A 销方有限公司', taxId: a.sellerTaxId }, [
        { name: '铝锭', taxCode: '1080310990000000000', amount: '5000.00', taxRate: '0.13' },
      ]);
      await settled(item.id, (i) => i.compliance.result === 'pass');
      const rules = defaultComplianceRules();
      rules.maxAmount = { enabled: true, level: 'block', params: { amount: '1000.00' } };
      const saved = await put(a, { rules });
      expect(saved.statusCode).toBe(200);
      expect(saved.json()).toMatchObject({ buyerOrgId: null, source: 'tenant', rules, updatedBy: a.appId });
      const blocked = await settled(item.id, (i) => i.compliance.result === 'block');
      expect(blocked.compliance.findings.find((f) => f.rule === 'maxAmount')).toMatchObject({
        outcome: 'fail',
        reason: '价税合计 5650.00 超过上限 1000.00',
      });

      // The org's own rules win over the tenant default (here: the limit off again).
      const own = defaultComplianceRules();
      const orgSaved = await put(a, { buyerOrgId: aOrgId, rules: own });
      expect(orgSaved.json()).toMatchObject({ buyerOrgId: aOrgId, source: 'org' });
      expect(orgSaved.json().buyerOrgs[0].ownRules).toBe(true);
      await settled(item.id, (i) => i.compliance.result === 'pass');
      // Dropping the org's rules brings the tenant default back.
      const dropped = await put(a, { buyerOrgId: aOrgId, rules: null });
      expect(dropped.json()).toMatchObject({ source: 'tenant' });
      await settled(item.id, (i) => i.compliance.result === 'block');

      const audit = await t.runtime.deps.db.kysely
        .selectFrom('audit_log')
        .select(['action', 'target_id', 'actor_name'])
        .where('tenant_id', '=', a.tenantId)
        .where('action', '=', 'received.rules.update')
        .where('actor_kind', '=', 'app')
        .execute();
      expect(audit.map((e) => e.target_id).sort()).toEqual([aOrgId, aOrgId, 'default'].sort());
      expect(audit.every((e) => e.actor_name === a.appId)).toBe(true);

      // Tenants are walls: B still has the built-in defaults.
      expect((await get(t, b, '/api/v1/received-rules')).json()).toMatchObject({ source: 'default' });
    });

    it('recomputes in batches: a rules change reaches every item of the tenant (more than one job)', async () => {
      const db = t.runtime.deps.db.kysely;
      const model = await db
        .selectFrom('received_invoices')
        .selectAll()
        .where('tenant_id', '=', a.tenantId)
        .where('deleted_at', 'is', null)
        .limit(1)
        .executeTakeFirstOrThrow();
      // 450 more items like it (distinct numbers, no file), as intake would have stored them.
      const rows = Array.from({ length: 450 }, (_, i) => ({
        ...model,
        id: `rcv_batch${String(i).padStart(4, '0')}`,
        file_id: null,
        number: `2631200000000099${String(i).padStart(4, '0')}`,
        compliance_result: 'pending',
        compliance_json: '[]',
      }));
      for (let i = 0; i < rows.length; i += 50)
        await db
          .insertInto('received_invoices')
          .values(rows.slice(i, i + 50))
          .execute();
      const live = await db
        .selectFrom('received_invoices')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', a.tenantId)
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      const rules = defaultComplianceRules();
      rules.kind = { enabled: true, level: 'block', params: { accepted: ['81'] } };
      expect((await put(a, { rules })).statusCode).toBe(200);
      const blocked = () =>
        db
          .selectFrom('received_invoices')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tenant_id', '=', a.tenantId)
          .where('deleted_at', 'is', null)
          .where('compliance_result', '=', 'block')
          .executeTakeFirstOrThrow()
          .then((r) => Number(r.n));
      await expect.poll(blocked, { timeout: 30_000 }).toBe(Number(live.n));
      const jobs = await db
        .selectFrom('jobs')
        .select('payload')
        .where('task', '=', 'collection/recompute-compliance')
        .where('tenant_id', '=', a.tenantId)
        .execute();
      expect(jobs.some((j) => String(j.payload).includes('"afterId":"rcv_'))).toBe(true);
    }, 60_000);
  });
}
