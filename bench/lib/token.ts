import type { BenchServers } from './measure.js';

/** Gets a bearer token from the app under test (benchmark setup, outside the measurement). */
export async function getAuthHeaders(app: BenchServers['app'], label: string): Promise<{ authorization: string }> {
  const res = await fetch(new URL('/api/v1/auth/token', app.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appId: app.appId, appSecret: app.appSecret }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`${label} setup: token request answered ${res.status}: ${await res.text()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return { authorization: `Bearer ${accessToken}` };
}
