import { Type } from 'typebox';
import { storedJson } from '../../../platform/stored-json.js';

/** `assistant_events.company_json`: the buyers the bill expects. */
export const companyJson = storedJson(
  'assistant_events.company_json',
  Type.Array(Type.Object({ taxNo: Type.String(), name: Type.String() })),
);
