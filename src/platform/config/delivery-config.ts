import type { ConfigVariable } from './load-config.js';

/** Outbound delivery settings: SSRF allowlist, webhook timeout, SMTP, SMS gateway, secret encryption. */
export interface DeliveryConfig {
  /** `host` or `host:port` entries that may resolve to private/loopback addresses (lower-cased). */
  readonly outboundAllowedHosts: readonly string[];
  readonly webhookTimeoutMs: number;
  /** Key material for business-system signing secrets at rest; null = a key file in DATA_DIR. */
  readonly secretEncryptionKey: string | null;
  /** `smtp://` or `smtps://` URL; null = mail goes to the outbox table. */
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  /** Generic HTTP SMS gateway; null = SMS go to the outbox table. */
  readonly smsGateway: SmsGatewayConfig | null;
}

/** The generic HTTP SMS gateway (SMS_GATEWAY_*). */
export interface SmsGatewayConfig {
  readonly url: string;
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly contentType: string;
  readonly bodyTemplate: string;
  /** `[name, value]` of one extra header, e.g. `['authorization', 'Bearer …']`. */
  readonly authHeader: readonly [string, string] | null;
}

type Get = (name: ConfigVariable) => string | undefined;
type Int = (name: ConfigVariable, fallback: number, min: number, max: number) => number;

const SMS_METHODS = ['GET', 'POST', 'PUT'] as const;

/** The delivery part of loadConfig; appends problems like the rest of it. */
export function loadDeliveryConfig(get: Get, int: Int, problems: string[]): DeliveryConfig {
  const key = get('SECRET_ENCRYPTION_KEY') ?? null;
  if (key !== null && key.length < 32) problems.push('SECRET_ENCRYPTION_KEY 至少 32 个字符 (must be ≥ 32 characters)');
  const smtpUrl = get('SMTP_URL') ?? null;
  if (smtpUrl !== null && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) {
    problems.push('SMTP_URL 必须以 smtp:// 或 smtps:// 开头 (must start with smtp:// or smtps://)');
  }
  return {
    outboundAllowedHosts: (get('OUTBOUND_ALLOWED_HOSTS') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== ''),
    webhookTimeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
    secretEncryptionKey: key,
    smtpUrl,
    mailFrom: get('MAIL_FROM') ?? 'OpenFapiao <no-reply@localhost>',
    smsGateway: loadSmsGateway(get, problems),
  };
}

function loadSmsGateway(get: Get, problems: string[]): SmsGatewayConfig | null {
  const url = get('SMS_GATEWAY_URL');
  if (url === undefined) return null;
  if (!/^https?:\/\/\S+$/.test(url)) problems.push('SMS_GATEWAY_URL 必须是 http(s) URL (must be an http(s) URL)');
  const method = (get('SMS_GATEWAY_METHOD') ?? 'POST').toUpperCase();
  if (!(SMS_METHODS as readonly string[]).includes(method)) {
    problems.push(`SMS_GATEWAY_METHOD 必须是 ${SMS_METHODS.join('|')} 之一 (must be GET, POST or PUT)`);
  }
  const auth = get('SMS_GATEWAY_AUTH_HEADER');
  const colon = auth?.indexOf(':') ?? -1;
  if (auth !== undefined && colon < 1)
    problems.push('SMS_GATEWAY_AUTH_HEADER 格式为 "Name: value" (must be "Name: value")');
  return {
    url,
    method: (SMS_METHODS as readonly string[]).includes(method) ? (method as SmsGatewayConfig['method']) : 'POST',
    contentType: get('SMS_GATEWAY_CONTENT_TYPE') ?? 'application/json',
    bodyTemplate: get('SMS_GATEWAY_BODY_TEMPLATE') ?? '{"to":"{{to}}","text":"{{text}}"}',
    authHeader:
      auth !== undefined && colon >= 1
        ? [auth.slice(0, colon).trim().toLowerCase(), auth.slice(colon + 1).trim()]
        : null,
  };
}
