import type { RawBuilder } from 'kysely';
import type { Static } from 'typebox';
import { requestHash } from '../../platform/canonical-json.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { assertSameRequest } from '../../platform/idempotency.js';
import { newId, randomToken, sha256Hex } from '../../platform/ids.js';
import type { DispatchSlot, Job } from '../../platform/jobs/index.js';
import type { InvoiceKind } from '../../tax/index.js';
import {
  type AuditChange,
  type AuditMeta,
  appendAudit,
  appendAuditSync,
  auditInsertAfter,
  auditRow,
  auditSealerAfter,
  auditSealerScheduled,
  scheduleAuditSealer,
} from '../audit/index.js';
import type { BuyerInput } from '../invoicing/index.js';
import { decryptSecret, encryptSecret } from '../orgs/index.js';
import { checkOrderContent, type OrderContent, type OrderItem } from './order-content.js';
import { type BuyerType, checkTitle, type OrderNotify, type OrderTitle, toInvoiceRequest } from './order-title.js';
import { findOrderByNo, insertOrder, insertOrderSync, insertOrderWith } from './orders.repo.js';
import { KIND_NOT_ALLOWED, SCAN_SETTING_DISABLED } from './scan.errors.js';
import type { OrderSource, ScanOrder, ScanSetting } from './scan.tables.js';
import { getSettingOrThrow, settingKinds } from './settings.service.js';
import { orderContentJson, orderItemsJson, orderKindsJson, orderNotifyJson } from './stored-json.js';
import { afterSubmission, issuesOnSubmit, publishSubmittedAfter } from './submit-title.js';

export interface CreateOrderInput extends OrderContent {
  settingKey: string;
  orderNo: string;
  invoiceKind?: InvoiceKind;
  allowedKinds?: InvoiceKind[];
  buyer?: Static<typeof BuyerInput>;
  notify?: OrderNotify;
  /** Epoch ms; default now + the setting's validityDays. */
  expiresAt?: number;
  /** Default `pushed`; the counter module's 码上开票 orders are `counter`. */
  source?: Extract<OrderSource, 'pushed' | 'counter'>;
}

/**
 * Stores a pushed order (推单生成二维码链接) and returns it with its `/s/{token}` bearer token. Idempotent per
 * tenant and orderNo: the same content answers the same order and link, other content 409. With a buyer the title
 * counts as submitted at once (and `issue` settings issue it).
 *
 * One write: the order (already `submitted` when it comes with its title), its `order.submitted` subscribers' jobs,
 * its issue job and its audit entry (`scan.orders.create`, a console user's or an app's push) commit together — on
 * PostgreSQL as ONE statement (data-modifying CTEs), on SQLite in one transaction. No read before it: an order number
 * met again is read after the insert found it (and also when validation fails, so a replay gets what was stored even
 * when it would no longer validate).
 */
export async function createOrder(
  deps: Deps,
  tenantId: string,
  input: CreateOrderInput,
  meta?: AuditMeta,
  hooks: {
    /** Called with the new order's id right before it is inserted (e.g. to begin watching its settling). */
    beforeInsert?: (orderId: string) => void;
  } = {},
): Promise<{ order: ScanOrder; token: string; created: boolean }> {
  const db = deps.db.kysely;
  const hash = requestHash(input);
  let prepared: Awaited<ReturnType<typeof prepareOrder>>;
  try {
    prepared = await prepareOrder(deps, tenantId, input, hash);
  } catch (err) {
    const existing = await findOrderByNo(db, tenantId, input.orderNo);
    if (existing) return replay(deps, existing, hash);
    throw err;
  }
  const { order, token, setting, title } = prepared;
  hooks.beforeInsert?.(order.id);
  const inserted = await insertNewOrder(deps, order, setting, title, meta);
  if (!inserted) return replay(deps, (await findOrderByNo(db, tenantId, input.orderNo))!, hash);
  return { order, token, created: true };
}

