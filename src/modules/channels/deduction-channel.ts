/**
 * 抵扣勾选 (input-tax deduction selection) as a channel of its own, beside {@link VerificationChannel}: a buyer
 * selects received invoices for a tax period (所属期) on the national platform, may unselect them while the period is
 * open, and confirms the period (确认勾选), which locks it. The platform keeps one record per invoice: an invoice
 * selected or deducted by one buyer cannot be selected by another. Real providers (电子税局, 乐企, resellers) plug in
 * behind this interface; the sandbox keeps a platform-wide ledger (docs/deduction.md#sandbox).
 *
 * Failures of the call itself are thrown as ChannelError; every answer of the platform — including a refusal of
 * one invoice — is a result.
 */
import type { ChannelScope } from './issuing-channel.js';

/** An invoice as the platform knows it: kind, 发票代码 ('' or null for 数电) and number. */
export interface DeductionInvoiceRef {
  readonly kind: string;
  readonly code: string | null;
  readonly number: string;
}

/** Who acts: the tenant (scope), the buyer's tax id, and the user or app (recorded in the platform's ledger). */
export interface DeductionScope extends ChannelScope {
  readonly buyerTaxId: string;
  /** The console user or API app acting (for the ledger's "who"). */
  readonly actor: string;
}

/** One invoice to select, with the effective deductible tax (integer fen) and the caller's own id of it. */
export interface DeductionSelectItem {
  readonly invoice: DeductionInvoiceRef;
  readonly taxFen: number;
  /** The caller's id of the invoice (its received-invoice id): a second item of the same invoice is refused. */
  readonly ref: string;
}

/** Why the platform refused one invoice. */
export type DeductionRefusal =
  /** Another buyer (or another item of this buyer) selected or deducted it. */
  | 'held_elsewhere'
  /** The period is confirmed (locked). */
  | 'period_confirmed'
  /** The invoice is in another period of this buyer (unselect it there first), or already deducted. */
  | 'other_period'
  /** Unselect of an invoice this buyer has not selected in this period. */
  | 'not_selected';

/** The platform's answer for one invoice of a select/unselect. */
export type DeductionItemResult =
  | {
      readonly ok: true;
      readonly ref: string /** False when it was already selected (tax updated). */;
      readonly created: boolean;
    }
  | { readonly ok: false; readonly ref: string; readonly refusal: DeductionRefusal; readonly message: string };

/** A period's state on the platform. */
export interface DeductionPeriodStatus {
  readonly buyerTaxId: string;
  /** YYYYMM. */
  readonly period: string;
  readonly state: 'open' | 'confirmed';
  /** Epoch ms, when confirmed. */
  readonly confirmedAt: number | null;
  /** Invoices selected (or, confirmed, deducted) in the period and their effective tax. */
  readonly count: number;
  readonly taxFen: number;
}

/** Who holds an invoice on the platform (deduction status query). */
export interface DeductionHolding {
  readonly invoice: DeductionInvoiceRef;
  readonly buyerTaxId: string;
  readonly period: string;
  /** `deducted` once the period is confirmed. */
  readonly status: 'selected' | 'deducted';
  /** True when the asking tenant holds it under this ref. */
  readonly mine: boolean;
  readonly ref: string | null;
}

/** A deduction-selection provider (the national platform, a reseller, or the sandbox). */
export interface DeductionChannel {
  readonly provider: string;
  /** Selects invoices for the scope's buyer and period (勾选); per-invoice answers, in the order given. */
  select(
    scope: DeductionScope,
    period: string,
    items: readonly DeductionSelectItem[],
  ): Promise<readonly DeductionItemResult[]>;
  /** Unselects (撤销勾选) invoices of this buyer and period; per-invoice answers. */
  unselect(
    scope: DeductionScope,
    period: string,
    items: readonly { readonly invoice: DeductionInvoiceRef; readonly ref: string }[],
  ): Promise<readonly DeductionItemResult[]>;
  /** Confirms the period (确认勾选): locks it; its selected invoices count as deducted. Idempotent. */
  confirm(scope: DeductionScope, period: string): Promise<DeductionPeriodStatus>;
  /** The period's state and totals. */
  periodStatus(scope: DeductionScope, period: string): Promise<DeductionPeriodStatus>;
  /** Who holds each of these invoices on the platform (absent: nobody). Keyed by {@link deductionKey}. */
  holdings(
    scope: ChannelScope,
    invoices: readonly DeductionInvoiceRef[],
  ): Promise<ReadonlyMap<string, DeductionHolding>>;
}

/** The platform's identity of an invoice: 发票代码 (empty for 数电) and number. */
export function deductionKey(invoice: Pick<DeductionInvoiceRef, 'code' | 'number'>): string {
  return `${invoice.code ?? ''}:${invoice.number}`;
}

declare module '../../platform/deps.js' {
  interface Deps {
    /** Where received invoices are selected for deduction (抵扣勾选); the built-in sandbox by default. */
    readonly deductionChannel: DeductionChannel;
  }
}
