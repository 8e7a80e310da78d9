import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';
import { get, post } from '../invoicing/invoicing-kit.js';
import { createSystem } from './delivery-kit.js';

const KEY = 'test-secret-encryption-key-0123456789abcdef';

for (const dialect of TEST_DIALECTS) {
  describe.skipIf(dialect.skip)(`${dialect.name}: business systems`, () => {
    let t: TestApp;
    let a: SeededTenant;
    let b: SeededTenant;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-bsys-'));

    beforeAll(async () => {
      t = await buildTestApp(dialect, { DATA_DIR: dataDir, OUTBOUND_ALLOWED_HOSTS: '127.0.0.2:9000, localhost' });
      a = await seedTenant(t, 'A');
      b = await seedTenant(t, 'B');
    });
    afterAll(async () => {
      await t?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    const patch = (who: SeededTenant, url: string, payload: unknown) =>
      t.app.inject({ method: 'PATCH', url, headers: who.auth, payload: payload as object });

    it('creates a system, shows the secret once and stores it encrypted', async () => {
      const created = await createSystem(t, a, {
        code: 'ERP',
        name: '金蝶 ERP',
        callbackUrl: 'http://127.0.0.2:9000/cb',
      });
      expect(created).toMatchObject({
        code: 'ERP',
        callbackUrl: 'http://127.0.0.2:9000/cb',
        events: ['invoice.issued', 'invoice.failed', 'invoice.reversed'],
        receiveAllInvoices: false,
        enabled: true,
        secret: expect.stringMatching(/^whsec_[0-9A-Za-z]{40,}$/),
      });
      const shown = await get(t, a, '/api/v1/business-systems/ERP');
      expect(shown.statusCode).toBe(200);
      expect(shown.json()).not.toHaveProperty('secret');
      const row = await t.runtime.deps.db.kysely
        .selectFrom('business_systems')
        .selectAll()
        .where('code', '=', 'ERP')
        .executeTakeFirstOrThrow();
      expect(row.secret_enc).toMatch(/^v1:/);
      expect(row.secret_enc).not.toContain(created.secret.slice(6));
      // Without SECRET_ENCRYPTION_KEY the key lives in DATA_DIR, readable only by the owner.
      const keyFile = path.join(dataDir, 'secret-encryption.key');
      expect(fs.statSync(keyFile).mode & 0o077).toBe(0);
    });

    it('keeps codes unique per tenant, and tenants apart', async () => {
      const again = await post(t, a, '/api/v1/business-systems', { code: 'ERP', name: 'dup' });
      expect(again.statusCode).toBe(409);
      expect(errorOf(again).code).toBe('BUSINESS_SYSTEM_EXISTS');
      await createSystem(t, b, { code: 'ERP', name: 'B 的 ERP' });
      expect((await get(t, b, '/api/v1/business-systems')).json().items).toHaveLength(1);
      const cross = await get(t, b, '/api/v1/business-systems/NOPE');
      expect(errorOf(cross).code).toBe('BUSINESS_SYSTEM_NOT_FOUND');
    });

    it('updates fields and subscriptions', async () => {
      const res = await patch(a, '/api/v1/business-systems/ERP', {
        name: 'ERP 2',
        events: ['invoice.issued', 'order.invoiced'],
        receiveAllInvoices: true,
        enabled: false,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ name: 'ERP 2', events: ['invoice.issued', 'order.invoiced'], enabled: false });
      const bad = await patch(a, '/api/v1/business-systems/ERP', { events: ['invoice.exploded'] });
      expect(bad.statusCode).toBe(400);
    });

    it('refuses private, loopback, link-local and metadata URLs unless allowlisted', async () => {
      const refused = [
        ['http://10.0.0.1/cb', 'private'],
        ['http://192.168.1.20:8080/cb', 'private'],
        ['http://127.0.0.1:9000/cb', 'loopback'],
        ['http://127.0.0.2:9001/cb', 'loopback'],
        ['http://[::1]:9000/cb', 'loopback'],
        ['http://[::ffff:10.0.0.1]/cb', 'private'],
        ['http://169.254.169.254/latest/meta-data/', 'metadata'],
        ['http://100.100.100.200/latest/meta-data/', 'metadata'],
        ['http://100.64.1.1/cb', 'cgnat'],
        ['ftp://example.com/cb', 'unsupported_scheme'],
        ['http://user:pw@127.0.0.2:9000/cb', 'credentials_in_url'],
      ];
      for (const [url, reason] of refused) {
        const res = await post(t, a, '/api/v1/business-systems', { code: `X${reason}`, name: 'x', callbackUrl: url });
        expect(res.statusCode, url).toBe(422);
        expect(errorOf(res)).toMatchObject({
          code: 'OUTBOUND_URL_FORBIDDEN',
          details: { field: 'callbackUrl', reason },
        });
      }
      const orderQuery = await patch(a, '/api/v1/business-systems/ERP', { orderQueryUrl: 'http://10.1.2.3/orders' });
      expect(errorOf(orderQuery).details).toMatchObject({ field: 'orderQueryUrl', reason: 'private' });
      expect(errorOf(orderQuery).details, 'no DNS oracle: the resolved address is not echoed').not.toHaveProperty(
        'address',
      );
      const allowed = await patch(a, '/api/v1/business-systems/ERP', { orderQueryUrl: 'http://localhost:7000/orders' });
      expect(allowed.statusCode, allowed.body).toBe(200);
    });

    it('rotates the secret with an overlap window', async () => {
      const res = await post(t, a, '/api/v1/business-systems/ERP/rotate-secret', { overlapSeconds: 3600 });
      expect(res.statusCode, res.body).toBe(200);
      const rotated = res.json();
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(Date.parse(rotated.previousSecretExpiresAt) - Date.parse(rotated.secretRotatedAt)).toBe(3600_000);
      const none = await post(t, a, '/api/v1/business-systems/ERP/rotate-secret', { overlapSeconds: 0 });
      expect(none.json().previousSecretExpiresAt).toBeNull();
    });
  });
}

describe('secret encryption key from the environment', () => {
  const dialect = TEST_DIALECTS[0]!;
  it('encrypts with SECRET_ENCRYPTION_KEY and writes no key file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-bsys-'));
    const t = await buildTestApp(dialect, { DATA_DIR: dataDir, SECRET_ENCRYPTION_KEY: KEY });
    try {
      const a = await seedTenant(t, 'K');
      await createSystem(t, a, { code: 'K1', name: 'k' });
      expect(fs.existsSync(path.join(dataDir, 'secret-encryption.key'))).toBe(false);
    } finally {
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
