import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { TEST_DIALECTS } from '../helpers/test-db.js';

interface RawAnswer {
  statusLine: string;
  headers: Record<string, string>;
  error: { code: string; message: string; requestId: string };
}

/**
 * Sends `bytes` as they are on a fresh connection to 127.0.0.1 (inject() would skip Node's HTTP parser) and reads
 * the answer until the server closes the connection.
 */
function sendRaw(port: number, bytes: Buffer | string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      try {
        resolve({ statusLine, headers, error: JSON.parse(text.slice(split + 4)).error });
      } catch {
        reject(new Error(`not a JSON error answer: ${text}`));
      }
    });
  });
}

const request = (head: string, body = '') => `${head.split('\n').join('\r\n')}\r\n\r\n${body}`;

// The parser's answers involve no storage, so one dialect is enough.
describe('HTTP parser errors answer the JSON error body', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await buildTestApp(TEST_DIALECTS[0]!);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as net.AddressInfo).port;
  });
  afterAll(async () => t?.close());

  const expectEnvelope = (res: RawAnswer, status: number, code: string) => {
    expect(res.statusLine).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers.connection).toBe('close');
    expect(res.error).toMatchObject({ code, message: expect.stringMatching(/[\u4e00-\u9fff]/) });
    expect(res.headers['x-request-id']).toBe(res.error.requestId);
  };

  it('answers a URL over the header limit with 431 HEADERS_TOO_LARGE', async () => {
    const res = await sendRaw(port, request(`GET /api/v1/orgs?q=${'a'.repeat(17_000)} HTTP/1.1\nHost: localhost`));
    expectEnvelope(res, 431, 'HEADERS_TOO_LARGE');
    expect(res.error.message).toBe('请求头过大');
  });

  it('answers a negative Content-Length with 400 BAD_HTTP_REQUEST', async () => {
    const res = await sendRaw(
      port,
      request('POST /api/v1/apps HTTP/1.1\nHost: localhost\nContent-Type: application/json\nContent-Length: -1'),
    );
    expectEnvelope(res, 400, 'BAD_HTTP_REQUEST');
  });

  it('answers Content-Length together with Transfer-Encoding with 400 BAD_HTTP_REQUEST', async () => {
    const head =
      'POST /api/v1/apps HTTP/1.1\nHost: localhost\nContent-Type: application/json\nContent-Length: 5\nTransfer-Encoding: chunked';
    expectEnvelope(await sendRaw(port, request(head, '0\r\n\r\n')), 400, 'BAD_HTTP_REQUEST');
  });

  it('answers a malformed chunk with 400 BAD_HTTP_REQUEST', async () => {
    const head =
      'POST /api/v1/apps HTTP/1.1\nHost: localhost\nContent-Type: application/json\nTransfer-Encoding: chunked';
    expectEnvelope(await sendRaw(port, request(head, 'zz\r\n{}\r\n0\r\n\r\n')), 400, 'BAD_HTTP_REQUEST');
  });

  it('answers a NUL in a header with 400 BAD_HTTP_REQUEST', async () => {
    const res = await sendRaw(port, request('GET /healthz HTTP/1.1\nHost: localhost\nX-Note: a\0b'));
    expectEnvelope(res, 400, 'BAD_HTTP_REQUEST');
  });

  it('answers invalid UTF-8 bytes in the path with 400 BAD_HTTP_REQUEST', async () => {
    const bytes = Buffer.concat([
      Buffer.from('GET /api/v1/orgs/'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' HTTP/1.1\r\nHost: localhost\r\n\r\n'),
    ]);
    expectEnvelope(await sendRaw(port, bytes), 400, 'BAD_HTTP_REQUEST');
  });

  it('answers percent-encoded invalid UTF-8 in the path with 400 BAD_REQUEST', async () => {
    const res = await sendRaw(port, request('GET /api/v1/orgs/%FF%FE HTTP/1.1\nHost: localhost\nConnection: close'));
    expect(res.statusLine).toMatch(/^HTTP\/1\.1 400 /);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.error).toMatchObject({ code: 'BAD_REQUEST', message: '请求无效' });
  });
});
