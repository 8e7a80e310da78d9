import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import {
  OutboundUrlError,
  pinnedLookup,
  type ResolveHost,
  resolveOutboundTarget,
} from '../../platform/net/outbound-guard.js';

/** Longest response excerpt kept in the delivery log. */
export const RESPONSE_EXCERPT_BYTES = 1024;

/** The outcome of one POST; never thrown, always logged. */
export interface WebhookAttemptResult {
  ok: boolean;
  /** The checked address the request was pinned to (null when the URL was refused before connecting). */
  address: string | null;
  statusCode: number | null;
  excerpt: string | null;
  error: string | null;
  durationMs: number;
}

/** What {@link postWebhook} sends and how. */
export interface PostWebhookInput {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowedHosts: readonly string[];
  resolve?: ResolveHost;
  /** How much of the answer to keep (default 1 KB, an excerpt for the delivery log; callers reading it need more). */
  maxResponseBytes?: number;
}

/**
 * POSTs a webhook: SSRF-checks the URL (every resolved address), connects to the checked address only, does not
 * follow redirects, gives up after `timeoutMs`, and keeps at most `maxResponseBytes` (1 KB) of the answer. 2xx is success.
 */
export async function postWebhook(input: PostWebhookInput): Promise<WebhookAttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let address: string | null = null;
  try {
    const target = await resolveOutboundTarget(input.url, { allowedHosts: input.allowedHosts, resolve: input.resolve });
    address = target.address;
    const { statusCode, excerpt } = await send(input, target);
    const ok = statusCode >= 200 && statusCode < 300;
    return { ok, address, statusCode, excerpt, error: ok ? null : `HTTP ${statusCode}`, durationMs: elapsed() };
  } catch (err) {
    return {
      ok: false,
      address,
      statusCode: null,
      excerpt: null,
      error: describeError(err, input),
      durationMs: elapsed(),
    };
  }
}

function describeError(err: unknown, input: PostWebhookInput): string {
  if (err instanceof OutboundUrlError)
    return `refused by SSRF guard: ${err.reason}${err.address ? ` (${err.address})` : ''}`;
  const e = err as NodeJS.ErrnoException;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timeout after ${input.timeoutMs} ms`;
  return [e?.code, e?.message].filter(Boolean).join(': ') || String(err);
}

function send(
  input: PostWebhookInput,
  target: Awaited<ReturnType<typeof resolveOutboundTarget>>,
): Promise<{ statusCode: number; excerpt: string }> {
  const client = target.url.protocol === 'https:' ? https : http;
  const body = Buffer.from(input.body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = client.request(target.url, {
      method: 'POST',
      headers: { ...input.headers, 'content-length': String(body.length) },
      lookup: pinnedLookup(target),
      agent: false,
      signal: AbortSignal.timeout(input.timeoutMs),
    });
    req.once('error', reject);
    const limit = input.maxResponseBytes ?? RESPONSE_EXCERPT_BYTES;
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        const excerpt = Buffer.concat(chunks).subarray(0, limit).toString('utf8');
        resolve({ statusCode: res.statusCode ?? 0, excerpt });
      };
      res.on('data', (chunk: Buffer) => {
        if (size >= limit) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size >= limit) {
          finish();
          res.destroy();
        }
      });
      res.once('end', finish);
      res.once('error', reject);
    });
    req.end(body);
  });
}
