/** Ledger rows of the simulated platform and their views (what `issue`, `verify` and the admin API answer). */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../../platform/db/database.js';
import { type ComputedInvoice, fenToDecimalString } from '../../../tax/index.js';
import type { LedgerStatus, SandboxLedgerTable } from '../channels.tables.js';
import type { ChannelIssued } from '../issuing-channel.js';
import { listLedgerRows } from './ledger.repo.js';
import { ledgerLinesJson } from './stored-json.js';

export type LedgerRow = Selectable<SandboxLedgerTable>;

/** One invoice line as the platform keeps it (enough for red-letter checks per blue line). */
export interface LedgerLine {
  readonly lineNo: number;
  readonly name: string;
  readonly taxCode: string;
  readonly taxRate: string;
  readonly quantity: string | null;
  readonly amountFen: number;
  readonly taxFen: number;
}

/** The lines of a computed invoice as the ledger stores them. */
export function toLedgerLines(invoice: ComputedInvoice): LedgerLine[] {
  return invoice.lines.map((l) => ({
    lineNo: l.lineNo,
    name: l.renderedName,
    taxCode: l.taxCode,
    taxRate: l.taxRate,
    quantity: l.quantity ?? null,
    amountFen: l.amountFen,
    taxFen: l.taxFen,
  }));
}

export function parseLedgerLines(row: Pick<LedgerRow, 'lines_json'>): LedgerLine[] {
  return ledgerLinesJson.decode(row.lines_json);
}

/** What `issue` answers for a ledger row. */
export function toIssued(row: LedgerRow): ChannelIssued {
  return {
    requestId: row.request_id,
    number: row.number,
    code: row.code === '' ? null : row.code,
    issuedAt: Number(row.issued_at),
    checkCode: row.check_code,
  };
}

/** An invoice as the simulated platform holds it (admin API). */
export interface SandboxLedgerEntry extends ChannelIssued {
  readonly kind: string;
  readonly sellerTaxId: string;
  readonly sellerName: string;
  readonly buyerName: string;
  readonly buyerTaxId: string | null;
  readonly amount: string;
  readonly tax: string;
  readonly total: string;
  readonly isRed: boolean;
  readonly blueNumber: string | null;
  readonly redFormId: string | null;
  readonly status: LedgerStatus;
  /** Blue invoices: what is left to reverse (amount/tax). */
  readonly remainingAmount: string;
  readonly remainingTax: string;
  readonly lines: readonly { lineNo: number; name: string; taxRate: string; amount: string; tax: string }[];
}

export function toLedgerEntry(row: LedgerRow): SandboxLedgerEntry {
  const isRed = row.is_red === 1;
  return {
    ...toIssued(row),
    kind: row.kind,
    sellerTaxId: row.seller_tax_id,
    sellerName: row.seller_name,
    buyerName: row.buyer_name,
    buyerTaxId: row.buyer_tax_id,
    amount: fenToDecimalString(Number(row.amount_fen)),
    tax: fenToDecimalString(Number(row.tax_fen)),
    total: fenToDecimalString(Number(row.total_fen)),
    isRed,
    blueNumber: row.blue_number,
    redFormId: row.red_form_id,
    status: row.status,
    remainingAmount: fenToDecimalString(isRed ? 0 : Number(row.amount_fen) + Number(row.red_amount_fen)),
    remainingTax: fenToDecimalString(isRed ? 0 : Number(row.tax_fen) + Number(row.red_tax_fen)),
    lines: parseLedgerLines(row).map((l) => ({
      lineNo: l.lineNo,
      name: l.name,
      taxRate: l.taxRate,
      amount: fenToDecimalString(l.amountFen),
      tax: fenToDecimalString(l.taxFen),
    })),
  };
}

/** A page of the tenant's ledger in descending id order (roughly newest first: ids carry the ms), optionally one number. */
export async function listLedger(
  db: Kysely<Database>,
  tenantId: string,
  query: { number?: string; cursor?: string; limit?: number },
): Promise<{ items: SandboxLedgerEntry[]; nextCursor: string | null }> {
  const page = await listLedgerRows(db, tenantId, query.number, { cursor: query.cursor, limit: query.limit ?? 50 });
  return { items: page.items.map(toLedgerEntry), nextCursor: page.nextCursor };
}
