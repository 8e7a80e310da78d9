import { isIPv4, isIPv6 } from 'node:net';

/** Why an address may not be the target of a server-side request (SSRF guard). `public` is the only allowed class. */
export const ADDRESS_CLASSES = [
  'public',
  'unspecified',
  'loopback',
  'private',
  'link_local',
  'cgnat',
  'multicast',
  'metadata',
  'reserved',
  'invalid',
] as const;
export type AddressClass = (typeof ADDRESS_CLASSES)[number];

type V4Range = readonly [first: number, prefix: number, cls: AddressClass];

const v4 = (dotted: string): number => dotted.split('.').reduce((n, part) => n * 256 + Number(part), 0);

/** Cloud instance-metadata endpoints (AWS/GCP/Azure/OpenStack, AWS ECS, Alibaba Cloud). Checked first. */
const V4_METADATA = new Set([v4('169.254.169.254'), v4('169.254.170.2'), v4('100.100.100.200')]);

/** Special-purpose IPv4 blocks (IANA registry, RFC 6890); the first match wins. */
const V4_RANGES: readonly V4Range[] = [
  [v4('0.0.0.0'), 8, 'unspecified'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('100.64.0.0'), 10, 'cgnat'],
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link_local'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.0.0.0'), 24, 'reserved'],
  [v4('192.0.2.0'), 24, 'reserved'],
  [v4('192.88.99.0'), 24, 'reserved'],
  [v4('192.168.0.0'), 16, 'private'],
  [v4('198.18.0.0'), 15, 'reserved'],
  [v4('198.51.100.0'), 24, 'reserved'],
  [v4('203.0.113.0'), 24, 'reserved'],
  [v4('224.0.0.0'), 4, 'multicast'],
  [v4('240.0.0.0'), 4, 'reserved'],
];

function classifyV4Number(n: number): AddressClass {
  if (V4_METADATA.has(n)) return 'metadata';
  for (const [first, prefix, cls] of V4_RANGES) {
    const size = 2 ** (32 - prefix);
    if (n >= first && n < first + size) return cls;
  }
  return 'public';
}

/** Parses an IPv6 literal (with `::` and an optional dotted IPv4 tail) into 8 16-bit groups, or null. */
export function parseIPv6(text: string): number[] | null {
  const address = text.replace(/^\[|\]$/g, '').split('%')[0] ?? '';
  if (!isIPv6(address)) return null;
  // Rewrite a dotted IPv4 tail as two hex groups, then expand `::`.
  const hex = address.replace(/(\d+\.\d+\.\d+\.\d+)$/, (dotted) => {
    const n = v4(dotted);
    return `${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  });
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const [left = '', right] = hex.split('::');
  if (right === undefined) return parse(left);
  const l = parse(left);
  const r = parse(right);
  return [...l, ...Array<number>(8 - l.length - r.length).fill(0), ...r];
}

const embeddedV4 = (g: number[], hi: number, lo: number) => (g[hi] ?? 0) * 65536 + (g[lo] ?? 0);
const startsWith = (g: number[], prefix: number[]) => prefix.every((p, i) => g[i] === p);

function classifyV6Groups(g: number[]): AddressClass {
  const first = g[0] ?? 0;
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 target.
  if (startsWith(g, [0, 0, 0, 0, 0, 0xffff]) || startsWith(g, [0, 0, 0, 0, 0, 0])) {
    return classifyV4Number(embeddedV4(g, 6, 7));
  }
  if (startsWith(g, [0x64, 0xff9b, 0, 0, 0, 0])) return classifyV4Number(embeddedV4(g, 6, 7));
  if (startsWith(g, [0x64, 0xff9b, 1])) return 'reserved';
  if (first === 0x2002) return classifyV4Number(embeddedV4(g, 1, 2)); // 6to4 embeds the IPv4 address
  if (startsWith(g, [0xfd00, 0x0ec2]) && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254) return 'metadata';
  if ((first & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((first & 0xffc0) === 0xfe80) return 'link_local';
  if ((first & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((first & 0xff00) === 0xff00) return 'multicast';
  if (first === 0x2001 && (g[1] ?? 0) < 0x200) return 'reserved'; // Teredo, benchmarking, ORCHID… (2001::/23)
  if (first === 0x2001 && g[1] === 0x0db8) return 'reserved'; // documentation
  if (startsWith(g, [0x100, 0, 0, 0])) return 'reserved'; // discard-only
  if ((first & 0xe000) !== 0x2000) return 'reserved'; // outside global unicast 2000::/3
  return 'public';
}

/**
 * Classifies an IP literal (IPv4, IPv6, bracketed IPv6, IPv4-mapped/compatible/NAT64/6to4 IPv6). Pure and
 * synchronous: the SSRF guard calls it for every address a host name resolves to, and only `public` passes.
 */
export function classifyAddress(address: string): AddressClass {
  const text = address.trim();
  if (isIPv4(text)) return classifyV4Number(v4(text));
  const groups = parseIPv6(text);
  return groups ? classifyV6Groups(groups) : 'invalid';
}
