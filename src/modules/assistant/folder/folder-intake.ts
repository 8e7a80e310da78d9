/**
 * Files into a folder: intake through collection (source `assistant` from the pages, with the event as its reference;
 * `upload` from the console, with the employee), then each item into the employee's folder (an item someone else
 * collected first stays theirs). A picture that waited for OCR gives its further items later: the reread puts them
 * into the same folder ({@link addRereadItemsToFolder}) — also when the file was uploaded to the pool first and still
 * waits when it is uploaded here (this upload takes it over); a file already in another employee's folder stays
 * theirs, its later items included.
 */
import type { Deps } from '../../../platform/deps.js';
import {
  enterReceivedInvoice,
  findReceivedInvoicesByIds,
  type IntakeFileStatus,
  intakeReceivedFiles,
  type ManualEntry,
  type ReceivedInvoice,
  type ReceivedSource,
  type RereadItemsListener,
  registerRereadItemsListener,
} from '../../collection/index.js';
import { findOrg } from '../../orgs/index.js';
import type { CompanyInfo } from '../events/create-event.js';
import { addToFolder, folderOwnerOfFile } from './folder.repo.js';

export interface FolderIntakeInput {
  readonly tenantId: string;
  readonly employeeId: string;
  readonly source: ReceivedSource;
  readonly broughtBy: string;
  /** The intake's reference: the event (source `assistant`); else the employee's id is recorded. */
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
): Promise<{ rows: ReceivedInvoice[]; files: FolderFileResult[] }> {
  const buyerOrgId = await buyerOrgOf(deps, input.tenantId, input.companies);
  const result = await intakeReceivedFiles(deps, {
    tenantId: input.tenantId,
    files,
    source: input.source,
    broughtBy: input.broughtBy,
    // What names the folder when a reread finds more items in a file later (folderOwnerOfFile).
    sourceRef: input.sourceRef ?? input.employeeId,
    ...(buyerOrgId ? { buyerOrgId } : {}),
    // A file that still waits for OCR and is in no folder (uploaded to the pool first) becomes this upload's: what its
    // reread finds goes into this folder. One already in someone's folder stays theirs.
    takeOverWaiting: async (trx, file) => (await folderOwnerOfFile(trx, file)) === undefined,
  });
  const ids = result.items.map((i) => i.id);
  await addToFolder(deps.db.kysely, input.tenantId, input.employeeId, ids, deps.clock.now());
  return {
    rows: await rowsInOrder(deps, input.tenantId, ids),
    files: result.files.map((f, i) => ({
      fileName: files[i]?.fileName ?? 'file',
      sha256: f.sha256,
      status: f.status,
      ...(f.error ? { error: f.error } : {}),
      ...(f.pending ? { pending: f.pending } : {}),
    })),
  };
}

/** One uploaded file's outcome in a folder upload (see IntakeFileResult: `pending` while it waits for OCR). */
export interface FolderFileResult {
  readonly fileName: string;
  /** SHA-256 of the file: the items read from it carry the same `sha256`. */
  readonly sha256: string;
  readonly status: IntakeFileStatus;
  readonly error?: { readonly code: string; readonly message: string };
  readonly pending?: { readonly code: string; readonly message: string };
}

/** Items a reread of a folder upload found: into the folder of the file's first items (in the reread's transaction). */
export const addRereadItemsToFolder: RereadItemsListener = async (trx, file, items, now) => {
  const employeeId = await folderOwnerOfFile(trx, file);
  if (employeeId)
    await addToFolder(
      trx,
      file.tenant_id,
      employeeId,
      items.map((i) => i.id),
      now,
    );
};

/** Registers {@link addRereadItemsToFolder} with collection. Every process runs it (the reread runs in workers). */
export function registerFolderIntake(): void {
  registerRereadItemsListener(addRereadItemsToFolder);
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
