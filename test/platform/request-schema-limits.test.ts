import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, errorOf, type SeededTenant, seedTenant, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

type Schema = Record<string, unknown>;

/** Every `type: string` schema (with its JSON path) reachable from `schema`, following local `$ref`s once. */
function stringSchemas(schema: unknown, path: string, doc: Schema, seen = new Set<string>()): [string, Schema][] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Schema;
  if (typeof s.$ref === 'string') {
    if (seen.has(s.$ref)) return [];
    seen.add(s.$ref);
    const name = s.$ref.split('/').pop() ?? '';
    const target = ((doc.components as Schema)?.schemas as Schema)?.[name];
    return stringSchemas(target, `${path}→${name}`, doc, seen);
  }
  const found: [string, Schema][] = [];
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('string')) found.push([path, s]);
  for (const [key, value] of Object.entries(s)) {
    if (key === 'properties' && value && typeof value === 'object') {
      for (const [p, sub] of Object.entries(value)) found.push(...stringSchemas(sub, `${path}.${p}`, doc, seen));
    } else if (key === 'items' || key === 'additionalProperties') {
      found.push(...stringSchemas(value, `${path}[]`, doc, seen));
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      for (const sub of value) found.push(...stringSchemas(sub, path, doc, seen));
    }
  }
  return found;
}

const bounded = (s: Schema) => typeof s.maxLength === 'number' || Array.isArray(s.enum) || 'const' in s;

// Schema checks do not depend on the database; one dialect is enough.
const dialect = TEST_DIALECTS[0]!;

describe('request schemas: every string an API route accepts has a length limit', () => {
  let t: TestApp;
  let a: SeededTenant;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    a = await seedTenant(t, 'A');
  });
  afterAll(async () => t?.close());

  it('gives every string in a body, querystring, path parameter or header a maxLength', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<Schema>();
    const unbounded: string[] = [];
    for (const [route, ops] of Object.entries(doc.paths as Schema)) {
      for (const [method, op] of Object.entries(ops as Schema)) {
        const operation = op as Schema;
        const params = (operation.parameters ?? []) as Schema[];
        const parts: [string, unknown][] = params.map((p) => [`${p.in}.${p.name}`, p.schema]);
        const content = ((operation.requestBody as Schema)?.content ?? {}) as Record<string, Schema>;
        for (const [type, media] of Object.entries(content)) parts.push([`body(${type})`, media.schema]);
        for (const [where, schema] of parts) {
          for (const [path, s] of stringSchemas(schema, where, doc)) {
            if (!bounded(s)) unbounded.push(`${method.toUpperCase()} ${route} ${path}`);
          }
        }
      }
    }
    expect(unbounded).toEqual([]);
  });

  const post = (url: string, payload: string) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      payload,
    });

  it('takes an invoice or scan order with 2000 long lines (over 1 MiB) to validation, not 413', async () => {
    const line = { name: '测'.repeat(250), taxCode: '3070401000000000000', amount: '1.00', taxRate: '0.06', spec: 'x' };
    const lines = Array.from({ length: 2000 }, () => line);
    const body = JSON.stringify({ serialNo: 'BIG-1', kind: 'xx', seller: { taxId: a.sellerTaxId }, buyer: {}, lines });
    expect(Buffer.byteLength(body)).toBeGreaterThan(1024 * 1024);
    const res = await post('/api/v1/invoices', body);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('VALIDATION_FAILED');
    const order = await post(
      '/api/v1/scan/orders',
      JSON.stringify({ settingKey: 'nope', orderNo: 'x', lines, extra: 1 }),
    );
    expect(order.statusCode).toBe(400);
  });

  it('answers bodies over the route limit with 413 in the JSON envelope', async () => {
    const big = await post('/api/v1/invoices', JSON.stringify({ remark: 'x'.repeat(5 * 1024 * 1024) }));
    expect(big.statusCode).toBe(413);
    expect(errorOf(big).code).toBe('PAYLOAD_TOO_LARGE');
    const org = await post('/api/v1/orgs', JSON.stringify({ name: 'x'.repeat(1024 * 1024) }));
    expect(org.statusCode).toBe(413);
    expect(errorOf(org).code).toBe('PAYLOAD_TOO_LARGE');
  });
});
