/** The webhooks-fanout benchmark's receiver (signature-checking, timestamping) and its statistics and report. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { verifyWebhookSignature } from '../../src/index.js';
import { machineFacts } from '../lib/machine.js';
import { RESULTS_DIR } from '../lib/report.js';

/** One delivery as it arrived. */
export interface Receipt {
  at: number;
  deliveryId: string;
  serialNo: string;
  issuedAt: number;
  valid: boolean;
}

/** A receiver on 127.0.0.1: each system posts to `/<code>`; signatures are verified with that system's secret. */
export async function startReceiver(secrets: Map<string, string>) {
  const receipts = new Map<string, Receipt>();
  let duplicates = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['x-openfapiao-delivery']);
      const valid = verifyWebhookSignature(
        secrets.get((req.url ?? '').slice(1)) ?? '',
        String(req.headers['x-openfapiao-timestamp']),
        body,
        String(req.headers['x-openfapiao-signature']),
        { toleranceSeconds: 0 },
      );
      const data = (JSON.parse(body) as { data: { serialNo: string; issuedAt: string } }).data;
      if (receipts.has(id)) duplicates++;
      else
        receipts.set(id, { at, deliveryId: id, serialNo: data.serialNo, issuedAt: Date.parse(data.issuedAt), valid });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, receipts, duplicates: () => duplicates, close: () => new Promise((r) => server.close(r)) };
}

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

const latency = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 };
};

/** Figures of both phases: burst throughput and paced (no backlog) latency. */
export function summarize(input: {
  systems: number;
  concurrency: number;
  burst: Receipt[];
  paced: Receipt[];
  requestedAt: Map<string, number>;
  started: number;
  duplicates: number;
}) {
  const { burst, paced, requestedAt } = input;
  const first = Math.min(...burst.map((r) => r.at));
  const last = Math.max(...burst.map((r) => r.at));
  const fromIssue = (rs: Receipt[]) => latency(rs.map((r) => r.at - r.issuedAt));
  const fromRequest = (rs: Receipt[]) => latency(rs.map((r) => r.at - (requestedAt.get(r.serialNo) ?? r.at)));
  return {
    systems: input.systems,
    concurrency: input.concurrency,
    burst: {
      invoices: burst.length / input.systems,
      deliveries: burst.length,
      deliveriesPerSecond: Math.round((burst.length / Math.max(1, last - first)) * 10_000) / 10,
      pipelineDeliveriesPerSecond: Math.round((burst.length / Math.max(1, last - input.started)) * 10_000) / 10,
      issueToReceiptMs: fromIssue(burst),
    },
    paced: {
      invoices: paced.length / input.systems,
      deliveries: paced.length,
      issueToReceiptMs: fromIssue(paced),
      requestToReceiptMs: fromRequest(paced),
    },
    invalidSignatures: [...burst, ...paced].filter((r) => !r.valid).length,
    duplicates: input.duplicates,
  };
}

/** Prints the figures and writes bench/results/webhooks-fanout.delivery.json. */
export function report(dialect: string, r: ReturnType<typeof summarize>): void {
  const ms = (l: { p50: number; p99: number; max: number }) => `p50 ${l.p50} ms  p99 ${l.p99} ms  max ${l.max} ms`;
  console.log(
    `\nwebhooks-fanout (${dialect}) — each invoice fans out to ${r.systems} business systems; receiver on 127.0.0.1\n` +
      `  burst  ${r.burst.invoices} invoices from ${r.concurrency} clients → ${r.burst.deliveries} deliveries\n` +
      `         deliveries/s ${r.burst.deliveriesPerSecond} (first→last receipt), ${r.burst.pipelineDeliveriesPerSecond} (first request→last receipt)\n` +
      `         issue → receipt   ${ms(r.burst.issueToReceiptMs)}  (includes the queue of the burst)\n` +
      `  paced  ${r.paced.invoices} invoices one at a time, idle worker → ${r.paced.deliveries} deliveries\n` +
      `         issue → receipt   ${ms(r.paced.issueToReceiptMs)}\n` +
      `         request → receipt ${ms(r.paced.requestToReceiptMs)}\n` +
      `  invalid signatures ${r.invalidSignatures}, duplicate deliveries ${r.duplicates}`,
  );
  if (r.invalidSignatures > 0) {
    console.error(`!!! webhooks-fanout: ${r.invalidSignatures} deliveries failed signature verification`);
  }
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const out = { name: 'webhooks-fanout', dialect, date: new Date().toISOString(), machine: machineFacts(), ...r };
  fs.writeFileSync(path.join(RESULTS_DIR, 'webhooks-fanout.delivery.json'), `${JSON.stringify(out, null, 2)}\n`);
}
