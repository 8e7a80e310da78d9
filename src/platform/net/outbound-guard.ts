import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { type AddressClass, classifyAddress } from './address-class.js';

/** Why an outbound URL was refused. */
export type OutboundRefusal =
  | 'invalid_url'
  | 'unsupported_scheme'
  | 'credentials_in_url'
  | 'unresolvable'
  | AddressClass;

/** A URL the SSRF guard refused; `reason` is stable, `address` the offending resolved address when there is one. */
export class OutboundUrlError extends Error {
  constructor(
    readonly reason: OutboundRefusal,
    readonly address?: string,
  ) {
    super(`outbound URL refused: ${reason}${address ? ` (${address})` : ''}`);
    this.name = 'OutboundUrlError';
  }
}

/** A checked target: connect to `address` (never resolve the host again), send `Host`/SNI for `url.hostname`. */
export interface OutboundTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address (for tests: a fake DNS). */
export type ResolveHost = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolve: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const defaultPort = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

/** True when `OUTBOUND_ALLOWED_HOSTS` lists the URL's host (any port) or its `host:port`. */
export function isAllowlistedHost(url: URL, allowedHosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  return allowedHosts.includes(host) || allowedHosts.includes(`${host}:${defaultPort(url)}`);
}

function parseOutboundUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError('invalid_url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundUrlError('unsupported_scheme');
  if (url.username !== '' || url.password !== '') throw new OutboundUrlError('credentials_in_url');
  return url;
}

/**
 * The SSRF guard. Parses `raw` (http/https only, no credentials), resolves its host and checks EVERY address with
 * {@link classifyAddress}: any non-public address refuses the URL unless the host (or host:port) is allowlisted.
 * Returns the address to connect to, so the request is pinned to what was checked (no DNS rebinding between check
 * and connect). Call it when a URL is saved and again right before each request.
 */
export async function resolveOutboundTarget(
  raw: string,
  options: { allowedHosts: readonly string[]; resolve?: ResolveHost },
): Promise<OutboundTarget> {
  const url = parseOutboundUrl(raw);
  const allowlisted = isAllowlistedHost(url, options.allowedHosts);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(literal) !== 0) {
    addresses = [{ address: literal, family: isIP(literal) }];
  } else {
    try {
      addresses = await (options.resolve ?? systemResolve)(url.hostname);
    } catch {
      throw new OutboundUrlError('unresolvable');
    }
    if (addresses.length === 0) throw new OutboundUrlError('unresolvable');
  }
  if (!allowlisted) {
    for (const { address } of addresses) {
      const cls = classifyAddress(address);
      if (cls !== 'public') throw new OutboundUrlError(cls, address);
    }
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A `lookup` for node:http(s) that always answers the pinned address (works with and without `all`). */
export function pinnedLookup(target: OutboundTarget): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}
