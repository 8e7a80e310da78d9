import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';

/**
 * What to show for the tenant's actors among `ids` (a `Caller.actorId` as stored, e.g. who brought a received file):
 * a console user's display name, an API app's name. Ids of neither (a mail address, a removed user or app) are not
 * in the map: show the id itself. Two indexed lookups, whatever the number of ids.
 */
export async function actorDisplayNames(
  db: Kysely<Database>,
  tenantId: string,
  ids: Iterable<string | null | undefined>,
): Promise<Map<string, string>> {
  const wanted = [...new Set([...ids].filter((id): id is string => typeof id === 'string' && id !== ''))];
  const names = new Map<string, string>();
  if (wanted.length === 0) return names;
  const [users, apps] = await Promise.all([
    db
      .selectFrom('users')
      .select(['id', 'display_name', 'username'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', wanted)
      .execute(),
    db
      .selectFrom('api_apps')
      .select(['app_id', 'name'])
      .where('tenant_id', '=', tenantId)
      .where('app_id', 'in', wanted)
      .execute(),
  ]);
  for (const u of users) names.set(u.id, u.display_name || u.username);
  for (const a of apps) names.set(a.app_id, a.name);
  return names;
}

/** What to show for the actor `id` given `names` from actorDisplayNames: the name, else the id itself (none: null). */
export function actorNameOf(names: ReadonlyMap<string, string>, id: string | null | undefined): string | null {
  return id ? (names.get(id) ?? id) : null;
}

/**
 * The ids of the tenant's actors called `name`: users whose display name or login name it is, apps whose name it is
 * (a 提交人 filter typed as the console shows it). At most 100.
 */
export async function actorIdsNamed(db: Kysely<Database>, tenantId: string, name: string): Promise<string[]> {
  const [users, apps] = await Promise.all([
    db
      .selectFrom('users')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('display_name', '=', name), eb('username', '=', name)]))
      .limit(100)
      .execute(),
    db
      .selectFrom('api_apps')
      .select('app_id')
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name)
      .limit(100)
      .execute(),
  ]);
  return [...users.map((u) => u.id), ...apps.map((a) => a.app_id)];
}
