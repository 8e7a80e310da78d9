import type { ConfigVariable } from './load-config.js';

/** E-mail intake of invoice collection (docs/collection.md#e-mail): the SMTP receiver, links in mails, IMAP. */
export interface CollectMailConfig {
  /** Port of the built-in SMTP receiver; null = off (the default). */
  readonly smtpPort: number | null;
  readonly smtpHost: string;
  /** Domain of the collection addresses (`inv-…@domain`); required when the receiver is on. */
  readonly mailDomain: string | null;
  /** Largest accepted mail (SMTP SIZE, IMAP message size). */
  readonly maxMessageBytes: number;
  /**
   * Bytes of mail the SMTP receiver holds in memory at once, over all connections (being received or being stored):
   * a mail that would go over it is refused with a temporary 4xx, so its sender retries later.
   */
  readonly smtpBufferBytes: number;
  /**
   * Hosts whose links in a mail body are followed to download invoice files: exact names or `*.suffix` patterns
   * (lower-cased). Empty: no link is followed. The outbound guard still applies.
   */
  readonly linkHosts: readonly string[];
  readonly linkMaxBytes: number;
  readonly linkTimeoutMs: number;
  /** Connect/greeting/socket budget of one IMAP poll. */
  readonly imapTimeoutMs: number;
}

type Get = (name: ConfigVariable) => string | undefined;
type Int = (name: ConfigVariable, fallback: number, min: number, max: number) => number;

/** The tax platform's invoice download hosts (数电 mails link to `dppt.<province>.chinatax.gov.cn:8443`). */
export const DEFAULT_LINK_HOSTS = '*.chinatax.gov.cn';

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_PATTERN_RE = /^(\*\.)?[a-z0-9.-]{1,253}$/;

/**
 * The collection part of loadConfig. `linkHostsRaw` is the variable as set (an empty value means "no host", unlike
 * the other variables where empty means the default).
 */
export function loadCollectMailConfig(
  get: Get,
  int: Int,
  linkHostsRaw: string | undefined,
  problems: string[],
): CollectMailConfig {
  const port = get('COLLECT_SMTP_PORT') === undefined ? null : int('COLLECT_SMTP_PORT', 2525, 0, 65_535);
  const domain = get('COLLECT_MAIL_DOMAIN')?.toLowerCase() ?? null;
  if (domain !== null && !DOMAIN_RE.test(domain)) {
    problems.push(`COLLECT_MAIL_DOMAIN=${domain} 不是有效的域名 (not a valid domain name)`);
  }
  if (port !== null && domain === null) {
    problems.push('COLLECT_SMTP_PORT 需要同时设置 COLLECT_MAIL_DOMAIN (the receiver needs the address domain)');
  }
  const maxMessageBytes = int('COLLECT_MAIL_MAX_BYTES', 26_214_400, 65_536, 104_857_600);
  const smtpBufferBytes = int('COLLECT_SMTP_BUFFER_BYTES', 104_857_600, 65_536, 4_294_967_296);
  if (smtpBufferBytes < maxMessageBytes) {
    problems.push(
      'COLLECT_SMTP_BUFFER_BYTES 不能小于 COLLECT_MAIL_MAX_BYTES (the largest mail must fit in the receiver’s buffer)',
    );
  }
  const linkHosts = (linkHostsRaw ?? DEFAULT_LINK_HOSTS)
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  for (const h of linkHosts) {
    if (!HOST_PATTERN_RE.test(h))
      problems.push(`COLLECT_LINK_HOSTS: ${h} 不是主机名或 *.后缀 (not a host or *.suffix)`);
  }
  return {
    smtpPort: port,
    smtpHost: get('COLLECT_SMTP_HOST') ?? '127.0.0.1',
    mailDomain: domain,
    maxMessageBytes,
    smtpBufferBytes,
    linkHosts,
    linkMaxBytes: int('COLLECT_LINK_MAX_BYTES', 10_485_760, 1024, 52_428_800),
    linkTimeoutMs: int('COLLECT_LINK_TIMEOUT_MS', 10_000, 100, 120_000),
    imapTimeoutMs: int('COLLECT_IMAP_TIMEOUT_MS', 30_000, 1000, 300_000),
  };
}
