import { Type } from 'typebox';
import { storedJson } from '../../platform/stored-json.js';

/** `audit_log.diff_json`: the changed fields, each `{ from, to }` (secrets redacted). */
export const auditDiffJson = storedJson(
  'audit_log.diff_json',
  Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() })),
);