/** Validates the push and builds the new order row (submitted, with its title, when the push names the buyer). */
async function prepareOrder(deps: Deps, tenantId: string, input: CreateOrderInput, hash: string) {
  const setting = await getSettingOrThrow(deps, tenantId, input.settingKey);
  if (setting.enabled !== 1) throw new AppError(SCAN_SETTING_DISABLED);
  const kinds = orderKinds(setting, input);
  const content: OrderContent = {
    lines: input.lines,
    ...(input.totals ? { totals: input.totals } : {}),
    ...(input.remark === undefined ? {} : { remark: input.remark }),
  };
  const checked = await checkOrderContent(deps, tenantId, setting.seller_tax_id, kinds, content);
  const token = randomToken(96);
  const order = buildOrder(deps, setting, {
    orderNo: input.orderNo,
    source: input.source ?? 'pushed',
    hash,
    token,
    kinds,
    content,
    checked,
    notify: input.notify ?? null,
    expiresAt: input.expiresAt ?? deps.clock.now() + setting.validity_days * 86_400_000,
  });
  const title = input.buyer ? apiTitle(input.buyer, kinds[0]!) : null;
  if (title) {
    await checkTitle(deps, toInvoiceRequest(order, title, setting.business_system_code), checked.sellerName);
    // A new order cannot lose a race for its title: it is stored submitted (unless it is born expired: then it stays
    // open, and expired, as an open order's submission would find it).
    if (order.expires_at > order.created_at) {
      Object.assign(order, {
        status: 'submitted' as const,
        buyer_json: JSON.stringify(title),
        submitted_at: order.created_at,
      });
    }
  }
  return { order, token, setting, title };
}

/**
 * Writes a new order with what comes with it (see {@link createOrder}); false when the order number exists. Its issue
 * job, when it has one, goes straight to a free slot of this process's worker (direct dispatch: inserted claimed, no
 * claim statement); without a slot it is queued and the worker woken.
 */
async function insertNewOrder(
  deps: Deps,
  order: ScanOrder,
  setting: ScanSetting,
  title: OrderTitle | null,
  meta: AuditMeta | undefined,
): Promise<boolean> {
  const submitted = order.status === 'submitted';
  const issues = submitted && issuesOnSubmit(order, setting);
  const slot = issues ? deps.jobs.reserve() : null;
  /** The committed issue job, when it went to `slot`. */
  let job: Job | undefined;
  let inserted = false;
  try {
    inserted = await writeNewOrder(deps, order, setting, title, meta, issues ? { slot } : null, (j) => {
      job = j;
    });
  } finally {
    if (slot && !(inserted && job)) slot.release();
  }
  if (!inserted) return false;
  if (slot && job) slot.run(job);
  else if (submitted) deps.jobs.notify();
  return true;
}

async function writeNewOrder(
  deps: Deps,
  order: ScanOrder,
  setting: ScanSetting,
  title: OrderTitle | null,
  meta: AuditMeta | undefined,
  issue: { slot: DispatchSlot | null } | null,
  onJob: (job: Job) => void,
): Promise<boolean> {
  const db = deps.db.kysely;
  const submitted = order.status === 'submitted';
  const change: AuditChange = {
    action: 'scan.orders.create',
    target: { type: 'scan_order', id: order.order_no },
    after: { settingKey: setting.key, status: order.status, totalFen: order.total_fen, title: title !== null },
  };
  if (deps.db.dialect === 'postgres') {
    const withs: RawBuilder<unknown>[] = [];
    let job: Job | undefined;
    if (submitted) withs.push(...(await publishSubmittedAfter(deps, 'ins', order, setting)));
    if (issue) {
      // A new order's id is new: its issue job's key is free, so the job is inserted exactly when the order is.
      const enqueued = deps.jobs.enqueueAfterRow(
        'ins',
        'scan/issue-order',
        { orderId: order.id, orderNo: order.order_no },
        { tenantId: order.tenant_id, slot: issue.slot },
      );
      withs.push(enqueued.sql);
      job = enqueued.job;
    }
    if (meta)
      withs.push(auditInsertAfter(auditRow(meta, change, order.created_at), 'ins'), auditSealerAfter(deps, 'ins'));
    const inserted = await insertOrderWith(db, order, withs);
    if (inserted && job) onJob(job);
    return inserted;
  }
  if (!submitted && !meta) return insertOrder(db, order);
  // An open order with its audit entry (the common push), this window's sealer already scheduled: both inserts in the
  // turn's synchronous batch (one commit for the pushes that arrived together) — no Kysely transaction, no promise per
  // statement. The clock is read when the batch writes: the entry's time is in the window whose sealer was then
  // found scheduled (and not yet due, so not yet run); in a window whose sealer is not scheduled (its first change)
  // the push takes its Kysely transaction, which schedules it.
  if (!submitted && meta && deps.db.sqliteSync) {
    const done = await deps.db.sqliteSync.batch((run) => {
      const now = deps.clock.now();
      if (!auditSealerScheduled(deps.jobs, now)) return null;
      if (!insertOrderSync(run, order)) return false;
      appendAuditSync(run, meta, change, now);
      return true;
    });
    if (done && done.value !== null) return done.value;
  }
  return db.transaction().execute(async (trx) => {
    if (!(await insertOrder(trx, order))) return false;
    if (submitted) {
      const job = await afterSubmission(deps, trx, order, setting, issue?.slot ?? null);
      if (job) onJob(job);
    }
    if (meta) {
      await appendAudit({ db: trx, clock: deps.clock }, meta, change);
      await scheduleAuditSealer({ db: trx, clock: deps.clock, jobs: deps.jobs });
    }
    return true;
  });
}

