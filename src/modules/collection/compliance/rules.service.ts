import { toIsoCst } from '../../../platform/clock.js';
import { type Ctx, ctxOf, type Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import {
  COMPLIANCE_RULE_IDS,
  type ComplianceRuleId,
  type ComplianceRules,
  defaultComplianceRules,
} from '../../../tax/index.js';
import { type AuditMeta, withAudit } from '../../audit/index.js';
import { listOrgs, type Org } from '../../orgs/index.js';
import { RECEIVED_BUYER_ORG_NOT_FOUND } from './compliance.errors.js';
import type { ReceivedRulesRow } from './compliance.tables.js';
import { RECOMPUTE_RULES_TASK } from './recompute-task-id.js';
import { deleteRulesRow, findRulesRow, findRulesRowsOfTenant, upsertRulesRow } from './rules.repo.js';
import { receivedRulesJson } from './stored-json.js';

/** Where a scope's effective rules come from: its own row, the tenant's default row, or the built-in defaults. */
export type RulesSource = 'org' | 'tenant' | 'default';

/** The rules a stored row holds, each rule it lacks (added by a later release) taken from the defaults. */
export function rulesOfRow(row: ReceivedRulesRow | undefined): ComplianceRules | null {
  if (!row) return null;
  const stored = receivedRulesJson.decode(row.rules);
  const defaults = defaultComplianceRules();
  const out = { ...defaults } as Record<ComplianceRuleId, unknown>;
  for (const id of COMPLIANCE_RULE_IDS) if (stored[id]) out[id] = stored[id];
  return out as ComplianceRules;
}

/** The rules that apply to items of a buyer org (null: items without one), from a tenant's rows. */
export function effectiveRules(
  rows: readonly ReceivedRulesRow[],
  buyerOrgId: string | null,
): { rules: ComplianceRules; source: RulesSource; row: ReceivedRulesRow | undefined } {
  const own = buyerOrgId === null ? undefined : rows.find((r) => r.buyer_org_id === buyerOrgId);
  if (own) return { rules: rulesOfRow(own) as ComplianceRules, source: 'org', row: own };
  const tenant = rows.find((r) => r.buyer_org_id === null);
  if (tenant) return { rules: rulesOfRow(tenant) as ComplianceRules, source: 'tenant', row: tenant };
  return { rules: defaultComplianceRules(), source: 'default', row: undefined };
}

/** The tenant's org with that id, or 404 (another tenant's org id too). */
async function buyerOrgOrThrow(ctx: Pick<Ctx, 'db'>, tenantId: string, buyerOrgId: string): Promise<Org> {
  const org = (await listOrgs(ctx, tenantId)).find((o) => o.id === buyerOrgId);
  if (!org) throw new AppError(RECEIVED_BUYER_ORG_NOT_FOUND, `购买方企业 ${buyerOrgId} 不存在`, { buyerOrgId });
  return org;
}

export interface RulesView {
  buyerOrgId: string | null;
  source: RulesSource;
  rules: ComplianceRules;
  updatedAt: string | null;
  updatedBy: string | null;
  /** The tenant's orgs (buyers), each with whether it has rules of its own. */
  buyerOrgs: Array<{ id: string; taxId: string; name: string; ownRules: boolean }>;
}

/** The effective rules of a scope (`buyerOrgId` null: the tenant's default), and the tenant's buyer orgs. */
export async function getReceivedRules(deps: Deps, tenantId: string, buyerOrgId: string | null): Promise<RulesView> {
  const ctx = ctxOf(deps);
  if (buyerOrgId !== null) await buyerOrgOrThrow(ctx, tenantId, buyerOrgId);
  const [rows, orgs] = await Promise.all([findRulesRowsOfTenant(ctx.db, tenantId), listOrgs(ctx, tenantId)]);
  const { rules, source, row } = effectiveRules(rows, buyerOrgId);
  return {
    buyerOrgId,
    source,
    rules,
    updatedAt: row ? toIsoCst(row.updated_at) : null,
    updatedBy: row?.updated_by ?? null,
    buyerOrgs: orgs.map((o) => ({
      id: o.id,
      taxId: o.tax_id,
      name: o.name,
      ownRules: rows.some((r) => r.buyer_org_id === o.id),
    })),
  };
}

export interface SaveRulesInput {
  tenantId: string;
  buyerOrgId: string | null;
  /** The whole set for the scope; null (an org only): drop the org's own rules, it inherits the default again. */
  rules: ComplianceRules | null;
}

/**
 * Saves the rules of a scope, audited, and enqueues — in the same transaction — the recompute of every live item
 * they may apply to (the org's items, or for the tenant's default every item of the tenant), in batches.
 */
export async function saveReceivedRules(deps: Deps, meta: AuditMeta, input: SaveRulesInput): Promise<RulesView> {
  const { tenantId, buyerOrgId } = input;
  if (buyerOrgId !== null) await buyerOrgOrThrow(ctxOf(deps), tenantId, buyerOrgId);
  const before = rulesOfRow(await findRulesRow(deps.db.kysely, tenantId, buyerOrgId));
  await withAudit(
    { ...ctxOf(deps), jobs: deps.jobs },
    meta,
    async ({ db }) => {
      if (input.rules === null) {
        if (buyerOrgId !== null) await deleteRulesRow(db, tenantId, buyerOrgId);
      } else {
        await upsertRulesRow(db, {
          id: newId('rrl', deps.clock.now()),
          tenant_id: tenantId,
          buyer_org_id: buyerOrgId,
          rules: receivedRulesJson.encode(input.rules),
          updated_at: deps.clock.now(),
          updated_by: meta.actor.name,
        });
      }
      await deps.jobs.enqueue(db, RECOMPUTE_RULES_TASK, { tenantId, buyerOrgId, afterId: null }, { tenantId });
    },
    () => ({
      action: 'received.rules.update',
      target: { type: 'received_rules', id: buyerOrgId ?? 'default' },
      before: before as unknown as Record<string, unknown> | null,
      after: input.rules as unknown as Record<string, unknown> | null,
    }),
  );
  deps.jobs.notify();
  return getReceivedRules(deps, tenantId, buyerOrgId);
}
