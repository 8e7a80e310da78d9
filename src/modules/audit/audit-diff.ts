import { redactSecrets } from '../../platform/log-redaction.js';

export type AuditDiff = Record<string, { from: unknown; to: unknown }>;

/** Field names whose values never enter the log: secrets, passwords, tokens, keys, signatures, their hashes. */
const SECRET_FIELD = /secret|password|token|signature|credential|private|api_?key|hash/i;
export const REDACTED = '[REDACTED]';

function redactValue(key: string, value: unknown): unknown {
  if (value === undefined) return null;
  if (SECRET_FIELD.test(key) && value !== null) return REDACTED;
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map((v) => redactValue('', v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(k, v)]));
  }
  return value;
}

/**
 * The before/after diff of a change: every top-level field whose value differs (deep comparison by JSON), with
 * secret fields replaced by {@link REDACTED} (a rotated secret still shows that it changed) and link tokens and
 * signatures cut out of strings, as in the logs (platform/log-redaction.ts).
 */
export function auditDiff(before: object | null | undefined, after: object | null | undefined): AuditDiff {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const diff: AuditDiff = {};
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    const from = b[key];
    const to = a[key];
    if (JSON.stringify(from ?? null) === JSON.stringify(to ?? null)) continue;
    diff[key] = { from: redactValue(key, from), to: redactValue(key, to) };
  }
  return diff;
}

const BOOKKEEPING = new Set(['tenant_id', 'created_at', 'updated_at']);

/** A row as the audit log keeps it: without the tenant and bookkeeping timestamps (secrets are redacted by the diff). */
export function auditSnapshot(row: object | null | undefined): Record<string, unknown> | null {
  if (!row) return null;
  return Object.fromEntries(Object.entries(row).filter(([k]) => !BOOKKEEPING.has(k)));
}
