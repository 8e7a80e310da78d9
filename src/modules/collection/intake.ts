/**
 * Intake (收票): every channel (upload, API, mail, assistant) ends here. Each file is stored unchanged in the blob
 * store and recorded (even when it cannot be parsed), parsed on the parse pool's worker threads (a ZIP is expanded
 * there first, each entry becoming a file of its own), and each invoice found becomes an item of the pool, inserted
 * with its processing job in one transaction. Idempotent by content: the same bytes again answer the items they
 * gave (a unique index per tenant and sha256, and one live item per file and index, settle concurrent intakes).
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  type ExpandedArchive,
  isOfdContainer,
  type ParsedInvoice,
  sniffFormat,
  sniffImage,
} from '../../parse/index.js';
import type { Database } from '../../platform/db/database.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { newId } from '../../platform/ids.js';
import { isDigitalReceivedKind, type ReceivedInvoiceKind, toFen } from '../../tax/index.js';
import type { BlobStore } from '../documents/index.js';
import { listOrgs } from '../orgs/index.js';
import { INVOICE_FILE_OCR_UNAVAILABLE } from './collection.errors.js';
import type { ReceivedFile, ReceivedInvoice, ReceivedInvoiceTable, ReceivedSource } from './collection.tables.js';
import { recomputeCompliance } from './compliance/recompute.js';
import { BlobClaims } from './orphan-blobs.js';
import { PARSE_FAILURE_ERRORS, TEMPORARY_PARSE_REFUSALS } from './parse-failures.js';
import { getParsePool, type OcrNote, PARSE_LIMITS, ParseRejected } from './parse-pool.js';
import {
  findFileById,
  findFileBySha,
  findItemsOfFile,
  findLiveItemsOfFiles,
  findSameInvoice,
  insertReceivedFile,
  insertReceivedInvoice,
  lockFileById,
  setArchiveEntries,
  setDuplicateOf,
  setFileParseOutcome,
  takeOverWaitingFile,
  updateReceivedInvoice,
} from './received.repo.js';
import { receivedBlobs } from './received-blobs.js';
import { publishReceivedEvent } from './received-events.js';
import { type ReceivedInvoiceView, toReceivedInvoiceViews } from './received-view.js';
import { type ArchiveEntry, archiveEntriesJson, extractionJson, receivedLinesJson } from './stored-json.js';
import { PROCESS_RECEIVED_TASK, REREAD_RECEIVED_FILE_TASK } from './tasks/task-ids.js';
import { enqueueVerification, verificationQueryOf } from './verification/verify-received.js';

/** What a channel hands to intake. */
export interface IntakeInput {
  readonly tenantId: string;
  readonly files: ReadonlyArray<{ readonly fileName: string; readonly bytes: Uint8Array }>;
  readonly source: ReceivedSource;
  /** The channel's own reference (a mail import's id …). */
  readonly sourceRef?: string;
  /** Who brought it: a user id, an app id, a mail address. */
  readonly broughtBy?: string;
  /** Which of the tenant's orgs received it; else the org whose tax id the invoice names as buyer, if any. */
  readonly buyerOrgId?: string;
  readonly note?: string;
  /**
   * Whether this intake takes over a file that an earlier intake recorded and that still waits for OCR (in the
   * intake's transaction): the file then records this intake's `source`, `sourceRef` and `broughtBy`, so the items
   * its reread finds follow them (the assistant: a folder upload takes over a file that is in no folder yet).
   */
  readonly takeOverWaiting?: (trx: Kysely<Database>, file: ReceivedFile) => Promise<boolean>;
}

/** What became of one file: read (`ok`), unreadable (`failed`), a ZIP (`archive`), or waiting for OCR. */
export type IntakeFileStatus = 'ok' | 'failed' | 'archive' | 'ocr_pending';

/** One file's outcome. */
export interface IntakeFileResult {
  readonly fileId: string;
  readonly sha256: string;
  /** False when the tenant had these bytes already. */
  readonly created: boolean;
  readonly status: IntakeFileStatus;
  /** Why it could not be read (status `failed`). */
  readonly error?: { readonly code: string; readonly message: string };
  /**
   * Why it waits (status `ocr_pending`): it needed OCR while OCR was unavailable; it is read again later and its items
   * (beyond those its QR gave) come then.
   */
  readonly pending?: { readonly code: string; readonly message: string };
}

/** What writing one planned file gave. */
interface WrittenFile {
  readonly file: ReceivedFile;
  readonly created: boolean;
  readonly status: IntakeFileStatus;
  readonly error?: { code: string; message: string };
  readonly pending?: { code: string; message: string };
}

export interface IntakeResult {
  /** Every live item of the files, new or existing, in file order. */
  readonly items: ReceivedInvoiceView[];
  readonly files: IntakeFileResult[];
  /** How many items this intake inserted (0: everything was there already). */
  readonly createdItems: number;
}

