import type { RawBuilder } from 'kysely';
import type { Static } from 'typebox';
import { requestHash } from '../../platform/canonical-json.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { assertSameRequest } from '../../platform/idempotency.js';
import { newId, randomToken, sha256Hex } from '../../platform/ids.js';
import type { InvoiceKind } from '../../tax/index.js';
import {
  type AuditChange,
  type AuditMeta,
  appendAudit,
  auditInsertAfter,
  auditRow,
  auditSealerAfter,
  scheduleAuditSealer,
} from '../audit/index.js';
import type { BuyerInput } from '../invoicing/index.js';
import { decryptSecret, encryptSecret } from '../orgs/index.js';
import { checkOrderContent, type OrderContent, type OrderItem } from './order-content.js';
import { type BuyerType, checkTitle, type OrderNotify, type OrderTitle, toInvoiceRequest } from './order-title.js';
import { findOrderByNo, insertOrder, insertOrderWith } from './orders.repo.js';
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
  const inserted = await insertNewOrder(deps, order, setting, title, meta);
  if (!inserted) return replay(deps, (await findOrderByNo(db, tenantId, input.orderNo))!, hash);
  if (order.status === 'submitted') deps.jobs.notify();
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

/** Writes a new order with what comes with it (see {@link createOrder}); false when the order number exists. */
async function insertNewOrder(
  deps: Deps,
  order: ScanOrder,
  setting: ScanSetting,
  title: OrderTitle | null,
  meta: AuditMeta | undefined,
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
    if (submitted) {
      withs.push(...(await publishSubmittedAfter(deps, 'ins', order, setting)));
      if (issuesOnSubmit(order, setting)) {
        withs.push(
          deps.jobs.enqueueAfter('ins', 'scan/issue-order', { orderId: order.id }, { tenantId: order.tenant_id }),
        );
      }
    }
    if (meta)
      withs.push(auditInsertAfter(auditRow(meta, change, order.created_at), 'ins'), auditSealerAfter(deps, 'ins'));
    return insertOrderWith(db, order, withs);
  }
  if (!submitted && !meta) return insertOrder(db, order);
  return db.transaction().execute(async (trx) => {
    if (!(await insertOrder(trx, order))) return false;
    if (submitted) await afterSubmission(deps, trx, order, setting);
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
