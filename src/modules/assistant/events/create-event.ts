/**
 * Event codes (事件码, docs/assistant.md#event-codes): an expense system asks for one per bill and opens the assistant
 * pages with it. The code is 32 random bytes (base64url), stored only as its SHA-256, alive for
 * ASSISTANT_EVENT_TTL_SECONDS; a new code for the same bill (resource + billId) replaces the previous one.
 */
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { newId, secureRandomBytes, sha256Hex } from '../../../platform/ids.js';
import { classifyTaxId, normalizeTaxId } from '../../../tax/index.js';
import { findBusinessSystemByCode } from '../../orgs/index.js';
import type { AssistantEvent, PushType } from '../assistant.tables.js';
import { ASSISTANT_COMPANY_INVALID, ASSISTANT_RESOURCE_UNKNOWN } from './events.errors.js';
import { upsertEmployeeByExternal, upsertEvent } from './events.repo.js';
import { companyJson } from './stored-json.js';

/** One company a bill expects as the invoices' buyer. */
export interface CompanyInfo {
  readonly taxNo: string;
  readonly name: string;
}

export interface CreateEventInput {
  readonly billId: string;
  readonly resource: string;
  readonly billNo?: string | undefined;
  readonly billType?: string | undefined;
  readonly billTaxNo?: string | undefined;
  readonly userId: string;
  readonly userName?: string | undefined;
  readonly linkKey: string;
  readonly pushType: PushType;
  readonly companyInfo: readonly CompanyInfo[];
}

export interface CreatedEvent {
  readonly eventCode: string;
  readonly expiresAt: string;
  readonly selectUrl: string;
  readonly viewUrl: string;
  readonly mobileSelectUrl: string;
  readonly mobileViewUrl: string;
}

/** The stored hash of an event code. */
export const eventCodeHash = (code: string) => sha256Hex(`assistant-event:${code}`);

/** A tax number as an expense system may send it (spaces, lower case), checked for a valid shape. */
function checkedTaxNo(value: string, details: Record<string, unknown>): string {
  const taxNo = normalizeTaxId(value);
  const checked = classifyTaxId(taxNo, { allowResidentId: false });
  if (!checked.ok) throw new AppError(ASSISTANT_COMPANY_INVALID, undefined, { ...details, reason: checked.reason });
  return taxNo;
}

/** Normalised company info: valid tax numbers (upper case), trimmed names, one entry per tax number. */
export function checkCompanyInfo(list: readonly CompanyInfo[]): CompanyInfo[] {
  const out = new Map<string, CompanyInfo>();
  list.forEach((c, index) => {
    const taxNo = checkedTaxNo(c.taxNo, { index, field: 'taxNo' });
    const name = c.name.trim();
    if (!name) throw new AppError(ASSISTANT_COMPANY_INVALID, '单据公司名称不能为空', { index, field: 'name' });
    if (!out.has(taxNo)) out.set(taxNo, { taxNo, name });
  });
  return [...out.values()];
}

/** Issues (or replaces) the event code of a bill. */
export async function createEvent(
  deps: Deps,
  tenantId: string,
  createdBy: string,
  input: CreateEventInput,
): Promise<{ event: AssistantEvent; created: CreatedEvent }> {
  const db = deps.db.kysely;
  const system = await findBusinessSystemByCode(db, tenantId, input.resource);
  if (system?.enabled !== 1) {
    throw new AppError(ASSISTANT_RESOURCE_UNKNOWN, `业务系统 ${input.resource} 不存在或已停用`, {
      resource: input.resource,
    });
  }
  const companies = checkCompanyInfo(input.companyInfo);
  const billTaxNo = input.billTaxNo ? checkedTaxNo(input.billTaxNo, { field: 'billTaxNo' }) : null;
  const now = deps.clock.now();
  const code = secureRandomBytes(32).toString('base64url');
  const expiresAt = now + deps.config.assistant.eventTtlSeconds * 1000;
  const event = await db.transaction().execute(async (trx) => {
    const employee = await upsertEmployeeByExternal(trx, {
      id: newId('emp', now),
      tenantId,
      externalId: input.userId,
      name: input.userName?.trim() || null,
      now,
    });
    return upsertEvent(trx, {
      id: newId('aev', now),
      tenant_id: tenantId,
      code_hash: eventCodeHash(code),
      business_system_id: system.id,
      resource: system.code,
      bill_id: input.billId,
      bill_no: input.billNo ?? null,
      bill_type: input.billType ?? null,
      bill_tax_no: billTaxNo,
      user_id: input.userId,
      employee_id: employee.id,
      link_key: input.linkKey,
      push_type: input.pushType,
      company_json: companyJson.encode(companies),
      created_by: createdBy,
      created_at: now,
      expires_at: expiresAt,
      revoked_at: null,
    });
  });
  const base = deps.config.http.publicUrl;
  const q = `?eventCode=${encodeURIComponent(code)}`;
  return {
    event,
    created: {
      eventCode: code,
      expiresAt: toIsoCst(expiresAt),
      selectUrl: `${base}/assistant/select${q}`,
      viewUrl: `${base}/assistant/view${q}`,
      mobileSelectUrl: `${base}/assistant/m/select${q}`,
      mobileViewUrl: `${base}/assistant/m/view${q}`,
    },
  };
}

/** The company info of an event, as stored. */
export function companiesOf(event: Pick<AssistantEvent, 'company_json'>): CompanyInfo[] {
  return companyJson.decode(event.company_json);
}
