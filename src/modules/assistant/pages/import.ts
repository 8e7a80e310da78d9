/**
 * 导入单据 (docs/assistant.md#import): the employee picks invoices (and the amount to claim of each); each must be in
 * their folder, importable for this bill, and claim at most what remains. The import row with the push payload and
 * the push signal are written in ONE transaction; the expense system then receives it once (WebSocket or poll).
 */
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { fenToDecimalString, isReverified, toFen } from '../../../tax/index.js';
import {
  findReceivedFile,
  findReceivedInvoicesByIds,
  type ReceivedInvoice,
  type VerifyOutcome,
  verifyReceivedInvoice,
} from '../../collection/index.js';
import type { AssistantEvent } from '../assistant.tables.js';
import { companiesOf } from '../events/create-event.js';
import { ownersOf } from '../folder/folder.repo.js';
import { type ImportPayload, recordImport } from '../push/record-import.js';
import { type AssistantItem, toAssistantItems } from './assistant-item.js';
import { ASSISTANT_NOT_IMPORTABLE, ASSISTANT_REVERIFY_PENDING } from './pages.errors.js';

/** Kingdee's attachment types: 1 PDF, 2 picture, 4 OFD, 9 XML. */
const FILE_TYPES: Record<string, number> = { pdf: 1, png: 2, jpeg: 2, webp: 2, ofd: 4, xml: 9 };

export interface ImportRequest {
  readonly invoiceId: string;
  /** Decimal string; default: everything that remains claimable. */
  readonly amount?: string | undefined;
}

/** The push payload of the chosen items. */
async function payloadOf(
  deps: Deps,
  event: AssistantEvent,
  chosen: ReadonlyArray<{ item: AssistantItem; row: ReceivedInvoice; claimFen: number }>,
): Promise<ImportPayload> {
  const base = deps.config.http.publicUrl;
  const attachData: Array<ImportPayload['attachData'][number]> = [];
  for (const { row } of chosen) {
    if (!row.file_id) continue;
    const file = await findReceivedFile(deps.db.kysely, event.tenant_id, row.file_id);
    const fileType = file ? FILE_TYPES[file.format] : undefined;
    if (!file || fileType === undefined) continue;
    attachData.push({
      url: `${base}/api/v1/received-invoices/${row.id}/file`,
      fileType,
      invoiceNo: row.number,
      fileName: file.file_name,
      invoiceId: row.id,
    });
  }
  return {
    invoiceData: chosen.map(({ item, claimFen }) => ({ ...item, claimAmount: fenToDecimalString(claimFen) })),
    attachData,
  };
}

const HOUR_MS = 3_600_000;

/**
 * Re-verifies (查验) the rows whose last verification is older than `ASSISTANT_REVERIFY_AFTER_HOURS`: an invoice
 * verified long ago may since have been red-reversed or voided. Only statuses a verification can still change
 * (正常, 部分红冲: `isReverified`); a final verdict (已红冲, 作废 …) is not asked again. Waits up to `ASSISTANT_REVERIFY_WAIT_SECONDS` for the
 * channel; when it has not answered by then (or the provider's limits deferred a verification), 503
 * ASSISTANT_REVERIFY_PENDING — the verifications go on and record their result, so a later import sees it. Returns the
 * rows as they are now (re-read when anything was verified).
 */
