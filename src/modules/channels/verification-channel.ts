/**
 * 查验 (invoice verification) as a channel of its own, beside {@link IssuingChannel}: a receiving company asks the
 * national platform (or a provider reselling its answers) whether an invoice with these four inputs exists and what
 * the platform holds for it. Real providers plug in behind this interface; the sandbox answers from its
 * platform-wide ledger plus the operator's import table (docs/collection.md#verification).
 *
 * Failures of the call itself (unreachable, refused) are thrown as ChannelError (`transient` → retried later,
 * `permanent` → the item is marked failed), exactly as the issuing channel does; every answer of the platform —
 * including 查无此票 and 超过查验次数 — is a {@link VerificationResult}.
 */
import type { ChannelScope } from './issuing-channel.js';

/** Verification outcomes (docs/collection.md, statuses table); a subset of the pool's RECEIVED_VERIFICATION_STATUSES. */
export const VERIFICATION_STATUSES = [
  'normal', // 正常
  'red_reversed', // 已红冲 (全额红冲)
  'partly_red', // 部分红冲
  'void', // 作废
  'not_found', // 查无此票
  'mismatch', // 不一致 (mismatchField says which input)
  'too_many_checks', // 超过查验次数 (5 per invoice per day)
  'too_old', // 超过五年
] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/* Their Chinese names: src/tax/verification-statuses.ts (`VERIFICATION_STATUS_NAMES`, one list for every use). */

/** Statuses under which the platform disclosed the invoice (the answer carries `invoice`). */
export const VERIFICATION_FOUND_STATUSES: readonly VerificationStatus[] = [
  'normal',
  'red_reversed',
  'partly_red',
  'void',
];

/** The input that did not match (a `mismatch` answer). */
export type VerificationMismatchField = 'issueDate' | 'total' | 'amount' | 'checkCode';

/** The four inputs of a 查验 (tax-rules §4): which fourth input counts depends on the invoice's kind. */
export interface VerificationQuery {
  /** 20-digit 数电 number, or the 8-digit legacy number (with `code`). */
  readonly number: string;
  /** Legacy 发票代码 (10/12 digits); absent or empty for 数电. */
  readonly code?: string | null;
  /** YYYY-MM-DD (China time). */
  readonly issueDate: string;
  /** 价税合计 (数电票). Decimal string. */
  readonly total?: string | null;
  /** 开具金额（不含税） (legacy 专票 004/028 and vehicle kinds). Decimal string. */
  readonly amount?: string | null;
  /** 校验码后 6 位 (legacy 普票 007/025/026/027). */
  readonly checkCodeLast6?: string | null;
}

/** One invoice line as the platform holds it (money as decimal strings; null where the platform keeps nothing). */
export interface VerifiedInvoiceLine {
  readonly name: string;
  readonly spec: string | null;
  readonly unit: string | null;
  readonly quantity: string | null;
  readonly unitPrice: string | null;
  readonly amount: string;
  readonly taxRate: string | null;
  readonly taxAmount: string;
}

/** What the platform holds for a found invoice. */
export interface VerifiedInvoice {
  /** 票种 code (81, 82, 004, 026 …: src/tax received-invoice-kinds). */
  readonly kind: string;
  readonly code: string | null;
  readonly number: string;
  /** YYYY-MM-DD (China time). */
  readonly issueDate: string;
  readonly seller: { readonly name: string; readonly taxId: string };
  readonly buyer: { readonly name: string; readonly taxId: string | null };
  readonly amount: string;
  readonly tax: string;
  readonly total: string;
  readonly lines: readonly VerifiedInvoiceLine[];
  readonly remark: string | null;
  /** Sum of red invoices issued against it (≤ 0; "0.00" when none). */
  readonly redAmount: string;
  readonly redTax: string;
}

/** The platform's answer to one 查验. */
export interface VerificationResult {
  readonly status: VerificationStatus;
  /** Present for `mismatch`: the first input that differs. */
  readonly mismatchField?: VerificationMismatchField;
  /** The platform's message, in Chinese. */
  readonly message: string;
  /** Present when the platform disclosed the invoice (statuses normal, red_reversed, partly_red, void). */
  readonly invoice?: VerifiedInvoice;
}

/** A 查验 provider (the national platform's service, a reseller, or the sandbox). */
export interface VerificationChannel {
  /** Provider name: the key of its rate and daily quota (VERIFY_RATE_PER_SECOND, VERIFY_DAILY_QUOTA). */
  readonly provider: string;
  /** Asks the platform. Throws ChannelError when the call itself fails; never throws for an answer. */
  verify(scope: ChannelScope, query: VerificationQuery): Promise<VerificationResult>;
}

declare module '../../platform/deps.js' {
  interface Deps {
    /** Where received invoices are verified (查验); the built-in sandbox by default. */
    readonly verificationChannel: VerificationChannel;
  }
}
