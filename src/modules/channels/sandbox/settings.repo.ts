import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { CHANNEL_ERRORS } from '../channels.errors.js';
import { mergeSettings, parseStoredSettings, type SandboxSettings } from './sandbox-settings.js';

/** The tenant's sandbox settings (defaults when none were saved). */
export async function loadSettings(db: Kysely<Database>, tenantId: string): Promise<SandboxSettings> {
  const row = await db
    .selectFrom('sandbox_settings')
    .select('settings_json')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return parseStoredSettings(row?.settings_json);
}

/**
 * Sets the given fields (others keep their value). Replacing `rules` resets their `times` counters, so a test can
 * install "fail twice" again and see it fail twice.
 */
export async function updateSettings(
  db: Kysely<Database>,
  tenantId: string,
  patch: Partial<SandboxSettings>,
  now: number,
): Promise<SandboxSettings> {
  return db.transaction().execute(async (trx) => {
    const merged = mergeSettings(await loadSettings(trx, tenantId), patch);
    if (!merged.ok) throw new AppError(CHANNEL_ERRORS.SANDBOX_SETTINGS_INVALID, merged.problem);
    const settingsJson = JSON.stringify(merged.settings);
    await trx
      .insertInto('sandbox_settings')
      .values({ tenant_id: tenantId, settings_json: settingsJson, updated_at: now })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings_json: settingsJson, updated_at: now }))
      .execute();
    if (patch.rules !== undefined)
      await trx.deleteFrom('sandbox_rule_hits').where('tenant_id', '=', tenantId).execute();
    return merged.settings;
  });
}

/**
 * Counts one hit of a `times`-limited rule if it has hits left; true when this call should fail. One statement on
 * both dialects (an upsert whose update arm applies only while `hits < times`), so N concurrent calls fail exactly
 * `times` and no lock outlives the statement.
 */
export async function claimRuleHit(
  db: Kysely<Database>,
  tenantId: string,
  ruleIndex: number,
  times: number,
): Promise<boolean> {
  const row = await db
    .insertInto('sandbox_rule_hits')
    .values({ tenant_id: tenantId, rule_index: ruleIndex, hits: 1 })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'rule_index'])
        .doUpdateSet((eb) => ({ hits: eb(eb.ref('sandbox_rule_hits.hits'), '+', 1) }))
        .where('sandbox_rule_hits.hits', '<', times),
    )
    .returning('hits')
    .executeTakeFirst();
  return row !== undefined;
}
