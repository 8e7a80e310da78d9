import type { BenchServers } from '../lib/measure.js';

/** A 餐饮 order line of 106.00 (tax-inclusive). */
export function scanOrderBody(settingKey: string, orderNo: string, extra: Record<string, unknown> = {}) {
  return {
    settingKey,
    orderNo,
    lines: [
      { name: '商务套餐', taxCode: '3070401000000000000', amount: '106.00', taxRate: '0.06', priceIncludesTax: true },
    ],
    ...extra,
  };
}

/** Creates a QR setting for the seeded seller (benchmark setup, outside the measurement); answers its key. */
export async function createBenchScanSetting(
  app: BenchServers['app'],
  headers: Record<string, string>,
  scanType: 'issue' | 'title_only',
): Promise<string> {
  const res = await fetch(new URL('/api/v1/scan/settings', app.baseUrl), {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ sellerTaxId: app.sellerTaxId, scanType, allowedKinds: ['82'], validityDays: 30 }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 201) throw new Error(`scan setup: setting answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

/** Pushes one order and answers its `/s/{token}` path. */
export async function pushBenchOrder(
  app: BenchServers['app'],
  headers: Record<string, string>,
  key: string,
  orderNo: string,
): Promise<string> {
  const res = await fetch(new URL('/api/v1/scan/orders', app.baseUrl), {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(scanOrderBody(key, orderNo)),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 201) throw new Error(`scan setup: order answered ${res.status}: ${await res.text()}`);
  return new URL(((await res.json()) as { url: string }).url).pathname;
}
