import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../src/modules/delivery/index.js';

/** How the fake merchant answers one order number. */
export type MerchantBehaviour =
  | { kind: 'order'; data: Record<string, unknown> }
  | { kind: 'not_found' }
  | { kind: 'down' }
  | { kind: 'malformed' };

/** A merchant's order-query endpoint on 127.0.0.1 that checks our signature and answers per order number. */
export async function startMerchant(): Promise<{
  url: string;
  secret: { value: string };
  orders: Map<string, MerchantBehaviour>;
  calls: Array<{ orderNo: string; signed: boolean }>;
  close(): Promise<void>;
}> {
  const orders = new Map<string, MerchantBehaviour>();
  const calls: Array<{ orderNo: string; signed: boolean }> = [];
  const secret = { value: '' };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => {
      raw += d;
    });
    req.on('end', () => {
      const body = JSON.parse(raw) as { orderNo: string; interfaceCode: string };
      const signed = verifyWebhookSignature(
        secret.value,
        String(req.headers['x-openfapiao-timestamp']),
        raw,
        String(req.headers['x-openfapiao-signature']),
        { toleranceSeconds: 0 },
      );
      calls.push({ orderNo: body.orderNo, signed });
      const behaviour = orders.get(body.orderNo) ?? { kind: 'not_found' };
      res.setHeader('content-type', 'application/json');
      if (!signed) return res.writeHead(401).end('{"code":"401","message":"bad signature"}');
      if (behaviour.kind === 'down') return res.writeHead(503).end('{"code":"503"}');
      if (behaviour.kind === 'malformed') return res.writeHead(200).end('{"code":"0","data":{"orderNo":');
      if (behaviour.kind === 'not_found') return res.writeHead(200).end('{"code":"404","message":"no such order"}');
      res.writeHead(200).end(JSON.stringify({ code: '0', message: 'ok', data: behaviour.data }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/scanInvoice/queryOrder`,
    secret,
    orders,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