/** The kinds the consumer may choose: the order's own choice, within the setting's allowedKinds. */
function orderKinds(setting: ScanSetting, input: Pick<CreateOrderInput, 'invoiceKind' | 'allowedKinds'>) {
  const allowed = settingKinds(setting);
  const wanted = input.invoiceKind ? [input.invoiceKind] : (input.allowedKinds ?? allowed);
  const outside = wanted.filter((k) => !allowed.includes(k));
  if (outside.length > 0 || wanted.length === 0) {
    throw new AppError(
      KIND_NOT_ALLOWED,
      `票种 ${outside.join(', ')} 不在二维码设置允许的范围（${allowed.join(', ')}）内`,
      {
        allowedKinds: allowed,
      },
    );
  }
  return [...new Set(wanted)];
}

function apiTitle(buyer: Static<typeof BuyerInput>, kind: InvoiceKind): OrderTitle {
  const { naturalPerson, ...rest } = buyer;
  const buyerType: BuyerType = naturalPerson ? 'personal' : buyer.taxId ? 'company' : 'institution';
  return { ...rest, kind, buyerType };
}

async function replay(deps: Deps, order: ScanOrder, hash: string) {
  assertSameRequest(order, hash, {
    message: `订单号 ${order.order_no} 已用于内容不同的订单`,
    details: { orderNo: order.order_no },
  });
  const token = order.token_enc ? decryptToken(deps, order) : '';
  return { order, token, created: false };
}

export interface NewOrderParts {
  orderNo: string;
  source: OrderSource;
  hash: string;
  token: string | null;
  kinds: InvoiceKind[];
  content: OrderContent;
  checked: { items: OrderItem[]; totalFen: number };
  notify: OrderNotify | null;
  expiresAt: number;
  sellerTaxId?: string;
}

/** A new open order row (shared by pushed, merchant-fetched and static orders). */
export function buildOrder(deps: Deps, setting: ScanSetting, parts: NewOrderParts): ScanOrder {
  const now = deps.clock.now();
  const id = newId('ord', now);
  return {
    id,
    tenant_id: setting.tenant_id,
    setting_id: setting.id,
    order_no: parts.orderNo,
    source: parts.source,
    token_hash: parts.token ? sha256Hex(parts.token) : null,
    token_enc: parts.token ? encryptSecret(deps.config, parts.token, `scan-order:${id}`) : null,
    request_hash: parts.hash,
    status: 'open',
    seller_tax_id: parts.sellerTaxId ?? setting.seller_tax_id,
    allowed_kinds: orderKindsJson.encode(parts.kinds),
    content_json: orderContentJson.encode(parts.content),
    items_json: orderItemsJson.encode(parts.checked.items),
    total_fen: parts.checked.totalFen,
    notify_json: parts.notify ? orderNotifyJson.encode(parts.notify) : null,
    buyer_json: null,
    invoice_id: null,
    invoice_serial_no: null,
    failure_reason: null,
    needs_confirmation: 0,
    expires_at: parts.expiresAt,
    submitted_at: null,
    invoiced_at: null,
    created_at: now,
    updated_at: now,
  };
}

const decryptToken = (deps: Deps, order: ScanOrder) =>
  decryptSecret(deps.config, order.token_enc ?? '', `scan-order:${order.id}`);
