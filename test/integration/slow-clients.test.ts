import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

/** What a raw client saw: the bytes the server sent, and whether the server ended the connection. */
interface Probe {
  response: string;
  closedByServer: boolean;
}

/**
 * Connects to 127.0.0.1, lets `act` write (and drip) bytes, and collects the answer until the server closes the
 * socket. A socket still open after `guardMs` counts as held (the guard only bounds the test, it asserts nothing).
 */
function probe(port: number, act: (socket: net.Socket) => () => void, guardMs = 8000): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let response = '';
    let stop = () => {};
    const finish = (closedByServer: boolean) => {
      clearTimeout(guard);
      stop();
      socket.destroy();
      resolve({ response, closedByServer });
    };
    const guard = setTimeout(() => finish(false), guardMs);
    socket.on('data', (d) => {
      response += d.toString('latin1');
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? finish(true) : reject(err)));
    socket.once('connect', () => {
      stop = act(socket);
    });
  });
}

/** Writes `chunk` every `everyMs` until stopped (or the socket is gone). */
function drip(socket: net.Socket, chunk: string, everyMs: number): () => void {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(chunk);
  }, everyMs);
  return () => clearInterval(timer);
}

// HTTP server behaviour only (no storage involved): one dialect is enough.
const dialect = TEST_DIALECTS[0]!;

describe('slow and idle clients on a real socket', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      HTTP_HEADERS_TIMEOUT_MS: '300',
      HTTP_REQUEST_TIMEOUT_MS: '500',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
      HTTP_CONNECTION_TIMEOUT_MS: '3000',
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => t?.close());

  it('answers 408 and closes on a client that never finishes its headers', async () => {
    const seen = await probe(port, (socket) => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      return drip(socket, 'X-Slow: 1\r\n', 100);
    });
    expect(seen.closedByServer).toBe(true);
    expect(seen.response).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers 408 and closes on a client that trickles its body', async () => {
    const seen = await probe(port, (socket) => {
      socket.write(
        'POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
          'Content-Length: 4096\r\n\r\n{"appId":"',
      );
      return drip(socket, 'aaaaaaaa', 100);
    });
    expect(seen.closedByServer).toBe(true);
    expect(seen.response).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection on which nothing is ever sent', async () => {
    const seen = await probe(port, () => () => {});
    expect(seen.closedByServer).toBe(true);
    expect(seen.response).not.toMatch(/^HTTP\/1\.1 2/);
  });

  it('serves a normal request, then closes the idle keep-alive connection', async () => {
    const seen = await probe(port, (socket) => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
      return () => {};
    });
    expect(seen.response).toMatch(/^HTTP\/1\.1 200 /);
    expect(seen.response).toContain('{"status":"ok"}');
    expect(seen.closedByServer).toBe(true);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
  });
});
