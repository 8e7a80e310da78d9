import type { ComputedInvoice, RedReason } from '../../tax/index.js';

/**
 * The boundary to a tax platform (the national 数电 platform via 乐企, an 电子税务局 robot, a UKey server, or the
 * built-in sandbox). Every mutating call carries our `requestId`; a channel must be idempotent by it, so a call
 * retried after a crash or a timeout returns the first answer and never a second invoice number or form.
 */
export interface IssuingChannel {
  readonly name: string;
  /**
   * Logs a seller in: checks the credential the platform gave the company for `taxId` (the sandbox's issued
   * credential; a real channel's login or certificate). Throws ChannelError `CHANNEL_CREDENTIAL_INVALID` (permanent)
   * when it does not hold. Whether the seller may then issue is the caller's record (orgs' channel binding).
   */
  bindAccount(request: ChannelAccountBindRequest): Promise<ChannelAccount>;
  /**
   * Issues a blue or red invoice. Throws ChannelError (transient → retry, permanent → the request failed).
   * Required of every channel: a second `issue` with the same `requestId` (the worker crashed after the first call,
   * before our commit, and the job ran again) returns the first call's number, date and codes — never a second
   * invoice. The issue job relies on it: it writes nothing before the call, so the request is still `pending` when a
   * crashed attempt is retried.
   */
  issue(request: ChannelIssueRequest): Promise<ChannelIssued>;
  /** Looks up an issue request by requestId (after a timeout: did it go through?). */
  queryIssue(scope: ChannelScope, requestId: string): Promise<ChannelIssued | null>;
  /** Applies for a 红字发票信息确认单 (seller-initiated). */
  applyRedForm(request: ChannelRedFormRequest): Promise<ChannelRedForm>;
  getRedForm(scope: ChannelScope, formId: string): Promise<ChannelRedForm | null>;
  /** The counter-party's answer to a form (the sandbox simulates the buyer; real channels reflect the buyer's act). */
  decideRedForm(scope: ChannelScope, formId: string, decision: 'confirm' | 'reject'): Promise<ChannelRedForm>;
  /** 查验: does an invoice with these facts exist, and what does the platform hold for it? */
  verify(scope: ChannelScope, query: ChannelVerifyQuery): Promise<ChannelVerifyResult>;
  /** 授信额度 of a seller for the month containing `at`. */
  getQuota(scope: ChannelScope, sellerTaxId: string, at: number): Promise<ChannelQuota>;
}

/** Whose request: a channel keeps tenants apart like everything else. */
export interface ChannelScope {
  readonly tenantId: string;
}

export interface ChannelAccountBindRequest extends ChannelScope {
  readonly taxId: string;
  /** What the company received from the platform; never logged or stored in clear. */
  readonly credential: string;
}

/** A verified channel account. */
export interface ChannelAccount {
  readonly taxId: string;
  readonly verifiedAt: number;
}

export interface ChannelIssueRequest extends ChannelScope {
  /** Our idempotency key (the invoice request id). */
  readonly requestId: string;
  readonly seller: {
    readonly taxId: string;
    readonly name: string;
    readonly address: string | null;
    readonly phone: string | null;
    readonly bankName: string | null;
    readonly bankAccount: string | null;
    /** 6-digit 行政区划码; the 数电 number carries its province (tax-rules §2.1). */
    readonly regionCode: string | null;
  };
  /** Validated and computed by src/tax; amounts negative for a red invoice. */
  readonly invoice: ComputedInvoice;
  readonly drawer: string | null;
  /** For a red invoice: the blue invoice and the confirmed form it reverses. */
  readonly red?: { readonly blueNumber: string; readonly redFormId: string; readonly redFormNo: string };
}

export interface ChannelIssued {
  readonly requestId: string;
  /** 20-digit 数电 number, or the legacy 8-digit number with `code`. */
  readonly number: string;
  /** Legacy 发票代码 (10/12 digits); null for 数电. */
  readonly code: string | null;
  readonly issuedAt: number;
  /** Legacy 校验码 (20 digits); null for 数电 (verification uses the amount instead). */
  readonly checkCode: string | null;
}

