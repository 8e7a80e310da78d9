/** Shared set-up for the sandbox channel suites: a migrated database, a manual clock, and invoice builders. */
import {
  type ChannelIssueRequest,
  type ChannelRedFormRequest,
  type ChannelRedLine,
  createSandboxChannel,
  type SandboxChannel,
} from '../../src/modules/channels/index.js';
import { createManualClock } from '../../src/platform/clock.js';
import type { Db } from '../../src/platform/db/create-db.js';
import { newId } from '../../src/platform/ids.js';
import {
  buildRedRemark,
  type ComputedInvoice,
  type InvoiceDraft,
  type RedReason,
  validateInvoiceDraft,
} from '../../src/tax/index.js';
import { BUYER_TAX_ID, SELLER_TAX_ID, softwareLine, validDraft } from '../../src/tax/test-fixtures.js';
import { createTestDb, type TestDialect } from '../helpers/test-db.js';

export { BUYER_TAX_ID, SELLER_TAX_ID };

/** 2025-06-01 10:00 in China: numbers start with 25, months are 2025-06. */
export const START = '2025-06-01T02:00:00Z';

export interface SandboxKit {
  db: Db;
  clock: ReturnType<typeof createManualClock>;
  channel: SandboxChannel;
  sleeps: number[];
  cleanup(): Promise<void>;
}

/** A fresh database and a sandbox channel on it; `sleeps` records simulated latency instead of waiting. */
export async function createSandboxKit(dialect: TestDialect, random?: () => number): Promise<SandboxKit> {
  const created = await createTestDb(dialect);
  const clock = createManualClock(START);
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };
  const channel = createSandboxChannel({ db: created.db.kysely, clock, sleep, ...(random ? { random } : {}) });
  return { db: created.db, clock, channel, sleeps, cleanup: created.cleanup };
}

/** A tenant id of its own, so tests sharing a database do not see each other. */
export const newTenant = () => newId('tnt');

/** A computed invoice from a draft (throws when the draft is invalid). */
export function computeInvoice(draft: InvoiceDraft): ComputedInvoice {
  const result = validateInvoiceDraft(draft);
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  return result.invoice;
}

/** Blue 数电专票 with one 100.00 line at 6% per amount given (default one line: 100.00 + 6.00). */
export function blueInvoice(amounts: string[] = ['100.00'], overrides: Partial<InvoiceDraft> = {}): ComputedInvoice {
  return computeInvoice(validDraft({ lines: amounts.map((amount) => softwareLine({ amount })), ...overrides }));
}

/** A red invoice reversing `amounts` (negative strings) of `blueNumber`. */
export function redInvoice(blueNumber: string, amounts: string[], overrides: Partial<InvoiceDraft> = {}) {
  return computeInvoice(
    validDraft({
      isRed: true,
      lines: amounts.map((amount) => softwareLine({ amount })),
      remark: buildRedRemark({
        type: 'digital',
        blueInvoiceNumber: blueNumber,
        confirmationFormNumber: '0'.repeat(20),
      }),
      ...overrides,
    }),
  );
}

export function issueRequest(
  tenantId: string,
  invoice: ComputedInvoice,
  extra: Partial<ChannelIssueRequest> = {},
): ChannelIssueRequest {
  return {
    tenantId,
    requestId: newId('req'),
    seller: {
      taxId: SELLER_TAX_ID,
      name: '示例销售方有限公司',
      address: null,
      phone: null,
      bankName: null,
      bankAccount: null,
      regionCode: '310101',
    },
    invoice,
    drawer: '张三',
    ...extra,
  };
}

/** A red line of blue line `blueLineNo` at 6%: amount and its tax, both negative. */
export function redLine(blueLineNo: number, amount: string, taxAmount: string): ChannelRedLine {
  return { blueLineNo, quantity: null, amount, taxAmount };
}

export function redFormRequest(
  tenantId: string,
  blue: { number: string; invoice: ComputedInvoice },
  reason: RedReason,
  lines: ChannelRedLine[],
  totals: { amount: string; tax: string },
): ChannelRedFormRequest {
  return {
    tenantId,
    requestId: newId('rfq'),
    sellerTaxId: SELLER_TAX_ID,
    buyerTaxId: blue.invoice.buyer.taxId ?? null,
    buyerName: blue.invoice.buyer.name,
    buyerNaturalPerson: blue.invoice.buyer.naturalPerson,
    blue: {
      number: blue.number,
      kind: blue.invoice.kind,
      issuedAt: 0,
      amount: blue.invoice.totals.amount,
      tax: blue.invoice.totals.tax,
    },
    reason,
    lines,
    ...totals,
  };
}

/** Issues a blue invoice and returns its number with the invoice. */
export async function issueBlue(kit: SandboxKit, tenantId: string, invoice = blueInvoice(['100.00', '200.00'])) {
  const issued = await kit.channel.issue(issueRequest(tenantId, invoice));
  return { ...issued, invoice };
}