async function reverifyStale(deps: Deps, tenantId: string, rows: ReceivedInvoice[]): Promise<ReceivedInvoice[]> {
  const { reverifyAfterHours, reverifyWaitSeconds } = deps.config.assistant;
  const now = deps.clock.now();
  const stale = rows.filter(
    (r) =>
      isReverified(r.verification_status) &&
      r.verified_at !== null &&
      now - Number(r.verified_at) >= reverifyAfterHours * HOUR_MS,
  );
  if (stale.length === 0) return rows;
  const runs = stale.map((r) =>
    verifyReceivedInvoice(deps, { tenantId, receivedId: r.id, reason: 'on_demand' }).then(
      (outcome): VerifyOutcome | { kind: 'error'; error: unknown } => outcome,
      (error: unknown) => ({ kind: 'error' as const, error }),
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), reverifyWaitSeconds * 1000);
  });
  const outcomes = await Promise.race([Promise.all(runs), timeout]).finally(() => clearTimeout(timer));
  const pending = () =>
    new AppError(ASSISTANT_REVERIFY_PENDING, undefined, { invoiceIds: stale.map((r) => r.id).slice(0, 100) });
  if (outcomes === 'timeout') {
    // The verifications go on in the background and record their answer; only their failures are logged.
    for (const run of runs) {
      void run.then((o) => {
        if (o.kind === 'error') deps.logger.error({ err: o.error }, 'assistant: re-verification at import failed');
      });
    }
    throw pending();
  }
  for (const o of outcomes) if (o.kind === 'error') throw o.error;
  if (outcomes.some((o) => o.kind === 'deferred')) throw pending();
  return findReceivedInvoicesByIds(
    deps.db.kysely,
    tenantId,
    rows.map((r) => r.id),
  );
}

/** Checks the request and records the import; 422 ASSISTANT_NOT_IMPORTABLE names every refused invoice. */
export async function importInvoices(
  deps: Deps,
  event: AssistantEvent,
  requests: readonly ImportRequest[],
): Promise<{ importId: string; count: number }> {
  const db = deps.db.kysely;
  const tenantId = event.tenant_id;
  const ids = [...new Set(requests.map((r) => r.invoiceId))];
  const [rows, owners] = await Promise.all([findReceivedInvoicesByIds(db, tenantId, ids), ownersOf(db, tenantId, ids)]);
  const own = await reverifyStale(
    deps,
    tenantId,
    rows.filter((r) => owners.get(r.id) === event.employee_id),
  );
  const items = await toAssistantItems(db, tenantId, own, companiesOf(event), event.employee_id);
  const byId = new Map(own.map((row, i) => [row.id, { row, item: items[i]! }]));
  const problems: Array<{ invoiceId: string; reason: string }> = [];
  const chosen: Array<{ item: AssistantItem; row: ReceivedInvoice; claimFen: number }> = [];
  const seen = new Set<string>();
  for (const r of requests) {
    const refuse = (reason: string) => problems.push({ invoiceId: r.invoiceId, reason });
    if (seen.has(r.invoiceId)) {
      refuse('同一张发票只能导入一次');
      continue;
    }
    seen.add(r.invoiceId);
    const found = byId.get(r.invoiceId);
    if (!found) {
      refuse('发票不在当前票夹中');
      continue;
    }
    const { item, row } = found;
    if (!item.check.importable) {
      refuse(item.check.reasons.join('；') || (item.check.level === 'pending' ? '查验或合规检查尚未完成' : '不能导入'));
      continue;
    }
    const remainingFen = toFen(item.claim.remaining);
    const claimFen = r.amount === undefined ? remainingFen : toFen(r.amount);
    if (claimFen <= 0) refuse('报销金额须大于 0');
    else if (claimFen > remainingFen) refuse(`报销金额超过可报销金额 ${item.claim.remaining}`);
    else chosen.push({ item, row, claimFen });
  }
  if (problems.length > 0) {
    throw new AppError(
      ASSISTANT_NOT_IMPORTABLE,
      `${problems.length} 张发票不能导入单据：${problems
        .slice(0, 3)
        .map((p) => p.reason)
        .join('；')}`,
      { invoices: problems },
    );
  }
  const payload = await payloadOf(deps, event, chosen);
  const now = deps.clock.now();
  const importId = await deps.signals.withTransaction(db, (trx, publish) =>
    recordImport(trx, publish, { tenantId, event, payload, now }),
  );
  return { importId, count: chosen.length };
}
