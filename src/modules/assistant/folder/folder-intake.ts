/**
 * Files into a folder: intake through collection (source `assistant` from the pages, `upload` from the console),
 * then each item into the employee's folder (an item someone else collected first stays theirs).
 */
import type { Deps } from '../../../platform/deps.js';
import {
  enterReceivedInvoice,
  findReceivedInvoicesByIds,
  intakeReceivedFiles,
  type ManualEntry,
  type ReceivedInvoice,
  type ReceivedSource,
} from '../../collection/index.js';
import { findOrg } from '../../orgs/index.js';
import type { CompanyInfo } from '../events/create-event.js';
import { addToFolder } from './folder.repo.js';

export interface FolderIntakeInput {
  readonly tenantId: string;
  readonly employeeId: string;
  readonly source: ReceivedSource;
  readonly broughtBy: string;
  readonly sourceRef?: string;
  /** The bill's companies: the first one that is an org of the tenant is the items' receiving org. */
  readonly companies?: readonly CompanyInfo[];
}

/** The tenant org among the companies, if any. */
async function buyerOrgOf(deps: Deps, tenantId: string, companies: readonly CompanyInfo[] = []) {
  for (const c of companies) {
    const org = await findOrg(deps.db.kysely, tenantId, c.taxNo);
    if (org) return org.id;
  }
  return undefined;
}

/** Rows of items in the order of `ids` (deleted ones dropped). */
async function rowsInOrder(deps: Deps, tenantId: string, ids: readonly string[]): Promise<ReceivedInvoice[]> {
  const rows = new Map((await findReceivedInvoicesByIds(deps.db.kysely, tenantId, ids)).map((r) => [r.id, r]));
  return ids.map((id) => rows.get(id)).filter((r): r is ReceivedInvoice => r !== undefined);
}

/** Intake of uploaded files into the employee's folder: the items (rows) and each file's outcome. */
export async function intakeIntoFolder(
  deps: Deps,
  input: FolderIntakeInput,
  files: ReadonlyArray<{ fileName: string; bytes: Uint8Array }>,
): Promise<{ rows: ReceivedInvoice[]; files: Array<{ fileName: string; error?: { code: string; message: string } }> }> {
  const buyerOrgId = await buyerOrgOf(deps, input.tenantId, input.companies);
  const result = await intakeReceivedFiles(deps, {
    tenantId: input.tenantId,
    files,
    source: input.source,
    broughtBy: input.broughtBy,
    ...(input.sourceRef ? { sourceRef: input.sourceRef } : {}),
    ...(buyerOrgId ? { buyerOrgId } : {}),
  });
  const ids = result.items.map((i) => i.id);
  await addToFolder(deps.db.kysely, input.tenantId, input.employeeId, ids, deps.clock.now());
  return {
    rows: await rowsInOrder(deps, input.tenantId, ids),
    files: result.files.map((f, i) => ({
      fileName: files[i]?.fileName ?? 'file',
      ...(f.error ? { error: f.error } : {}),
    })),
  };
}

/** A manual entry (from a QR code read in the browser) into the employee's folder. */
export async function enterIntoFolder(
  deps: Deps,
  input: FolderIntakeInput,
  entry: ManualEntry,
): Promise<ReceivedInvoice[]> {
  const buyerOrgId = await buyerOrgOf(deps, input.tenantId, input.companies);
  const view = await enterReceivedInvoice(deps, {
    tenantId: input.tenantId,
    entry,
    source: input.source,
    broughtBy: input.broughtBy,
    buyerOrgId: buyerOrgId ?? null,
  });
  await addToFolder(deps.db.kysely, input.tenantId, input.employeeId, [view.id], deps.clock.now());
  return rowsInOrder(deps, input.tenantId, [view.id]);
}