type Outcome =
  | { readonly kind: 'ok'; readonly invoices: readonly ParsedInvoice[] }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string }
  /**
   * The file needs OCR and OCR was temporarily unavailable: what its QR gave (maybe nothing), and the file is read
   * again later (collection/reread-received-file), never recorded as unreadable for it.
   */
  | {
      readonly kind: 'ocr_pending';
      readonly invoices: readonly ParsedInvoice[];
      readonly code: string;
      readonly message: string;
      /**
       * Set when the file was read without trying OCR at all: the engine was waiting out its retry delay after a
       * failed load, for this many milliseconds more (the parse pool's OcrNote). A reread that gets it spent no try.
       */
      readonly ocrRetryInMs?: number;
    }
  | { readonly kind: 'archive'; readonly entries: ReadonlyArray<PlannedEntry> };

/** What reading one invoice file (not a ZIP) gives. */
type FileOutcome = Exclude<Outcome, { readonly kind: 'archive' }>;

type PlannedEntry =
  | { readonly name: string; readonly file: PlannedFile }
  | { readonly name: string; readonly error: { code: string; message: string } };

/** A file read and parsed, before anything is written. */
interface PlannedFile {
  readonly fileName: string;
  readonly sha256: string;
  readonly size: number;
  readonly format: string;
  readonly contentType: string;
  readonly outcome: Outcome;
}

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  ofd: 'application/ofd',
  xml: 'application/xml',
  zip: 'application/zip',
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  unknown: 'application/octet-stream',
};

/** The format of the bytes (sniffed, never the name): pdf, ofd, xml, zip, png, jpeg, webp or unknown. */
export function sniffReceivedFormat(bytes: Uint8Array): string {
  const sniffed = sniffFormat(bytes);
  if (sniffed === 'zip') return isOfdContainer(bytes) ? 'ofd' : 'zip';
  if (sniffed === 'image') return sniffImage(bytes) ?? 'unknown';
  return sniffed;
}

/** The formats intake reads (a ZIP of them too). */
const INVOICE_FORMATS = new Set(['pdf', 'ofd', 'xml', 'png', 'jpeg', 'webp']);

/** Whether intake takes these bytes: an invoice format or a ZIP (sniffed, never the name or the declared type). */
export function isIntakeFile(bytes: Uint8Array): boolean {
  const format = sniffReceivedFormat(bytes);
  return format === 'zip' || INVOICE_FORMATS.has(format);
}

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const MAX_NAME = 255;
const capName = (name: string) => {
  const clean = [...name.slice(0, 4 * MAX_NAME)]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .trim();
  return (clean || 'file').slice(0, MAX_NAME);
};

/**
 * Stores, parses and records the files; answers every item they hold. Never throws for a bad file (its error is
 * recorded on its row and answered in `files`), only for infrastructure (database, blob store).
 */
export async function intakeReceivedFiles(deps: Deps, input: IntakeInput): Promise<IntakeResult> {
  const store = { blobs: receivedBlobs(deps), claims: new BlobClaims(deps) };
  let written: { results: WrittenFile[]; fileIds: string[]; createdItems: number };
  try {
    // Files are read side by side on the parse pool (it queues what its workers cannot take yet).
    const [planned, orgs] = await Promise.all([
      mapLimited(input.files, PLAN_CONCURRENCY, (f) =>
        planFile(deps, store, input.tenantId, capName(f.fileName), f.bytes, 0),
      ),
      input.buyerOrgId ? [] : listOrgs({ db: deps.db.kysely }, input.tenantId),
    ]);
    const orgByTaxId = new Map(orgs.map((o) => [o.tax_id, o.id]));

    written = await deps.db.kysely.transaction().execute(async (trx) => {
      const writer = new IntakeWriter(deps, trx, input, orgByTaxId);
      const results: WrittenFile[] = [];
      for (const p of planned) results.push(await writer.write(p, null));
      await writer.markDuplicates();
      // Every blob this intake stored has its file row now: no longer an orphan candidate.
      await store.claims.settle(trx);
      return { results, fileIds: writer.fileIds, createdItems: writer.createdItems };
    });
  } finally {
    // A failed intake leaves its claims: the orphan sweep removes the blobs after the grace period.
    store.claims.stop();
  }
  if (written.createdItems > 0) deps.jobs.notify();
  const db = deps.db.kysely;
  const items = await findLiveItemsOfFiles(db, input.tenantId, written.fileIds);
  const order = new Map(written.fileIds.map((id, i) => [id, i]));
  items.sort(
    (a, b) =>
      (order.get(a.file_id ?? '') ?? 0) - (order.get(b.file_id ?? '') ?? 0) || a.index_in_file - b.index_in_file,
  );
  return {
    items: await toReceivedInvoiceViews(db, input.tenantId, items),
    files: written.results.map(({ file, created, status, error, pending }) => ({
      fileId: file.id,
      sha256: file.sha256,
      created,
      status,
      ...(error ? { error } : {}),
      ...(pending ? { pending } : {}),
    })),
    createdItems: written.createdItems,
  };
}

