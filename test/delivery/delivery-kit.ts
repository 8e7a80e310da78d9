import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SeededTenant, TestApp } from '../helpers/test-app.js';
import { post } from '../invoicing/invoicing-kit.js';

/** One request a receiver got: headers and the raw body, exactly as sent. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  url: string;
  method: string;
}

/** A local HTTP receiver on a loopback address; `answer` decides each status (default 200). */
export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  answer: (req: Received, index: number) => number;
  /** Starts listening (again) on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A receiver on `host` (127.0.0.1 by default); `listen: false` keeps it down until `start()`. */
export async function createReceiver(
  options: { host?: string; listen?: boolean; path?: string } = {},
): Promise<Receiver> {
  const host = options.host ?? '127.0.0.1';
  let server: http.Server | null = null;
  const port = await freePortOn(host);
  const receiver: Receiver = {
    url: `http://${host}:${port}${options.path ?? '/hooks/openfapiao'}`,
    port,
    received: [],
    answer: () => 200,
    async start() {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const got = {
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            url: req.url ?? '',
            method: req.method ?? '',
          };
          const index = receiver.received.push(got) - 1;
          const status = receiver.answer(got, index);
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `failing ${index}`);
        });
      });
      await new Promise<void>((resolve) => server?.listen(port, host, resolve));
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  if (options.listen !== false) await receiver.start();
  return receiver;
}

function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Creates a business system through the API and returns its view with the one-time secret. */
export async function createSystem(
  t: TestApp,
  who: SeededTenant,
  body: Record<string, unknown>,
): Promise<{ code: string; secret: string; callbackUrl: string | null }> {
  const res = await post(t, who, '/api/v1/business-systems', body);
  if (res.statusCode !== 201) throw new Error(`create business system: ${res.statusCode} ${res.body}`);
  return res.json();
}
