/**
 * `openfapiao seed --invoices N`: fills a tenant's invoice pool with N realistic invoices for demos and the
 * console-scale benchmark, with bulk inserts (multi-row statements, several per transaction, both dialects).
 *
 * Spread: created over the 365 days before now, in time order (ids sort by creation, as real ones do); 数电普票 (82)
 * and 数电专票 (81); ~600 buyers (companies with a USCC, and natural persons on 普票); 1–3 lines from the built-in
 * tax codes with amounts from 10.00 to ~200 000.00; mostly issued, ~1.5 % cancelled, ~0.3 % failed; ~4 % of the blue
 * invoices fully reversed by a red invoice right after them; some from a business system, some scan-to-invoice.
 * Every row is computed by src/tax exactly like a real request (its JSON snapshots decode, its PDF renders on first
 * download). Seeding is additive: each run adds N invoices under its own serial-number prefix (`SEED<run>-…`).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.js';
import { idAt, randomToken } from '../../platform/ids.js';
import {
  BUILTIN_TAX_CODES,
  type ComputedInvoice,
  composeDigitalInvoiceNumber,
  computeUsccCheckChar,
  planRedLines,
  validateInvoiceDraft,
} from '../../tax/index.js';
import { listOrgs, type Org } from '../orgs/index.js';
import { computedColumns, NEW_REQUEST_STATE, sellerSnapshot } from './create-invoice.js';
import { type InvoiceRequestData, toTaxDraft } from './invoice-draft.js';
import type { InvoiceFailureCode } from './invoicing.errors.js';
import { analyzeInvoices, insertInvoiceBatch } from './invoicing.repo.js';
import type { Invoice } from './invoicing.tables.js';
import { redDraftData } from './red-draft.js';
import { type RedRequestBody, toBlueLine } from './request-red.js';
import { invoiceRequestJson, redRequestJson } from './stored-json.js';
import { loadTaxCodeTable } from './tax-code-table.js';

/** Rows per INSERT statement (SQLite allows 32 766 bound values: 200 rows × 40 columns is well inside). */
const ROWS_PER_STATEMENT = 200;
/** Statements per transaction. */
const STATEMENTS_PER_TRANSACTION = 25;
const DAY_MS = 86_400_000;

export interface SeedInvoicesInput {
  tenantId: string;
  count: number;
  /** Random seed (same seed, same spread); default: the run's start time. */
  seed?: number;
  /** Called after each transaction with the rows inserted so far. */
  onProgress?: (inserted: number, total: number) => void;
}

export interface SeedInvoicesResult {
  inserted: number;
  serialPrefix: string;
  from: number;
  to: number;
}

/** A small, fast, seedable PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMPANY_PREFIX = ['北京', '上海', '广州', '深圳', '杭州', '成都', '南京', '武汉', '西安', '苏州', '天津', '重庆'];
const COMPANY_WORD = ['星河', '云帆', '恒达', '华信', '远景', '启明', '博远', '嘉禾', '瑞丰', '鼎盛', '新程', '同创'];
const COMPANY_TRADE = ['科技', '贸易', '餐饮管理', '信息技术', '物流', '建材', '文化传媒', '咨询'];
const PERSON_NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周婷', '吴昊'];

interface Buyer {
  name: string;
  taxId?: string;
  naturalPerson?: boolean;
}

function buyers(rand: () => number): Buyer[] {
  const out: Buyer[] = [];
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  for (const city of COMPANY_PREFIX) {
    for (const word of COMPANY_WORD) {
      for (let k = 0; k < 4; k++) {
        const trade = COMPANY_TRADE[Math.floor(rand() * COMPANY_TRADE.length)]!;
        let first17 = '91';
        first17 += String(110000 + Math.floor(rand() * 540000)).slice(0, 6);
        for (let i = 0; i < 9; i++) first17 += alphabet[Math.floor(rand() * alphabet.length)];
        const check = computeUsccCheckChar(first17);
        if (!check) continue;
        out.push({ name: `${city}${word}${trade}${k === 0 ? '' : k + 1}有限公司`, taxId: first17 + check });
      }
    }
  }
  for (const name of PERSON_NAMES) out.push({ name, naturalPerson: true });
  return out;
}

const PRODUCTS = BUILTIN_TAX_CODES.filter((c) => !c.isSummary && c.defaultRate !== '0' && c.defaultRate !== '').map(
  (c) => ({ code: c.code, name: c.name, rate: c.defaultRate }),
);

const fen = (n: number) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;

/** A blue request: 1–3 lines, tax computed by src/tax from the amount excluding tax. */
function blueData(rand: () => number, seller: Org, buyer: Buyer, kind: '81' | '82', system: string | null) {
  const lines = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => {
    const product = PRODUCTS[Math.floor(rand() * PRODUCTS.length)]!;
    // Log-uniform from 10.00 to ~200 000.00: many small invoices, few large ones.
    const amountFen = Math.round(1000 * 20_000 ** rand());
    return { name: product.name, taxCode: product.code, amount: fen(amountFen), taxRate: product.rate };
  });
  const data: InvoiceRequestData = {
    kind,
    seller: { taxId: seller.tax_id },
    buyer: {
      name: buyer.name,
      ...(buyer.taxId ? { taxId: buyer.taxId } : {}),
      ...(buyer.naturalPerson ? { naturalPerson: true } : {}),
    },
    lines,
    ...(system ? { businessSystemCode: system } : {}),
  } as InvoiceRequestData;
  return data;
}

