/** The JSON column of `received_rules` (platform/stored-json.ts): read and written only through this codec. */
import { Type } from 'typebox';
import { type StoredJson, storedJson } from '../../../platform/stored-json.js';
import type { ComplianceRules } from '../../../tax/index.js';
import { ComplianceRulesSchema } from './rules-schema.js';

/**
 * `received_rules.rules`: the rules of one scope. Rules missing from a stored row (added by a later release) take
 * their defaults when read (`effectiveRules`).
 */
export const receivedRulesJson: StoredJson<Partial<ComplianceRules>> = storedJson(
  'received_rules.rules',
  Type.Partial(ComplianceRulesSchema),
) as StoredJson<Partial<ComplianceRules>>;
