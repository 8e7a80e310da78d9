import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredRoutes } from '../../src/app.js';
import {
  API_APP_PERMISSIONS,
  PERMISSIONS,
  type Permission,
  ROLE_PERMISSIONS,
  USER_ROLES,
} from '../../src/modules/auth/index.js';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { blueRequest } from '../invoicing/invoicing-kit.js';
import { type ConsoleSession, loginAs, seedUser } from './console-kit.js';

/** Routes outside /api/v1 that are public by design (no caller): H5 pages, signed downloads, ops endpoints, docs. */
// /console: the console's static build (no data; every call it makes goes through /api/v1).
const PUBLIC_PREFIXES = [
  '/s/',
  '/q/',
  '/d/',
  // Consumer pages of the counter modes (docs/counter.md): reservation QRs and their status pages, kiosks.
  '/r/',
  '/k/',
  // The assistant pages (docs/assistant.md#assistant-pages): authorised by the event code, not a session.
  '/assistant',
  '/healthz',
  '/readyz',
  '/metrics',
  '/api/openapi.json',
  '/api/docs',
  '/console',
  // The assistant pages' API: authorised by a live event code (X-Event-Code), not a token (docs/assistant.md).
  '/api/v1/assistant/page',
];

/**
 * One cheap call per permission. The permission is checked before the body is read, so an allowed caller gets past
 * it to validation (400), a lookup (404) or the answer (200) — and a denied one gets 403 FORBIDDEN.
 */
const PROBES: Record<Permission, { method: 'GET' | 'POST'; url: string; payload?: object }> = {
  'invoices.read': { method: 'GET', url: '/api/v1/invoices' },
  'invoices.issue': { method: 'POST', url: '/api/v1/invoices', payload: {} },
  'invoices.red': { method: 'POST', url: '/api/v1/invoices/NOPE-1/red', payload: { bogus: 1 } },
  'invoices.deliver': { method: 'POST', url: '/api/v1/invoices/NOPE-1/deliver', payload: { bogus: 1 } },
  'scan.read': { method: 'GET', url: '/api/v1/scan/settings' },
  'scan.manage': { method: 'POST', url: '/api/v1/scan/settings', payload: {} },
  'received.read': { method: 'GET', url: '/api/v1/received-invoices/rcv_nope' },
  'received.manage': { method: 'POST', url: '/api/v1/received-invoices', payload: {} },
  'bills.read': { method: 'GET', url: '/api/v1/bills' },
  'bills.manage': { method: 'POST', url: '/api/v1/assistant/events', payload: {} },
  'deduction.read': { method: 'GET', url: '/api/v1/deduction/invoices' },
  'deduction.manage': { method: 'POST', url: '/api/v1/deduction/selections', payload: {} },
  'folder.own': { method: 'GET', url: '/api/v1/folder' },
  'orgs.read': { method: 'GET', url: '/api/v1/orgs' },
  'orgs.manage': { method: 'POST', url: '/api/v1/orgs', payload: {} },
  'integrations.read': { method: 'GET', url: '/api/v1/apps' },
  'integrations.manage': { method: 'POST', url: '/api/v1/apps', payload: {} },
  'users.manage': { method: 'GET', url: '/api/v1/users' },
  'audit.read': { method: 'GET', url: '/api/v1/audit-log' },
  'system.read': { method: 'GET', url: '/api/v1/jobs' },
  'system.manage': { method: 'POST', url: '/api/v1/jobs/job_nope/retry', payload: {} },
};

