import type { Selectable } from 'kysely';

export const AUDIT_ACTOR_KINDS = ['user', 'app', 'system'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

/**
 * One audit entry (审计日志). Append-only: entries are inserted unchained (`seq`, `prev_hash`, `hash` null) in the
 * transaction of the change they record; the sealer job chains them per tenant and never changes another column.
 */
export interface AuditLogTable {
  id: string;
  tenant_id: string;
  at: number;
  actor_kind: AuditActorKind;
  actor_id: string;
  actor_name: string;
  /** Dotted verb, e.g. `orgs.create`, `session.login_failed` (docs/console.md#audit-log). */
  action: string;
  target_type: string;
  target_id: string;
  /** `{ field: { from, to } }` of the changed fields, secrets redacted (auditDiffJson). */
  diff_json: string;
  request_id: string | null;
  client_address: string | null;
  /** Position in the tenant's chain (1, 2, …), set by the sealer. */
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

export type AuditEntryRow = Selectable<AuditLogTable>;

export interface AuditTables {
  audit_log: AuditLogTable;
}
