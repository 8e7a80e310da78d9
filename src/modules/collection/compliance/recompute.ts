import { chinaDate } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { type ComplianceFacts, evaluateCompliance, fenToDecimalString } from '../../../tax/index.js';
import { listOrgs } from '../../orgs/index.js';
import { complianceJson } from '../stored-json.js';
import {
  findComplianceItems,
  findEarlierDuplicate,
  findItemIdsSharingNumber,
  updateItemCompliance,
} from './compliance.repo.js';
import { findRulesRowsOfTenant } from './rules.repo.js';
import { effectiveRules } from './rules.service.js';

/**
 * Evaluates the compliance rules of the given items of a tenant (their buyer org's rules, else the tenant's default,
 * else the built-in defaults) and stores each one's result and findings. Ids of another tenant or of deleted items
 * are ignored. Idempotent: the pool's processing job, verification and rules changes all call it.
 */
export async function recomputeCompliance(
  deps: Deps,
  input: { tenantId: string; receivedIds: readonly string[] },
): Promise<Array<{ id: string; result: 'pass' | 'warn' | 'block' }>> {
  const db = deps.db.kysely;
  const { tenantId } = input;
  const items = await findComplianceItems(db, tenantId, input.receivedIds);
  if (items.length === 0) return [];
  const [rows, orgs] = await Promise.all([findRulesRowsOfTenant(db, tenantId), listOrgs({ db }, tenantId)]);
  const orgFacts = orgs.map((o) => ({ name: o.name, taxId: o.tax_id }));
  const now = deps.clock.now();
  const today = chinaDate(now);
  const out: Array<{ id: string; result: 'pass' | 'warn' | 'block' }> = [];
  for (const item of items) {
    const { rules } = effectiveRules(rows, item.buyer_org_id);
    const duplicate = rules.duplicate.enabled ? rules.duplicate.params : null;
    const facts: ComplianceFacts = {
      today,
      invoice: {
        kind: item.kind,
        issueDate: item.issue_date,
        sellerTaxId: item.seller_tax_id,
        buyerName: item.buyer_name,
        buyerTaxId: item.buyer_tax_id,
        total: item.total_fen === null ? null : fenToDecimalString(item.total_fen),
        verificationStatus: item.verification_status,
      },
      orgs: orgFacts,
      duplicates: {
        // Same invoice (kind/code/number; 数电 kinds share one number space): the pool's own link, kept by intake.
        sameNumber: duplicate?.sameNumber ? item.duplicate_of : null,
        sameFingerprint: duplicate?.sameFingerprint ? await findEarlierDuplicate(db, tenantId, item) : null,
      },
    };
    const { result, findings } = evaluateCompliance(facts, rules);
    const compliance = complianceJson.encode(findings);
    if (result !== item.compliance_result || compliance !== item.compliance_json) {
      await updateItemCompliance(db, tenantId, item.id, {
        compliance_result: result,
        compliance_json: compliance,
        updated_at: now,
      });
    }
    out.push({ id: item.id, result });
  }
  return out;
}

/**
 * After an item is deleted (collection/compliance-after-removal, enqueued by the delete): recomputes the live items
 * that may have counted it as their original (the duplicate keys all include the number).
 */
export async function recomputeAfterRemoval(
  deps: Deps,
  input: { tenantId: string; item: { id: string; number: string } },
): Promise<void> {
  const ids = await findItemIdsSharingNumber(deps.db.kysely, input.tenantId, input.item);
  await recomputeCompliance(deps, { tenantId: input.tenantId, receivedIds: ids });
}