describe('permission matrix', () => {
  it('docs/console.md shows the matrix of the code', () => {
    const doc = fs.readFileSync(path.join(import.meta.dirname, '../../docs/console.md'), 'utf8');
    const table = /<!-- permissions-matrix:start -->\n([\s\S]*?)<!-- permissions-matrix:end -->/.exec(doc)?.[1] ?? '';
    const rows = table
      .trim()
      .split('\n')
      .slice(2)
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    const documented = Object.fromEntries(
      rows.map((cells) => [cells[0]?.replace(/`/g, ''), cells.slice(1).map((c) => c === '✓')]),
    );
    const code = Object.fromEntries(
      PERMISSIONS.map((p) => [
        p,
        [...USER_ROLES.map((r) => ROLE_PERMISSIONS[r].includes(p)), API_APP_PERMISSIONS.includes(p)],
      ]),
    );
    expect(documented).toEqual(code);
  });

  it('has a probe for every permission', () => {
    expect(Object.keys(PROBES).sort()).toEqual([...PERMISSIONS].sort());
  });
});

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: permissions`, () => {
    let t: TestApp;
    let a: SeededTenant;
    const routes: { method: string; url: string; permission: unknown }[] = [];
    const sessions = new Map<string, ConsoleSession>();

    beforeAll(async () => {
      t = await buildTestApp(dialect, { AUTH_RATE_LIMIT_MAX: '1000' });
      for (const route of collectRoutes(t)) routes.push(route);
      a = await seedTenant(t, 'A');
      for (const role of USER_ROLES) sessions.set(role, await loginAs(t, await seedUser(t, a.tenantId, role)));
    });
    afterAll(async () => t?.close());

    it('every /api/v1 route declares a permission, and every other route is public by design', () => {
      expect(routes.length).toBeGreaterThan(40);
      const undeclared = routes.filter(
        (r) => r.url.startsWith('/api/v1/') && (r.permission === undefined || r.permission === null),
      );
      expect(undeclared.map((r) => `${r.method} ${r.url}`)).toEqual([]);
      const unknown = routes.filter(
        (r) => r.permission !== undefined && !['public', 'signed-in', ...PERMISSIONS].includes(r.permission as string),
      );
      expect(unknown).toEqual([]);
      const others = routes.filter(
        (r) =>
          !r.url.startsWith('/api/v1/') &&
          r.url !== '/' &&
          r.url !== '*' &&
          !PUBLIC_PREFIXES.some((p) => r.url.startsWith(p)),
      );
      expect(others.map((r) => `${r.method} ${r.url}`)).toEqual([]);
      // The only public /api/v1 routes: getting a token, logging in, and the assistant pages' API (authorised by an
      // event code in X-Event-Code, docs/assistant.md).
      expect(
        routes
          .filter(
            (r) =>
              r.url.startsWith('/api/v1/') &&
              r.permission === 'public' &&
              !PUBLIC_PREFIXES.some((p) => p.startsWith('/api/v1/') && r.url.startsWith(p)),
          )
          .map((r) => `${r.method} ${r.url}`)
          .sort(),
      ).toEqual(['POST /api/v1/auth/token', 'POST /api/v1/session']);
      // Every route under a public /api/v1 prefix is public by design (and nothing else is there).
      expect(
        routes
          .filter((r) => r.url.startsWith('/api/v1/assistant/page') && r.permission !== 'public')
          .map((r) => `${r.method} ${r.url}`),
      ).toEqual([]);
    });

    for (const role of USER_ROLES) {
      it(`${role}: every permission it holds is allowed, every other one is 403 FORBIDDEN naming it`, async () => {
        const s = sessions.get(role);
        if (!s) throw new Error('no session');
        for (const permission of PERMISSIONS) {
          const probe = PROBES[permission];
          const res = await t.app.inject({
            method: probe.method,
            url: probe.url,
            headers: probe.method === 'GET' ? s.read : s.write,
            ...(probe.payload ? { payload: probe.payload } : {}),
          });
          if (ROLE_PERMISSIONS[role].includes(permission)) {
            expect(res.statusCode, `${role} ${permission}: ${res.body}`).not.toBe(403);
            expect(res.statusCode, `${role} ${permission}: ${res.body}`).toBeLessThan(500);
          } else {
            expect(res.statusCode, `${role} ${permission}`).toBe(403);
            expect(errorOf(res)).toMatchObject({ code: 'FORBIDDEN', details: { permission } });
          }
        }
      });
    }

    it('API apps: every permission but users.manage and audit.read', async () => {
      for (const permission of PERMISSIONS) {
        const probe = PROBES[permission];
        const res = await t.app.inject({
          method: probe.method,
          url: probe.url,
          headers: a.auth,
          ...(probe.payload ? { payload: probe.payload } : {}),
        });
        if (API_APP_PERMISSIONS.includes(permission)) {
          expect(res.statusCode, `app ${permission}: ${res.body}`).not.toBe(403);
        } else {
          expect(res.statusCode, `app ${permission}`).toBe(403);
          expect(errorOf(res)).toMatchObject({ code: 'FORBIDDEN', details: { permission } });
        }
      }
    });

    it('clerks issue and list only for their assigned seller orgs', async () => {
      const clerk = await loginAs(t, await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: [a.sellerTaxId] }));
      const other = await loginAs(t, await seedUser(t, a.tenantId, 'clerk', { orgTaxIds: ['91310000MA1OTHER0X'] }));
      expect(clerk.info.user.orgTaxIds).toEqual([a.sellerTaxId]);
      const payload = blueRequest(a, { serialNo: 'CLERK-1' });
      const denied = await t.app.inject({ method: 'POST', url: '/api/v1/invoices', headers: other.write, payload });
      expect(denied.statusCode).toBe(403);
      expect(errorOf(denied)).toMatchObject({ code: 'ORG_NOT_ASSIGNED', details: { taxId: a.sellerTaxId } });
      const allowed = await t.app.inject({ method: 'POST', url: '/api/v1/invoices', headers: clerk.write, payload });
      expect(allowed.statusCode, allowed.body).toBeLessThan(300);
      const mine = await t.app.inject({ url: '/api/v1/invoices', headers: clerk.read });
      expect(mine.json().items.map((i: { serialNo: string }) => i.serialNo)).toContain('CLERK-1');
      const theirs = await t.app.inject({ url: '/api/v1/invoices', headers: other.read });
      expect(theirs.json().items).toEqual([]);
      const filtered = await t.app.inject({
        url: `/api/v1/invoices?sellerTaxId=${a.sellerTaxId}`,
        headers: other.read,
      });
      expect(errorOf(filtered).code).toBe('ORG_NOT_ASSIGNED');
    });
  });
}

function collectRoutes(t: TestApp): { method: string; url: string; permission: unknown }[] {
  const out: { method: string; url: string; permission: unknown }[] = [];
  for (const r of registeredRoutes(t.app)) {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) {
      if (method === 'HEAD') continue;
      out.push({ method, url: r.url, permission: r.config?.permission });
    }
  }
  return out;
}
