import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import type { Ctx } from '../../platform/deps.js';
import { findDeliverySettingsRow, saveDeliverySettingsRow } from './delivery-settings.repo.js';

/** A tenant's delivery preferences. */
export interface DeliverySettings {
  /** E-mail the invoice to `buyer.email` when it is issued. */
  emailOnIssue: boolean;
  /** Text the download link to `buyer.mobile` when it is issued. */
  smsOnIssue: boolean;
  /** Attach the OFD file too (the PDF is always attached). */
  attachOfd: boolean;
  /** Attach the XML file too. */
  attachXml: boolean;
}

/** What a tenant gets until it saves its own settings. */
export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  emailOnIssue: true,
  smsOnIssue: true,
  attachOfd: false,
  attachXml: false,
};

/** The tenant's settings (defaults when it never saved any). */
export async function getDeliverySettings(db: Kysely<Database>, tenantId: string): Promise<DeliverySettings> {
  const row = await findDeliverySettingsRow(db, tenantId);
  if (!row) return { ...DEFAULT_DELIVERY_SETTINGS };
  return {
    emailOnIssue: row.email_on_issue === 1,
    smsOnIssue: row.sms_on_issue === 1,
    attachOfd: row.attach_ofd === 1,
    attachXml: row.attach_xml === 1,
  };
}

/** Saves the given settings over the current ones and returns the result. */
export async function putDeliverySettings(
  ctx: Ctx,
  tenantId: string,
  patch: Partial<DeliverySettings>,
): Promise<DeliverySettings> {
  const { db } = ctx;
  const next = { ...(await getDeliverySettings(db, tenantId)), ...patch };
  const row = {
    email_on_issue: next.emailOnIssue ? 1 : 0,
    sms_on_issue: next.smsOnIssue ? 1 : 0,
    attach_ofd: next.attachOfd ? 1 : 0,
    attach_xml: next.attachXml ? 1 : 0,
    updated_at: ctx.clock.now(),
  } as const;
  await saveDeliverySettingsRow(db, tenantId, row);
  return next;
}