export const RED_FORM_STATUSES = [
  'no_confirmation_needed', // 01 无需确认
  'pending_buyer', // 02 销方录入待购方确认
  'confirmed', // 04 购销双方已确认
  'rejected', // 05 作废(销方录入购方否认)
  'expired', // 07 作废(超72小时未确认)
  'used', // a red invoice was issued against it (one per form)
] as const;
export type RedFormStatus = (typeof RED_FORM_STATUSES)[number];

export interface ChannelRedLine {
  /** Blue line number (`lzmxxh`) this red line reverses. */
  readonly blueLineNo: number;
  readonly quantity: string | null;
  /** Negative decimal strings. */
  readonly amount: string;
  readonly taxAmount: string;
}

export interface ChannelRedFormRequest extends ChannelScope {
  readonly requestId: string;
  readonly sellerTaxId: string;
  readonly buyerTaxId: string | null;
  readonly buyerName: string;
  readonly buyerNaturalPerson: boolean;
  readonly blue: {
    readonly number: string;
    /** Legacy 发票代码 of a 税控 blue invoice (§8.2: the platform identifies it by code + number); null for 数电. */
    readonly code?: string | null;
    readonly kind: string;
    readonly issuedAt: number;
    readonly amount: string;
    readonly tax: string;
  };
  readonly reason: RedReason;
  readonly lines: readonly ChannelRedLine[];
  /** Negative totals of the red invoice to be. */
  readonly amount: string;
  readonly tax: string;
}

export interface ChannelRedForm {
  readonly id: string;
  /** 20-character 红字确认单编号. */
  readonly formNo: string;
  readonly requestId: string;
  readonly blueNumber: string;
  readonly reason: RedReason;
  readonly status: RedFormStatus;
  readonly amount: string;
  readonly tax: string;
  readonly lines: readonly ChannelRedLine[];
  readonly appliedAt: number;
  /** End of the 72-hour confirmation window (tax-rules §8.1); null when no confirmation is needed. */
  readonly confirmBy: number | null;
  readonly decidedAt: number | null;
}

export interface ChannelVerifyQuery {
  readonly kind?: string;
  readonly number: string;
  readonly code?: string;
  /** YYYY-MM-DD (China time). */
  readonly issueDate: string;
  /**
   * The amount input of tax-rules §4: 价税合计 for 数电票 (81/82/85/86); 开具金额（不含税） for legacy 专票 (004/028).
   * Legacy 普票 (007/025/026) use {@link checkCodeLast6} instead.
   */
  readonly amount?: string;
  readonly checkCodeLast6?: string;
}

export interface ChannelVerifyResult {
  readonly found: boolean;
  /** Present when found: what the platform holds. */
  readonly invoice?: {
    readonly number: string;
    readonly kind: string;
    readonly issuedAt: number;
    readonly sellerTaxId: string;
    readonly sellerName: string;
    readonly buyerName: string;
    readonly buyerTaxId: string | null;
    readonly amount: string;
    readonly tax: string;
    readonly total: string;
    /** normal, partially_reversed, reversed */
    readonly status: 'normal' | 'partially_reversed' | 'reversed';
  };
  /** Present when not found or mismatched: why, in Chinese. */
  readonly reason?: string;
}

export interface ChannelQuota {
  readonly sellerTaxId: string;
  /** YYYY-MM (China time). */
  readonly month: string;
  /** Decimal strings (yuan). */
  readonly total: string;
  readonly used: string;
  readonly remaining: string;
}

/** A channel failure. `transient` ones are retried with backoff; `permanent` ones fail the request with `message`. */
export class ChannelError extends Error {
  constructor(
    readonly kind: 'transient' | 'permanent',
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

declare module '../../platform/deps.js' {
  interface Deps {
    /** Where invoices are issued (config CHANNEL; the built-in sandbox by default). */
    readonly channel: IssuingChannel;
  }
}