/** Inserts `count` invoices into the tenant's pool (see the file comment); returns what it did. */
export async function seedInvoices(
  deps: { db: Kysely<Database>; clock: { now(): number } },
  input: SeedInvoicesInput,
): Promise<SeedInvoicesResult> {
  const db = deps.db;
  const orgs = await listOrgs({ db }, input.tenantId);
  if (orgs.length === 0) throw new Error(`tenant ${input.tenantId} has no seller org: create one first (org create)`);
  const now = deps.clock.now();
  const seed = input.seed ?? now;
  const rand = prng(seed);
  const taxCodes = await loadTaxCodeTable(db, now);
  const buyerPool = buyers(rand);
  const run = Math.floor(now / 1000)
    .toString(36)
    .toUpperCase();
  const serialPrefix = `SEED${run}${randomToken(24).slice(0, 3).toUpperCase()}-`;
  // Invoice numbers: yy + region 31 + channel 2 + a 15-digit sequence whose first 6 digits are this run's.
  const numberBase = BigInt(Math.floor(rand() * 900_000) + 100_000) * 1_000_000_000n;
  const from = now - 365 * DAY_MS;
  const step = (now - from) / input.count;

  const computeCache = new Map<string, { computed: ComputedInvoice; data: InvoiceRequestData }>();
  const compute = (data: InvoiceRequestData, seller: Org, isRed: boolean, key: string) => {
    const hit = computeCache.get(key);
    if (hit) return hit;
    const result = validateInvoiceDraft(toTaxDraft(data, seller.name, isRed ? { isRed: true } : {}), {
      taxCodes,
      ...(isRed ? { requireRedRemark: false } : {}),
    });
    if (!result.ok) throw new Error(`seed: a generated invoice does not validate: ${result.violations[0]?.message}`);
    const entry = { computed: result.invoice, data };
    // Bounded memo: the same buyer + lines + seller give the same computed invoice.
    if (computeCache.size < 50_000) computeCache.set(key, entry);
    return entry;
  };

  let inserted = 0;
  let seq = 0;
  let pending: Invoice[] = [];
  let statements: Invoice[][] = [];
  const flush = async () => {
    if (pending.length > 0) statements.push(pending);
    pending = [];
    if (statements.length === 0) return;
    const batch = statements;
    statements = [];
    await db.transaction().execute(async (trx) => {
      for (const rows of batch) await insertInvoiceBatch(trx, rows);
    });
    inserted += batch.reduce((s, rows) => s + rows.length, 0);
    input.onProgress?.(inserted, input.count);
  };
  const push = async (row: Invoice) => {
    pending.push(row);
    if (pending.length === ROWS_PER_STATEMENT) {
      statements.push(pending);
      pending = [];
      if (statements.length === STATEMENTS_PER_TRANSACTION) await flush();
    }
  };

  let number = 0n;
  for (let i = 0; i < input.count; i++) {
    const createdAt = Math.floor(from + i * step);
    const seller = orgs[Math.floor(rand() * orgs.length)]!;
    const buyerIndex = Math.floor(rand() * buyerPool.length);
    const buyer = buyerPool[buyerIndex]!;
    const kind: '81' | '82' = buyer.naturalPerson || rand() < 0.7 ? '82' : '81';
    const r = rand();
    const system = r < 0.2 ? 'ERP' : r < 0.3 ? 'MALL' : null;
    const origin = system === null && rand() < 0.15 ? 'scan_order' : 'direct';
    // 300 line sets per seller, kind and system, computed once by src/tax (with the first buyer of their kind),
    // then given each row's buyer: the tax rules do not depend on which company buys.
    const lineSet = Math.floor(rand() * 300);
    const data = blueData(prng(lineSet + 1), seller, buyer, kind, system);
    const personKey = buyer.naturalPerson ? buyer.name : 'company';
    const key = `${seller.tax_id}|${kind}|${system}|${lineSet}|${personKey}`;
    const template = compute(data, seller, false, key).computed;
    const computed: ComputedInvoice = {
      ...template,
      buyer: { ...template.buyer, name: buyer.name, ...(buyer.taxId ? { taxId: buyer.taxId } : {}) },
    };
    if (!buyer.naturalPerson) (computed.buyer as { displayName: string }).displayName = buyer.name;
    const fate = rand();
    // Failures waiting for a person are few (most are fixed and retried, or cancelled).
    const status = fate < 0.003 ? 'failed' : fate < 0.018 ? 'cancelled' : 'issued';
    const reversed = status === 'issued' && rand() < 0.04 && i + 1 < input.count;
    const issuedAt = status === 'issued' ? createdAt + 1000 + Math.floor(rand() * 4000) : null;
    const serialNo = `${serialPrefix}${String(++seq).padStart(7, '0')}`;
    const blue: Invoice = {
      id: idAt('inv', createdAt, seq),
      tenant_id: input.tenantId,
      serial_no: serialNo,
      request_hash: `seed-${serialNo}`,
      request_json: invoiceRequestJson.encode(data),
      business_system_code: system,
      origin,
      seller_tax_id: seller.tax_id,
      seller_json: sellerSnapshot(seller),
      ...computedColumns(computed, data),
      ...NEW_REQUEST_STATE,
      status,
      ...(issuedAt === null
        ? {}
        : {
            number: composeDigitalInvoiceNumber({
              year: new Date(issuedAt + 8 * 3600_000).getUTCFullYear(),
              region: '31',
              channel: '2',
              sequence: numberBase + number++,
            }),
            issued_at: issuedAt,
          }),
      ...(status === 'failed'
        ? {
            failure_code: 'CHANNEL_REJECTED' as InvoiceFailureCode,
            failure_reason: '购买方名称与税号不一致（沙箱示例数据）',
          }
        : {}),
      created_at: createdAt,
      updated_at: issuedAt ?? createdAt,
    };
    if (!reversed) {
      await push(blue);
      continue;
    }
    // A full red right after the blue (reason 01 开票有误), issued a day or two later.
    const plan = planRedLines({ reason: '01', blueLines: computed.lines.map(toBlueLine), priorRedLines: [] });
    if (!plan.ok) throw new Error(`seed: red plan failed: ${plan.violations[0]?.message}`);
    const redSerial = `${serialNo}R`;
    const redData = redDraftData(blue, computed, plan.lines, {
      redSerialNo: redSerial,
      reason: '01',
    } as RedRequestBody);
    const redTemplate = compute(redData, seller, true, `red|${key}`).computed;
    const red = { computed: { ...redTemplate, buyer: computed.buyer } };
    const redIssuedAt = Math.min(issuedAt! + DAY_MS + Math.floor(rand() * DAY_MS), now);
    const redCreatedAt = createdAt + 1;
    await push({
      ...blue,
      status: 'reversed',
      reversed_amount_fen: blue.amount_fen,
      reversed_tax_fen: blue.tax_fen,
      updated_at: redIssuedAt,
    });
    await push({
      ...blue,
      id: idAt('inv', redCreatedAt, ++seq),
      serial_no: redSerial,
      request_hash: `seed-${redSerial}`,
      request_json: redRequestJson.encode(redData),
      ...computedColumns(red.computed, redData),
      status: 'issued',
      is_red: 1,
      blue_invoice_id: blue.id,
      red_reason: '01',
      red_form_no: `${String(new Date(redIssuedAt).getUTCFullYear())}31${String(seq).padStart(12, '0')}`,
      red_form_status: 'confirmed',
      number: composeDigitalInvoiceNumber({
        year: new Date(redIssuedAt + 8 * 3600_000).getUTCFullYear(),
        region: '31',
        channel: '2',
        sequence: numberBase + number++,
      }),
      issued_at: redIssuedAt,
      reversed_amount_fen: 0,
      reversed_tax_fen: 0,
      created_at: redCreatedAt,
      updated_at: redIssuedAt,
    });
    i++;
  }
  await flush();
  await analyzeInvoices(db);
  return { inserted, serialPrefix, from, to: now };
}
