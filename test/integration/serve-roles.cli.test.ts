import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, type Served, startServer } from '../helpers/processes.js';

// Real processes on real sockets (SQLite; the PostgreSQL side is test/integration/multinode.test.ts). The timeout is a
// hang detector, not a time assertion.
vi.setConfig({ testTimeout: 120_000 });

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

/** One raw HTTP exchange on a fresh connection: the status code, or the connection error's code (ECONNREFUSED…). */
function probe(port: number, pathname: string): Promise<number | string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.on('connect', () =>
      socket.write(`GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
    );
    socket.on('data', (d) => {
      data += d;
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data)?.[1];
      if (status) resolve(Number(status));
      else resolve('closed');
    });
  });
}

/** Probes until `accept` holds (every 20 ms, ~30 s at most); returns every answer seen, the accepted one last. */
async function probeUntil(port: number, pathname: string, accept: (r: number | string) => boolean) {
  const seen: (number | string)[] = [];
  for (let i = 0; i < 1500; i++) {
    const r = await probe(port, pathname);
    seen.push(r);
    if (accept(r)) return seen;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`${pathname} never reached the expected answer: ${seen.slice(-5).join(', ')}`);
}

describe('sqlite: serve --role and the shutdown order, over real sockets', () => {
  let root: string;
  const servers: Served[] = [];

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'openfapiao-roles-'));
  });
  afterAll(async () => {
    for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  });

  const envFor = async (name: string, extra: Record<string, string> = {}) => ({
    DATA_DIR: path.join(root, name),
    PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    DEMO_SEED: 'false',
    ...extra,
  });

  it('a web node on SQLite warns at start that nothing will run its jobs', async () => {
    const env = await envFor('web');
    const server = await startServer(['--role', 'web'], env);
    servers.push(server);
    await vi.waitFor(() => expect(server.output()).toMatch(/ROLE=web on SQLite: this process runs no jobs/), {
      timeout: 10_000,
    });
    expect(await server.stop()).toBe(0);
    // An `all` node does not warn.
    const all = await startServer([], env);
    servers.push(all);
    expect(await all.stop()).toBe(0);
    expect(all.output()).not.toMatch(/ROLE=web on SQLite/);
  });

  it('a worker node serves /healthz, /readyz and /metrics (METRICS_TOKEN) on its own port, and nothing else', async () => {
    const workerPort = await freePort();
    const env = await envFor('worker', { WORKER_HTTP_PORT: String(workerPort), METRICS_TOKEN });
    const server = await startServer(['--role', 'worker'], env, 'OpenFapiao worker');
    servers.push(server);
    const base = `http://127.0.0.1:${workerPort}`;
    expect(server.output()).toContain(base);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok' },
    });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/openfapiao_jobs\{state="queued"\} \d+/);
    expect(text).toMatch(/openfapiao_node_info\{role="worker",worker_id="[^"]+:\d+:[^"]+"\} 1/);
    expect((await fetch(`${base}/api/v1/invoices`)).status).toBe(404);
    expect(await probe(Number(env.PORT), '/healthz')).toBe('ECONNREFUSED');
    expect(await server.stop()).toBe(0);
  });

  it('exits with the reason when its port is taken, instead of running its worker without HTTP', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = String((taken.address() as net.AddressInfo).port);
    try {
      for (const [args, env] of [
        [['--role', 'worker'], await envFor('taken-worker', { WORKER_HTTP_PORT: port })],
        [[], await envFor('taken-all', { PORT: port })],
      ] as const) {
        const failed = await startServer([...args], env).then(
          () => null,
          (err: Error) => err.message,
        );
        expect(failed).toMatch(/^server exited with 1:/);
        expect(failed).toContain('EADDRINUSE');
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('on SIGTERM turns /readyz 503 while still accepting, then closes the listener, then finishes the in-flight request', async () => {
    const env = await envFor('drain', { SHUTDOWN_DRAIN_DELAY_MS: '4000' });
    const port = Number(env.PORT);
    const server = await startServer([], env);
    servers.push(server);
    expect(await probe(port, '/readyz')).toBe(200);

    // An in-flight request: headers sent, body not finished, so the server is inside it when the signal comes.
    const body = JSON.stringify({ appId: 'app_unknown', appSecret: 'not-a-secret' });
    const inflight = net.connect(port, '127.0.0.1');
    let answer = '';
    inflight.on('data', (d) => {
      answer += d;
    });
    const answered = new Promise<string>((resolve) => inflight.on('close', () => resolve(answer)));
    await new Promise<void>((resolve) => inflight.on('connect', () => resolve()));
    inflight.write(
      'POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
    );
    // Its headers reach the server before this later request on another connection is answered.
    expect(await probe(port, '/healthz')).toBe(200);

    const exited = server.stop('SIGTERM');
    // First: /readyz 503 on new connections, which are still accepted, and the process still serves.
    const beforeClose = await probeUntil(port, '/readyz', (r) => r === 503);
    expect(beforeClose.every((r) => r === 200 || r === 503)).toBe(true);
    expect(await probe(port, '/healthz')).toBe(200);
    // Then, after the drain delay: new connections are refused.
    const closing = await probeUntil(port, '/readyz', (r) => r === 'ECONNREFUSED');
    // Until the listener closes, 503s. A connection caught in between — in the listen backlog when the listener
    // closed (the kernel resets it), or accepted with no request yet (closed as idle) — gets no answer, never a 200.
    const gone = closing.findIndex((r) => typeof r === 'string');
    expect(closing.slice(0, gone).every((r) => r === 503)).toBe(true);
    expect(closing.slice(gone).every((r) => r === 'ECONNREFUSED' || r === 'ECONNRESET' || r === 'closed')).toBe(true);
    // The in-flight request still gets its answer, then the process exits cleanly.
    inflight.write(body.slice(10));
    expect(await answered).toMatch(/^HTTP\/1\.1 401 /);
    expect(await exited).toBe(0);
  });
});
