import { buildTestApp, seedTenant } from '../../test/helpers/test-app.js';
import { TEST_DIALECTS } from '../../test/helpers/test-db.js';
import { createScanSetting, orderBody, post, SCAN_ENV } from '../../test/scan/scan-kit.js';

const dialect = TEST_DIALECTS.find((d) => d.name === (process.env.DIALECT ?? 'sqlite'))!;
const t = await buildTestApp(dialect, SCAN_ENV);
const a = await seedTenant(t, 'cpu');
const { key } = await createScanSetting(t, a, { scanType: 'issue' });
const N = Number(process.env.N ?? 3000);
const body = () => orderBody(key);
for (let i = 0; i < 500; i++) await post(t, a, '/api/v1/scan/orders', body());
const rounds: number[] = [];
for (let r = 0; r < 5; r++) {
  const bodies = Array.from({ length: N }, body);
  const c0 = process.cpuUsage();
  let i = 0;
  // 8 in flight, like a loaded server
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (i < N) { const res = await post(t, a, '/api/v1/scan/orders', bodies[i++]!); if (res.statusCode !== 201) throw new Error(res.body); }
  }));
  const c = process.cpuUsage(c0);
  rounds.push((c.user + c.system) / N / 1000);
}
rounds.sort((x, y) => x - y);
console.log('ms CPU / push (inject, in-process), rounds sorted:', rounds.map((x) => x.toFixed(3)).join(' '));
await t.close();
