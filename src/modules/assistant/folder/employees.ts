/** Employees (员工): the owner of a folder — a console user, an expense system's user, or both linked by an admin. */

import { isUniqueViolation } from '../../../platform/db/sql-helpers.js';
import type { Deps } from '../../../platform/deps.js';
import { ctxOf } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import { type AuditMeta, auditSnapshot, withAudit } from '../../audit/index.js';
import { type Caller, isActiveUser } from '../../auth/index.js';
import type { Employee } from '../assistant.tables.js';
import { findEmployee, upsertEmployeeByUser } from '../events/events.repo.js';
import {
  FOLDER_EMPLOYEE_CONFLICT,
  FOLDER_EMPLOYEE_NOT_FOUND,
  FOLDER_NOT_OWN,
  FOLDER_USER_NOT_FOUND,
} from './folder.errors.js';
import { findEmployeeBy, moveFolderItems, ownersOf, updateEmployeeRow } from './folder.repo.js';

/** The employee of a console user (created on first use, named after the user). */
export async function employeeOfCaller(deps: Deps, caller: Caller): Promise<Employee> {
  // folder.own is a console user's permission (API apps do not hold it); a session always names its user.
  const userId = caller.session?.userId ?? caller.actorId;
  // Reads do not write: the upsert only runs the first time.
  const existing = await findEmployeeBy(deps.db.kysely, caller.tenantId, { userId });
  if (existing) return existing;
  const now = deps.clock.now();
  return upsertEmployeeByUser(deps.db.kysely, {
    id: newId('emp', now),
    tenantId: caller.tenantId,
    userId,
    name: caller.session?.displayName || caller.actorName,
    now,
  });
}

/** Hands items of `from`'s folder to a colleague (all or nothing; audited). Answers the ids moved. */
export async function handOver(
  deps: Deps,
  meta: AuditMeta,
  from: Employee,
  toEmployeeId: string,
  invoiceIds: readonly string[],
): Promise<string[]> {
  const db = deps.db.kysely;
  const ids = [...new Set(invoiceIds)];
  if (toEmployeeId === from.id) throw new AppError(FOLDER_NOT_OWN, '不能转交给自己', { toEmployeeId });
  const to = await findEmployee(db, from.tenant_id, toEmployeeId);
  if (!to) throw new AppError(FOLDER_EMPLOYEE_NOT_FOUND);
  const owners = await ownersOf(db, from.tenant_id, ids);
  const notOwn = ids.filter((id) => owners.get(id) !== from.id);
  if (notOwn.length > 0) throw new AppError(FOLDER_NOT_OWN, undefined, { invoiceIds: notOwn.slice(0, 100) });
  const now = deps.clock.now();
  return withAudit(
    ctxOf(deps),
    meta,
    async (c) => {
      const moved = await moveFolderItems(c.db, from.tenant_id, from.id, to.id, ids, now);
      // Someone moved one of them meanwhile: nothing moves.
      if (moved.length !== ids.length) throw new AppError(FOLDER_NOT_OWN);
      return moved;
    },
    (moved) => ({
      action: 'folder.hand_over',
      target: { type: 'employee', id: to.id },
      before: { employeeId: from.id },
      after: { employeeId: to.id, employeeName: to.name, invoiceIds: moved },
    }),
  );
}

/** Links an employee to a console user and/or an external id, or renames it (users.manage; audited). */
export async function updateEmployee(
  deps: Deps,
  meta: AuditMeta,
  tenantId: string,
  id: string,
  patch: {
    userId?: string | null | undefined;
    externalId?: string | null | undefined;
    name?: string | null | undefined;
  },
): Promise<Employee> {
  const db = deps.db.kysely;
  const before = await findEmployee(db, tenantId, id);
  if (!before) throw new AppError(FOLDER_EMPLOYEE_NOT_FOUND);
  if (patch.userId) {
    if (!(await isActiveUser({ db }, tenantId, patch.userId))) throw new AppError(FOLDER_USER_NOT_FOUND);
    const other = await findEmployeeBy(db, tenantId, { userId: patch.userId });
    if (other && other.id !== id) throw new AppError(FOLDER_EMPLOYEE_CONFLICT, undefined, { employeeId: other.id });
  }
  if (patch.externalId) {
    const other = await findEmployeeBy(db, tenantId, { externalId: patch.externalId });
    if (other && other.id !== id) throw new AppError(FOLDER_EMPLOYEE_CONFLICT, undefined, { employeeId: other.id });
  }
  const set = {
    ...(patch.userId !== undefined ? { user_id: patch.userId } : {}),
    ...(patch.externalId !== undefined ? { external_id: patch.externalId } : {}),
    ...(patch.name !== undefined ? { name: patch.name?.trim() || null } : {}),
    updated_at: deps.clock.now(),
  };
  try {
    return await withAudit(
      ctxOf(deps),
      meta,
      async (c) => {
        const row = await updateEmployeeRow(c.db, tenantId, id, set);
        if (!row) throw new AppError(FOLDER_EMPLOYEE_NOT_FOUND);
        return row;
      },
      (row) => ({
        action: 'employees.update',
        target: { type: 'employee', id },
        before: auditSnapshot(before),
        after: auditSnapshot(row),
      }),
    );
  } catch (err) {
    // A concurrent link of the same user or external id: the unique index refused it.
    if (err instanceof AppError) throw err;
    if (isUniqueViolation(err)) throw new AppError(FOLDER_EMPLOYEE_CONFLICT);
    throw err;
  }
}
