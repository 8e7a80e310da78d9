import http from 'node:http';
import https from 'node:https';
import {
  OutboundUrlError,
  pinnedLookup,
  type ResolveHost,
  resolveOutboundTarget,
} from '../../../platform/net/outbound-guard.js';

/** Links considered per mail (after de-duplication), and downloads made at most. */
export const MAX_LINK_CANDIDATES = 50;
export const MAX_LINK_DOWNLOADS = 5;
/** Redirects followed per link, each target checked again (allow-list and outbound guard). */
export const MAX_LINK_REDIRECTS = 3;
/** Longest URL considered; longer ones are ignored. */
export const MAX_LINK_LENGTH = 2048;
/** Bytes of a text or HTML body scanned for links. */
export const MAX_BODY_SCAN = 2 * 1024 * 1024;

/** Why a link was or was not followed. */
export type LinkClass = 'allowed' | 'not_allowed' | 'invalid';

/**
 * Whether a link in a mail may be followed: http(s), no credentials, and its host is on the allow-list
 * (`COLLECT_LINK_HOSTS`: exact host names or `*.suffix`, which matches any subdomain of the suffix but not the
 * suffix itself). Pure; the outbound guard still checks the resolved addresses before any connection.
 */
export function classifyLink(raw: string, linkHosts: readonly string[]): LinkClass {
  if (raw.length > MAX_LINK_LENGTH) return 'invalid';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'invalid';
  if (url.username !== '' || url.password !== '') return 'invalid';
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  for (const entry of linkHosts) {
    if (entry.startsWith('*.')) {
      if (host.endsWith(entry.slice(1)) && host.length > entry.length - 1) return 'allowed';
    } else if (host === entry) {
      return 'allowed';
    }
  }
  return 'not_allowed';
}

const TRAILING = ')].,;:!?\'"';

const decodeEntities = (s: string) =>
  s
    .replace(/&amp;/gi, '&')
    .replace(/&#x2F;/gi, '/')
    .replace(/&#47;/g, '/')
    .replace(/&quot;/gi, '"');

/** The distinct http(s) links of a mail's text and HTML bodies, in order of appearance (at most {@link MAX_LINK_CANDIDATES}). */
export function extractLinks(text: string | undefined, html: string | undefined): string[] {
  const out = new Set<string>();
  const add = (candidate: string) => {
    if (out.size >= MAX_LINK_CANDIDATES) return;
    let url = decodeEntities(candidate.trim());
    // Trailing punctuation of the sentence or brackets around the link (a loop: linear, unlike `[…]+$`).
    while (url.length > 0 && TRAILING.includes(url[url.length - 1] ?? '')) url = url.slice(0, -1);
    if (url.length <= MAX_LINK_LENGTH && /^https?:\/\//i.test(url)) out.add(url);
  };
  if (html) {
    const body = html.slice(0, MAX_BODY_SCAN);
    for (const m of body.matchAll(/href\s*=\s*["']([^"'<>\s]{1,2048})["']/gi)) add(m[1] ?? '');
    for (const m of body.matchAll(/https?:\/\/[^\s"'<>]{1,2048}/gi)) add(m[0]);
  }
  if (text) for (const m of text.slice(0, MAX_BODY_SCAN).matchAll(/https?:\/\/[^\s"'<>]{1,2048}/gi)) add(m[0]);
  return [...out];
}

/** A downloaded file, or why there is none. */
export type LinkDownload =
  | { ok: true; fileName: string; bytes: Buffer; contentType: string | null }
  | { ok: false; reason: 'refused' | 'too_large' | 'http_error' | 'timeout' | 'failed'; message: string };

export interface DownloadOptions {
  linkHosts: readonly string[];
  /** OUTBOUND_ALLOWED_HOSTS: hosts the guard lets resolve to loopback/private addresses. */
  outboundAllowedHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  resolve?: ResolveHost;
}

function fileNameOf(url: URL, disposition: string | undefined): string {
  const star = disposition?.match(/filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]{1,400})/);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1]).slice(0, 200);
    } catch {
      /* fall through */
    }
  }
  const plain = disposition?.match(/filename\s*=\s*"?([^";]{1,400})"?/);
  if (plain?.[1]) return plain[1].slice(0, 200);
  const last = url.pathname.split('/').filter(Boolean).pop();
  try {
    return (last ? decodeURIComponent(last) : url.hostname).slice(0, 200);
  } catch {
    return url.hostname;
  }
}

/**
 * Downloads one invoice link: the allow-list and the outbound guard are checked for the URL and every redirect
 * target, the connection goes to the checked address only, and the whole download (redirects included) must finish
 * within `timeoutMs` and `maxBytes`. Never throws.
 */
export async function downloadLink(raw: string, options: DownloadOptions): Promise<LinkDownload> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let current = raw;
  try {
    for (let hop = 0; hop <= MAX_LINK_REDIRECTS; hop++) {
      if (classifyLink(current, options.linkHosts) !== 'allowed') {
        return { ok: false, reason: 'refused', message: '链接主机不在允许列表中 (host not on COLLECT_LINK_HOSTS)' };
      }
      const target = await resolveOutboundTarget(current, {
        allowedHosts: options.outboundAllowedHosts,
        ...(options.resolve ? { resolve: options.resolve } : {}),
      });
      const answer = await get(target, options.maxBytes, signal);
      if (answer.kind === 'redirect') {
        current = new URL(answer.location, target.url).toString();
        continue;
      }
      if (answer.kind === 'too_large') {
        return { ok: false, reason: 'too_large', message: `文件超过 ${options.maxBytes} 字节` };
      }
      if (answer.status < 200 || answer.status >= 300) {
        return { ok: false, reason: 'http_error', message: `HTTP ${answer.status}` };
      }
      return {
        ok: true,
        fileName: fileNameOf(target.url, answer.disposition),
        bytes: answer.bytes,
        contentType: answer.contentType,
      };
    }
    return { ok: false, reason: 'failed', message: `重定向超过 ${MAX_LINK_REDIRECTS} 次` };
  } catch (err) {
    if (err instanceof OutboundUrlError) {
      return { ok: false, reason: 'refused', message: `出站地址被拒绝 (${err.reason})` };
    }
    const e = err as Error;
    if (signal.aborted || e.name === 'TimeoutError' || e.name === 'AbortError') {
      return { ok: false, reason: 'timeout', message: `下载超时（${options.timeoutMs} ms）` };
    }
    return { ok: false, reason: 'failed', message: String(e.message ?? err).slice(0, 200) };
  }
}

type Answer =
  | { kind: 'redirect'; location: string }
  | { kind: 'too_large' }
  | { kind: 'body'; status: number; bytes: Buffer; contentType: string | null; disposition: string | undefined };

function get(
  target: Awaited<ReturnType<typeof resolveOutboundTarget>>,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Answer> {
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(target.url, {
      method: 'GET',
      headers: { 'user-agent': 'OpenFapiao-Collect/1', accept: '*/*' },
      lookup: pinnedLookup(target),
      agent: false,
      signal,
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && typeof location === 'string' && location.length <= MAX_LINK_LENGTH) {
        res.resume();
        resolve({ kind: 'redirect', location });
        return;
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > maxBytes) {
        res.destroy();
        resolve({ kind: 'too_large' });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy();
          resolve({ kind: 'too_large' });
          return;
        }
        chunks.push(chunk);
      });
      res.once('end', () =>
        resolve({
          kind: 'body',
          status,
          bytes: Buffer.concat(chunks),
          contentType: typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : null,
          disposition: res.headers['content-disposition'],
        }),
      );
      res.once('error', reject);
    });
    req.end();
  });
}