/**
 * Reads one file (and a ZIP's entries) into a plan: stored in the blob store (claimed first, so that what an intake
 * that never commits leaves behind is swept: orphan-blobs.ts), parsed, nothing recorded yet.
 */
async function planFile(
  deps: Deps,
  store: { readonly blobs: BlobStore; readonly claims: BlobClaims },
  tenantId: string,
  fileName: string,
  bytes: Uint8Array,
  depth: number,
): Promise<PlannedFile> {
  const sha256 = sha256Of(bytes);
  const format = bytes.length === 0 ? 'unknown' : sniffReceivedFormat(bytes);
  const base = {
    fileName,
    sha256,
    size: bytes.length,
    format,
    contentType: CONTENT_TYPES[format] ?? CONTENT_TYPES.unknown!,
  };
  // A file the tenant has, that read fine and still has its items, is not parsed again.
  const existing = await findFileBySha(deps.db.kysely, tenantId, sha256);
  if (existing && existing.parse_status === 'failed') {
    return {
      ...base,
      outcome: { kind: 'failed', code: existing.error_code ?? '', message: existing.error_message ?? '' },
    };
  }
  if (
    (existing?.parse_status === 'ok' || existing?.parse_status === 'ocr_pending') &&
    (await findLiveItemsOfFiles(deps.db.kysely, tenantId, [existing.id])).length
  ) {
    return { ...base, outcome: { kind: 'ok', invoices: [] } };
  }
  // Waiting for OCR with nothing read yet: its job reads it again; the same bytes meanwhile answer the same.
  if (existing?.parse_status === 'ocr_pending') {
    const code = existing.error_code ?? INVOICE_FILE_OCR_UNAVAILABLE.code;
    return { ...base, outcome: { kind: 'ocr_pending', invoices: [], code, message: existing.error_message ?? '' } };
  }
  if (!existing) {
    await store.claims.claim(sha256);
    await store.blobs.put(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  if (bytes.length === 0) return { ...base, outcome: failed('CORRUPT', '文件为空') };
  if (bytes.length > PARSE_LIMITS.maxFileBytes) {
    return {
      ...base,
      outcome: failed('TOO_LARGE', `文件过大（${bytes.length} 字节，上限 ${PARSE_LIMITS.maxFileBytes} 字节）`),
    };
  }
  const pool = getParsePool();
  if (format === 'zip') {
    if (depth > 0) return { ...base, outcome: failed('UNSUPPORTED_TYPE', '压缩包内嵌套的压缩包不予解压') };
    let archive: ExpandedArchive;
    try {
      archive = await pool.expand(bytes);
    } catch (err) {
      return { ...base, outcome: rejected(deps, err) };
    }
    const entries: PlannedEntry[] = await mapLimited(archive.files, PLAN_CONCURRENCY, async (file) =>
      // Entries that are no invoice file at all (a readme, a spreadsheet) are listed, not stored.
      INVOICE_FORMATS.has(sniffReceivedFormat(file.bytes))
        ? { name: file.name, file: await planFile(deps, store, tenantId, capName(file.name), file.bytes, 1) }
        : { name: file.name, error: errorOf('UNSUPPORTED_TYPE', `${capName(file.name)} 不是发票文件类型`) },
    );
    for (const skip of archive.skipped) entries.push({ name: skip.name, error: errorOf(skip.code, skip.message) });
    return { ...base, outcome: { kind: 'archive', entries } };
  }
  return { ...base, outcome: await readFile(deps, bytes) };
}

/** Parses one invoice file on the pool into its outcome (ok, failed, or waiting for OCR). */
async function readFile(deps: Deps, bytes: Uint8Array): Promise<FileOutcome> {
  const ocrNote: OcrNote = { retryInMs: null };
  try {
    // A PDF may hold several invoices (a merged print): one item each, in page order (index_in_file).
    const invoices = await getParsePool().parseAll(bytes, { ocrNote });
    const partial = invoices.flatMap((i) => i.warnings).find((w) => w.code === 'OCR_UNAVAILABLE');
    if (!partial) return { kind: 'ok', invoices };
    deps.logger.warn({ reason: partial.message }, 'received file read without OCR (unavailable): read again later');
    return {
      kind: 'ocr_pending',
      invoices,
      code: INVOICE_FILE_OCR_UNAVAILABLE.code,
      message: partial.message,
      ...ocrRetry(ocrNote),
    };
  } catch (err) {
    return rejected(deps, err, ocrNote);
  }
}

/** The outcome's `ocrRetryInMs` when the pool read the file without trying OCR (its engine's retry delay). */
const ocrRetry = (note: OcrNote | undefined) => (note?.retryInMs != null ? { ocrRetryInMs: note.retryInMs } : {});

/** Files planned at once: enough to keep the parse pool's workers busy, few enough to bound memory. */
const PLAN_CONCURRENCY = 4;

/** `fn` over `items` with at most `limit` running at once; results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}

function errorOf(code: string, message: string): { code: string; message: string } {
  const mapped = PARSE_FAILURE_ERRORS[code as keyof typeof PARSE_FAILURE_ERRORS];
  return { code: mapped?.code ?? code, message };
}

function failed(code: string, message: string): FileOutcome {
  return { kind: 'failed', ...errorOf(code, message) };
}

/**
 * A parse that did not give an invoice: the parser's refusal, OCR temporarily unavailable (waits for OCR), the pool
 * stopping (thrown: 503, nothing recorded; a job retries), or a crash on this file (logged, recorded as corrupt).
 */
function rejected(deps: Deps, err: unknown, ocrNote?: OcrNote): FileOutcome {
  if (err instanceof ParseRejected && err.code === 'OCR_UNAVAILABLE') {
    deps.logger.warn({ reason: err.message }, 'received file needs OCR, which is unavailable: read again later');
    return {
      kind: 'ocr_pending',
      invoices: [],
      code: INVOICE_FILE_OCR_UNAVAILABLE.code,
      message: err.message,
      ...ocrRetry(ocrNote),
    };
  }
  if (err instanceof ParseRejected && TEMPORARY_PARSE_REFUSALS.has(err.code))
    throw new AppError(PARSE_FAILURE_ERRORS[err.code], err.message);
  if (err instanceof ParseRejected) return failed(err.code, err.message);
  deps.logger.warn({ err }, 'received file could not be parsed');
  return failed('CORRUPT', '文件无法解析（解析器出错）');
}

const cap = (value: string | null | undefined, max: number): string | null =>
  value === null || value === undefined ? null : value.slice(0, max);

const fenOf = (value: string | null): number | null => {
  if (value === null) return null;
  try {
    return toFen(value);
  } catch {
    return null;
  }
};

/** The item row of one parsed invoice. */
export function itemFieldsOf(
  parsed: ParsedInvoice,
): Omit<
  ReceivedInvoiceTable,
  | 'id'
  | 'tenant_id'
  | 'file_id'
  | 'index_in_file'
  | 'source'
  | 'source_ref'
  | 'brought_by'
  | 'buyer_org_id'
  | 'note'
  | 'verification_status'
  | 'verified_at'
  | 'red_total_fen'
  | 'compliance_result'
  | 'compliance_json'
  | 'duplicate_of'
  | 'usage_status'
  | 'created_at'
  | 'updated_at'
  | 'deleted_at'
> {
  const lines = parsed.lines.slice(0, 2000).map((l) => ({
    name: l.name.slice(0, 300),
    spec: cap(l.spec, 300),
    unit: cap(l.unit, 100),
    quantity: cap(l.quantity, 40),
    unitPrice: cap(l.unitPrice, 40),
    amount: cap(l.amount, 40),
    taxRate: cap(l.taxRate, 20),
    taxAmount: cap(l.taxAmount, 40),
  }));
  return {
    kind: parsed.kind,
    code: cap(parsed.code, 20),
    number: cap(parsed.number, 40),
    issue_date: cap(parsed.issueDate, 10),
    check_code: cap(parsed.checkCode, 40),
    seller_name: cap(parsed.seller.name, 300),
    seller_tax_id: cap(parsed.seller.taxId, 40),
    buyer_name: cap(parsed.buyer.name, 300),
    buyer_tax_id: cap(parsed.buyer.taxId, 40),
    amount_fen: fenOf(parsed.totals.amount),
    tax_fen: fenOf(parsed.totals.tax),
    total_fen: fenOf(parsed.totals.total),
    is_red: parsed.isRed ? 1 : 0,
    lines_json: receivedLinesJson.encode(lines),
    remark: cap(parsed.remark, 2000),
    extraction_json: extractionJson.encode({
      format: parsed.format,
      fieldSources: { ...parsed.fieldSources } as Record<string, string>,
      confidence: { ...parsed.confidence } as Record<string, number>,
      overallConfidence: parsed.overallConfidence,
      warnings: parsed.warnings.slice(0, 100).map((w) => ({
        code: w.code,
        message: w.message.slice(0, 500),
        ...(w.field ? { field: w.field } : {}),
      })),
      passenger: parsed.passenger ? { ...parsed.passenger } : null,
      qrPayload: cap(parsed.qrPayload, 500),
    }),
  };
}

/** Writes planned files and their items inside the intake transaction. */
class IntakeWriter {
  readonly fileIds: string[] = [];
  createdItems = 0;
  readonly inserted: ReceivedInvoice[] = [];
  private readonly now: number;

  constructor(
    private readonly deps: Deps,
    private readonly trx: Kysely<Database>,
    private readonly input: IntakeInput,
    private readonly orgByTaxId: ReadonlyMap<string, string>,
  ) {
    this.now = deps.clock.now();
  }

  async write(p: PlannedFile, parentId: string | null): Promise<WrittenFile> {
    const { input, now } = this;
    const outcome = p.outcome;
    const { file, created } = await insertReceivedFile(this.trx, {
      id: newId('rcf', now),
      tenant_id: input.tenantId,
      sha256: p.sha256,
      size: p.size,
      file_name: p.fileName,
      content_type: p.contentType,
      format: p.format,
      parent_id: parentId,
      entries_json: null,
      source: input.source,
      source_ref: cap(input.sourceRef, 200),
      brought_by: cap(input.broughtBy, 200),
      buyer_org_id: input.buyerOrgId ?? null,
      note: cap(input.note, 500),
      parse_status: outcome.kind,
      error_code: outcome.kind === 'failed' || outcome.kind === 'ocr_pending' ? outcome.code : null,
      error_message: outcome.kind === 'failed' || outcome.kind === 'ocr_pending' ? outcome.message : null,
      created_at: now,
    });
    if (outcome.kind === 'failed') {
      this.fileIds.push(file.id);
      return { file, created, status: 'failed', error: { code: outcome.code, message: outcome.message } };
    }
    if (outcome.kind === 'archive') {
      const entries: ArchiveEntry[] = [];
      for (const entry of outcome.entries) {
        if ('error' in entry) {
          entries.push({ name: entry.name, fileId: null, error: entry.error });
          continue;
        }
        // An entry waiting for OCR has no error: its own file says what became of it (the archive's view shows it).
        const child = await this.write(entry.file, file.id);
        entries.push({ name: entry.name, fileId: child.file.id, error: child.error ?? null });
      }
      if (created) await setArchiveEntries(this.trx, file.id, archiveEntriesJson.encode(entries));
      return { file, created, status: 'archive' };
    }
    this.fileIds.push(file.id);
    for (const [index, parsed] of outcome.invoices.entries()) await this.insertItem(file.id, index, parsed);
    if (outcome.kind === 'ocr_pending') {
      if (file.parse_status !== 'ocr_pending') {
        // Known already (its items were deleted) and read again while OCR is unavailable.
        await setFileParseOutcome(this.trx, input.tenantId, file.id, {
          parse_status: 'ocr_pending',
          error_code: outcome.code,
          error_message: outcome.message,
        });
      }
      if (created || file.parse_status !== 'ocr_pending') await scheduleReread(this.deps, this.trx, file, 0);
      if (!created) await this.takeOver({ ...file, parse_status: 'ocr_pending' });
      return { file, created, status: 'ocr_pending', pending: { code: outcome.code, message: outcome.message } };
    }
    if (file.parse_status === 'ocr_pending') {
      // Known already, its QR's items there, still waiting for OCR.
      await this.takeOver(file);
      const pending = { code: file.error_code ?? INVOICE_FILE_OCR_UNAVAILABLE.code, message: file.error_message ?? '' };
      return { file, created, status: 'ocr_pending', pending };
    }
    return { file, created, status: 'ok' };
  }

  /** A file known already that waits for OCR: this intake becomes its source when the caller takes it over. */
  private async takeOver(file: ReceivedFile): Promise<void> {
    const { input } = this;
    if (!input.takeOverWaiting || !(await input.takeOverWaiting(this.trx, file))) return;
    await takeOverWaitingFile(this.trx, file, {
      source: input.source,
      source_ref: cap(input.sourceRef, 200),
      brought_by: cap(input.broughtBy, 200),
    });
  }

  async insertItem(fileId: string, index: number, parsed: ParsedInvoice): Promise<void> {
    const { input, now } = this;
    const fields = itemFieldsOf(parsed);
    const buyerOrgId =
      input.buyerOrgId ??
      (fields.buyer_tax_id ? (this.orgByTaxId.get(fields.buyer_tax_id.toUpperCase()) ?? null) : null);
    const item = await insertReceivedInvoice(this.trx, {
      id: newId('rcv', now),
      tenant_id: input.tenantId,
      file_id: fileId,
      index_in_file: index,
      source: input.source,
      source_ref: cap(input.sourceRef, 200),
      brought_by: cap(input.broughtBy, 200),
      buyer_org_id: buyerOrgId,
      note: cap(input.note, 500),
      ...fields,
      verification_status: 'pending',
      verified_at: null,
      compliance_result: 'pending',
      compliance_json: '[]',
      duplicate_of: null,
      usage_status: 'unused',
      created_at: now,
      updated_at: now,
      deleted_at: null,
    });
    if (!item) return;
    this.createdItems++;
    this.inserted.push(item);
    await enqueueProcessing(this.deps, this.trx, item);
  }

  /** Points each new item that repeats a live one (same kind family, code and number) at the oldest of them. */
  async markDuplicates(): Promise<void> {
    for (const item of this.inserted) await refreshDuplicates(this.trx, item, this.now);
  }
}

/** Enqueues the processing pipeline of a new item (verification, compliance, events) in the intake transaction. */
export async function enqueueProcessing(
  deps: Deps,
  trx: Kysely<Database>,
  item: Pick<ReceivedInvoice, 'id' | 'tenant_id'>,
): Promise<void> {
  await deps.jobs.enqueue(
    trx,
    PROCESS_RECEIVED_TASK,
    { tenantId: item.tenant_id, receivedId: item.id },
    { tenantId: item.tenant_id, key: item.id },
  );
}

/**
 * Recomputes `duplicate_of` for the live items that share this item's invoice identity: the oldest keeps null, every
 * other one points at it. 数电 kinds share one number space (a 20-digit number is unique nationally, whatever kind
 * a file or a typed entry says); other kinds match on kind, code and number. Answers the ids whose link changed (their
 * compliance depends on it).
 */
export async function refreshDuplicates(
  db: Kysely<Database>,
  item: Pick<ReceivedInvoice, 'tenant_id' | 'kind' | 'code' | 'number'>,
  now: number,
): Promise<string[]> {
  if (!item.number) return [];
  const digital = isDigitalReceivedKind(item.kind as ReceivedInvoiceKind);
  const same = await findSameInvoice(db, item.tenant_id, {
    kinds: digital ? DIGITAL_KINDS : [item.kind],
    ...(digital ? {} : { code: item.code }),
    number: item.number,
  });
  const first = same[0];
  const changed: string[] = [];
  for (const other of same) {
    const want = other.id === first?.id ? null : (first?.id ?? null);
    if (other.duplicate_of !== want) {
      await setDuplicateOf(db, item.tenant_id, other.id, want, now);
      changed.push(other.id);
    }
  }
  return changed;
}

const DIGITAL_KINDS = ['81', '82', '85', '86', '51', '61', '83', '84'] as const;

/** First delay before a file waiting for OCR is read again; it doubles per try, up to {@link MAX_REREAD_DELAY_MS}. */
const FIRST_REREAD_DELAY_MS = 60_000;
const MAX_REREAD_DELAY_MS = 60 * 60_000;
/**
 * Tries before a file waiting for OCR is settled with what it gave (≈ 1 day with the delays above). A try that found
 * the OCR engine waiting out its retry delay (nothing was tried for the file) is not counted: it is moved to the end
 * of that delay ({@link MIN_DEFERRED_REREAD_MS} at least).
 */
const MAX_REREADS = 30;
const MIN_DEFERRED_REREAD_MS = 1_000;
/**
 * However its tries went, a file waits for OCR at most this long (job clock, from its first wait) before it is
 * settled with what it gave: uncounted tries cannot keep a file waiting on a permanently broken engine.
 */
const MAX_REREAD_WAIT_MS = 2 * 24 * 60 * 60_000;

/** The delay before try `attempt` (0, 1, …) of reading a file again: 1 min, 2 min, 4 min … at most 1 h. */
function rereadDelayMs(attempt: number): number {
  return Math.min(MAX_REREAD_DELAY_MS, FIRST_REREAD_DELAY_MS * 2 ** Math.min(attempt, 20));
}

/**
 * Enqueues try `attempt` of reading a file again (a job of its own per try), due after the doubling delay or after
 * `delayMs`; `since` is when the file began waiting (job clock; default now).
 */
async function scheduleReread(
  deps: Deps,
  trx: Kysely<Database>,
  file: Pick<ReceivedFile, 'id' | 'tenant_id'>,
  attempt: number,
  since?: number,
  delayMs?: number,
): Promise<void> {
  const now = deps.clock.now();
  await deps.jobs.enqueue(
    trx,
    REREAD_RECEIVED_FILE_TASK,
    { tenantId: file.tenant_id, fileId: file.id, attempt, since: since ?? now },
    {
      tenantId: file.tenant_id,
      key: `${file.id}:${now}:${attempt}`,
      runAt: now + (delayMs ?? rereadDelayMs(attempt)),
    },
  );
}

/**
 * Reads a file again that waited for OCR (`ocr_pending`): once OCR works, the items read from its QR are completed
 * (only fields still empty are filled, with the source and confidence they were read with: nothing verification, an
 * edit or the QR put there is replaced), invoices found now become new items (an item deleted meanwhile is never
 * brought back), and the file is `ok`; a file that still gives no invoice is `failed` with the parser's reason. A
 * filled identity (kind, code, number) refreshes the duplicate links of the old and the new identity; changed 查验
 * inputs queue the verification again; both in the transaction of the change. While OCR is still unavailable the
 * next try is scheduled (doubling delay); a try that found the engine waiting out its retry delay is not counted and
 * is moved to the end of that delay. After {@link MAX_REREADS} counted tries, or {@link MAX_REREAD_WAIT_MS} after the
 * file began waiting, the file is settled with what it gave.
 * `complete` marks the job done in the same transaction. The pool stopping throws (the job is retried).
 */
export async function rereadReceivedFile(
  deps: Deps,
  payload: { readonly tenantId: string; readonly fileId: string; readonly attempt: number; readonly since?: number },
  complete: (trx: Kysely<Database>) => Promise<void>,
): Promise<void> {
  const db = deps.db.kysely;
  const { tenantId, fileId, attempt } = payload;
  // (A job queued before `since` was recorded starts the bound at this try.)
  const since = payload.since ?? deps.clock.now();
  const file = await findFileById(db, tenantId, fileId);
  if (file?.parse_status !== 'ocr_pending') return;
  const read = async (): Promise<FileOutcome> => {
    const bytes = await receivedBlobs(deps).get(file.sha256);
    return bytes ? readFile(deps, bytes) : failed('CORRUPT', '原文件已不在存储中，无法重新识别');
  };
  const [outcome, orgs] = await Promise.all([read(), file.buyer_org_id ? [] : listOrgs({ db }, tenantId)]);
  const orgByTaxId = new Map(orgs.map((o) => [o.tax_id, o.id]));
  await db.transaction().execute(async (trx) => {
    // Read in the transaction, its row locked: what happened to the file and its items while it was being read (a
    // later intake may have taken it over: its items follow the source recorded now).
    const current = await lockFileById(trx, deps.db.dialect, tenantId, fileId);
    if (current?.parse_status !== 'ocr_pending') {
      await complete(trx);
      return;
    }
    const items = await findItemsOfFile(trx, tenantId, file.id);
    const live = items.filter((i) => i.deleted_at === null);
    const waiting = outcome.kind === 'ocr_pending' && deps.clock.now() - since < MAX_REREAD_WAIT_MS;
    if (waiting && outcome.ocrRetryInMs !== undefined) {
      // Nothing was tried for the file (the engine waits out its retry delay): the same try, once the delay ends.
      await scheduleReread(deps, trx, file, attempt, since, Math.max(MIN_DEFERRED_REREAD_MS, outcome.ocrRetryInMs));
    } else if (waiting && attempt + 1 < MAX_REREADS) {
      await scheduleReread(deps, trx, file, attempt + 1, since);
    } else if (outcome.kind === 'ok' || outcome.kind === 'ocr_pending') {
      // Read (or settled with what the QR gave after the last try): items completed in place, new ones added.
      const input: IntakeInput = {
        tenantId,
        files: [],
        source: current.source,
        ...(current.source_ref ? { sourceRef: current.source_ref } : {}),
        ...(current.brought_by ? { broughtBy: current.brought_by } : {}),
        ...(current.buyer_org_id ? { buyerOrgId: current.buyer_org_id } : {}),
        ...(current.note ? { note: current.note } : {}),
      };
      const writer = new IntakeWriter(deps, trx, input, orgByTaxId);
      const now = deps.clock.now();
      const changed = new Set<string>();
      for (const [index, parsed] of outcome.invoices.entries()) {
        const atIndex = items.filter((i) => i.index_in_file === index);
        const item = atIndex.find((i) => i.deleted_at === null);
        if (!item) {
          // Deleted meanwhile: stays deleted.
          if (atIndex.length === 0) await writer.insertItem(file.id, index, parsed);
          continue;
        }
        const completed = completedFields(item, parsed, orgByTaxId);
        if (!completed) continue;
        const { patch, filled } = completed;
        if (!(await updateReceivedInvoice(trx, tenantId, item.id, { ...patch, updated_at: now }))) continue;
        const updated: ReceivedInvoice = { ...item, ...patch, updated_at: now };
        changed.add(item.id);
        if (updated.kind !== item.kind || updated.code !== item.code || updated.number !== item.number) {
          for (const id of await refreshDuplicates(trx, item, now)) changed.add(id);
          for (const id of await refreshDuplicates(trx, updated, now)) changed.add(id);
        }
        if (JSON.stringify(verificationQueryOf(updated)) !== JSON.stringify(verificationQueryOf(item)))
          await enqueueVerification(deps, trx, updated, 'reread');
        // Subscribers saw the item as its QR gave it (received.created): its fields are complete now.
        if (filled.length > 0)
          await publishReceivedEvent(deps, trx, 'received.changed', updated, {
            key: `reread:${file.id}`,
            data: { message: `图片重新识别后补全了字段：${filled.join('、')}`, filled },
          });
      }
      await writer.markDuplicates();
      // Items found only now belong where the file's recorded source says (the assistant: the uploader's folder).
      if (writer.inserted.length > 0) await rereadItemsListener?.(trx, current, writer.inserted, now);
      if (changed.size > 0)
        await recomputeCompliance(
          { ...deps, db: { ...deps.db, kysely: trx } },
          { tenantId, receivedIds: [...changed] },
        );
      const settled = outcome.kind === 'ok' || outcome.invoices.length > 0 || live.length > 0;
      await setFileParseOutcome(
        trx,
        tenantId,
        file.id,
        settled
          ? { parse_status: 'ok', error_code: null, error_message: null }
          : { parse_status: 'failed', error_code: outcome.code, error_message: outcome.message },
      );
    } else {
      // Read with OCR and refused (not an invoice …): unreadable, unless its QR gave items before.
      await setFileParseOutcome(
        trx,
        tenantId,
        file.id,
        live.length > 0
          ? { parse_status: 'ok', error_code: null, error_message: null }
          : { parse_status: 'failed', error_code: outcome.code, error_message: outcome.message },
      );
    }
    await complete(trx);
  });
  if (outcome.kind !== 'ocr_pending') deps.jobs.notify();
}

/**
 * What another module does, in the reread's transaction, with the items a reread created: the assistant puts them in
 * the folder the file was uploaded into, as intake's caller did with the items the first reading gave. `file` is the
 * file as recorded now (its row locked): the source of its last intake that took it over ({@link
 * IntakeInput.takeOverWaiting}).
 */
export type RereadItemsListener = (
  trx: Kysely<Database>,
  file: ReceivedFile,
  items: readonly ReceivedInvoice[],
  now: number,
) => Promise<void>;

let rereadItemsListener: RereadItemsListener | null = null;

/** Registers the {@link RereadItemsListener} (one; `null` removes it). */
export function registerRereadItemsListener(listener: RereadItemsListener | null): void {
  rereadItemsListener = listener;
}

/** Columns a reread may fill, with the field name their source and confidence are kept under. */
const FILLABLE: ReadonlyArray<readonly [keyof ReceivedInvoiceTable & keyof ReturnType<typeof itemFieldsOf>, string]> = [
  ['code', 'code'],
  ['number', 'number'],
  ['issue_date', 'issueDate'],
  ['check_code', 'checkCode'],
  ['seller_name', 'seller.name'],
  ['seller_tax_id', 'seller.taxId'],
  ['buyer_name', 'buyer.name'],
  ['buyer_tax_id', 'buyer.taxId'],
  ['amount_fen', 'totals.amount'],
  ['tax_fen', 'totals.tax'],
  ['total_fen', 'totals.total'],
  ['remark', 'remark'],
];

const isEmpty = (value: unknown) => value === null || value === undefined || value === '';

/**
 * What a reread adds to an item: the fields still empty that the new reading has (each with the source and
 * confidence it was read with), its warnings (OCR_UNAVAILABLE dropped once OCR read the file), the buyer org of a
 * filled buyer tax id. Never a field that has a value. Null when nothing changes.
 */
function completedFields(
  item: ReceivedInvoice,
  parsed: ParsedInvoice,
  orgByTaxId: ReadonlyMap<string, string>,
): { patch: Partial<ReceivedInvoice>; filled: string[] } | null {
  const fresh = itemFieldsOf(parsed);
  const read = extractionJson.decode(fresh.extraction_json);
  const extraction = extractionJson.decode(item.extraction_json);
  const patch: Record<string, unknown> = {};
  const filled: string[] = [];
  for (const [column, field] of FILLABLE) {
    if (isEmpty(item[column]) && !isEmpty(fresh[column])) {
      patch[column] = fresh[column];
      filled.push(field);
    }
  }
  // A kind nobody read off the invoice yet (the default of a QR that does not say it).
  if (!('kind' in extraction.fieldSources) && 'kind' in read.fieldSources && fresh.kind !== item.kind) {
    patch.kind = fresh.kind;
    filled.push('kind');
  }
  if (receivedLinesJson.decode(item.lines_json).length === 0 && receivedLinesJson.decode(fresh.lines_json).length) {
    patch.lines_json = fresh.lines_json;
    filled.push('lines');
  }
  const fieldSources = { ...extraction.fieldSources };
  const confidence = { ...extraction.confidence };
  for (const field of filled) {
    fieldSources[field] = read.fieldSources[field] ?? 'ocr';
    confidence[field] = read.confidence[field] ?? read.overallConfidence;
  }
  // 红字 (its title) has no source of its own.
  if (!item.is_red && fresh.is_red) {
    patch.is_red = 1;
    filled.push('isRed');
  }
  const warnings = [...extraction.warnings.filter((w) => w.code !== 'OCR_UNAVAILABLE')];
  for (const w of read.warnings)
    if (!warnings.some((o) => o.code === w.code && o.field === w.field && o.message === w.message)) warnings.push(w);
  const passenger = extraction.passenger ?? read.passenger;
  const next = { ...extraction, fieldSources, confidence, warnings, passenger };
  const extractionChanged = JSON.stringify(next) !== JSON.stringify(extraction);
  if (filled.length === 0 && !extractionChanged) return null;
  if (extractionChanged) patch.extraction_json = extractionJson.encode(next);
  const buyerTaxId = patch.buyer_tax_id as string | undefined;
  if (item.buyer_org_id === null && buyerTaxId) {
    const org = orgByTaxId.get(buyerTaxId.toUpperCase());
    if (org) patch.buyer_org_id = org;
  }
  return { patch: patch as Partial<ReceivedInvoice>, filled };
}
