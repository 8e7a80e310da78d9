import type { Kysely } from 'kysely';
import { toIsoCst } from '../../platform/clock.js';
import type { Database } from '../../platform/db/database.js';
import { fenToDecimalString, getInvoiceKindInfo, type InvoiceKind, printedLine } from '../../tax/index.js';
import { wasIssued } from './invoice-state-machine.js';
import { findInvoiceById, findRedsOfBlue } from './invoicing.repo.js';
import type { Invoice } from './invoicing.tables.js';
import { decodeComputedInvoice, decodeStoredBuyer, decodeStoredSeller, type StoredParty } from './stored-json.js';

const party = (p: StoredParty) => ({
  name: p.name,
  taxId: p.taxId ?? null,
  address: p.address ?? null,
  phone: p.phone ?? null,
  bankName: p.bankName ?? null,
  bankAccount: p.bankAccount ?? null,
});

/** Red invoices read together with their blue one (findInvoiceWithReds), so the view does not read them again. */
const readWithReds = new WeakMap<Invoice, Invoice[]>();

/** Marks `invoice` as read together with its `reds` (one statement); returns it. */
export function withReds(invoice: Invoice, reds: Invoice[]): Invoice {
  readWithReds.set(invoice, reds);
  return invoice;
}

/** The API representation of an invoice (InvoiceView): what the invoice says, where it is, and its red links. */
export async function toInvoiceView(db: Kysely<Database>, invoice: Invoice) {
  const computed = decodeComputedInvoice(invoice.computed_json);
  const buyer = decodeStoredBuyer(invoice.buyer_json);
  const blue = invoice.is_red === 1 ? await findInvoiceById(db, invoice.blue_invoice_id ?? '') : undefined;
  // Reds are requested only against an issued blue invoice: a request in flight, failed or cancelled has none.
  const reds =
    invoice.is_red === 1 || !wasIssued(invoice.status)
      ? []
      : (readWithReds.get(invoice) ?? (await findRedsOfBlue(db, invoice.tenant_id, invoice.id)));
  return {
    serialNo: invoice.serial_no,
    status: invoice.status,
    origin: invoice.origin,
    kind: invoice.kind,
    kindName: getInvoiceKindInfo(invoice.kind as InvoiceKind).name,
    isRed: invoice.is_red === 1,
    number: invoice.number,
    code: invoice.code,
    checkCode: invoice.check_code,
    issuedAt: invoice.issued_at === null ? null : toIsoCst(invoice.issued_at),
    seller: party(decodeStoredSeller(invoice.seller_json)),
    buyer: { ...party(buyer), naturalPerson: buyer.naturalPerson === true },
    lines: computed.lines.map((l) => ({
      lineNo: l.lineNo,
      ...printedLine(l),
      taxAmount: l.tax,
      lineNature: l.lineNature,
    })),
    totals: {
      amount: fenToDecimalString(invoice.amount_fen),
      tax: fenToDecimalString(invoice.tax_fen),
      total: fenToDecimalString(invoice.total_fen),
      totalInWords: computed.totals.totalInWords,
    },
    remark: invoice.remark,
    drawer: invoice.drawer,
    businessSystemCode: invoice.business_system_code,
    failure:
      invoice.failure_code && invoice.failure_reason
        ? { code: invoice.failure_code, reason: invoice.failure_reason }
        : null,
    red:
      invoice.is_red === 1
        ? {
            blueSerialNo: blue?.serial_no ?? '',
            blueNumber: blue?.number ?? null,
            reason: invoice.red_reason ?? '',
            formId: invoice.red_form_id,
            formNo: invoice.red_form_no,
            formStatus: invoice.red_form_status,
          }
        : null,
    reds: reds.map((r) => ({
      serialNo: r.serial_no,
      status: r.status,
      number: r.number,
      total: fenToDecimalString(r.total_fen),
    })),
    reversed: {
      amount: fenToDecimalString(invoice.reversed_amount_fen),
      tax: fenToDecimalString(invoice.reversed_tax_fen),
    },
    files: invoice.number !== null && invoice.issued_at !== null ? invoiceFilePaths(invoice.serial_no) : null,
    createdAt: toIsoCst(invoice.created_at),
    updatedAt: toIsoCst(invoice.updated_at),
  };
}

export type InvoiceViewData = Awaited<ReturnType<typeof toInvoiceView>>;

/**
 * Paths of the authenticated file endpoints of an issued invoice (the view's `files`). Invoicing owns them: the
 * documents module serves them, and the invoice view — below documents — must not import it.
 */
export function invoiceFilePaths(serialNo: string): { pdf: string; ofd: string; xml: string } {
  const base = `/api/v1/invoices/${encodeURIComponent(serialNo)}/files`;
  return { pdf: `${base}/pdf`, ofd: `${base}/ofd`, xml: `${base}/xml` };
}
