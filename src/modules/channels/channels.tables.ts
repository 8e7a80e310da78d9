import type { DbBool } from '../../platform/db/database.js';

/**
 * Tables of the sandbox channel (a simulated national tax platform). Every table carries `tenant_id`; money is
 * integer fen, time epoch ms, JSON as text. The sandbox owns these tables: no other module reads them.
 */

/** Per-tenant simulation settings (latency, failure injection, red-form buyer, quota defaults) as JSON. */
export interface SandboxSettingsTable {
  tenant_id: string;
  settings_json: string;
  updated_at: number;
}

/** How often a `times`-limited failure rule has fired; reset whenever the rules are replaced. */
export interface SandboxRuleHitTable {
  tenant_id: string;
  rule_index: number;
  hits: number;
}

/**
 * Number sequences. Invoice numbers and form numbers are unique platform-wide (as on the real platform), so their
 * rows use the tenant id {@link SANDBOX_PLATFORM_TENANT}; `value` is the last number handed out.
 */
export interface SandboxSequenceTable {
  tenant_id: string;
  scope: string;
  value: number;
}

/** Tenant id of platform-wide rows (sequences). */
export const SANDBOX_PLATFORM_TENANT = '_platform';

/** 授信额度 of a seller for one month (China time). `total_fen` null = the tenant's default quota. */
export interface SandboxQuotaTable {
  tenant_id: string;
  seller_tax_id: string;
  /** YYYY-MM. */
  month: string;
  total_fen: number | null;
  used_fen: number;
  updated_at: number;
}

/** Blue-invoice status on the platform after reds (tax-rules §8.1 "Blue-invoice status": 7 部分红冲, 8 全额红冲). */
export type LedgerStatus = 'normal' | 'partially_reversed' | 'reversed';

/** Every invoice the simulated platform issued. */
export interface SandboxLedgerTable {
  id: string;
  tenant_id: string;
  request_id: string;
  number: string;
  /** Legacy 发票代码; '' for 数电 (so the unique key (tenant_id, code, number) works on both dialects). */
  code: string;
  check_code: string | null;
  kind: string;
  seller_tax_id: string;
  seller_name: string;
  /** 6-digit 行政区划码 the numbers were derived from. */
  seller_region: string;
  buyer_name: string;
  buyer_tax_id: string | null;
  buyer_natural_person: DbBool;
  amount_fen: number;
  tax_fen: number;
  total_fen: number;
  issued_at: number;
  /** JSON array of LedgerLine (sandbox/ledger-rows.ts). */
  lines_json: string;
  is_red: DbBool;
  blue_number: string | null;
  red_form_id: string | null;
  status: LedgerStatus;
  /** Sum of red invoices issued against this blue (≤ 0). */
  red_amount_fen: number;
  red_tax_fen: number;
  updated_at: number;
}

/** 红字发票信息确认单 (tax-rules §8.1). */
export interface SandboxRedFormTable {
  id: string;
  tenant_id: string;
  request_id: string;
  form_no: string;
  seller_tax_id: string;
  buyer_name: string;
  buyer_tax_id: string | null;
  blue_ledger_id: string;
  blue_number: string;
  reason: string;
  status: string;
  /** Negative. */
  amount_fen: number;
  tax_fen: number;
  /** JSON array of ChannelRedLine. */
  lines_json: string;
  applied_at: number;
  confirm_by: number | null;
  decided_at: number | null;
  red_ledger_id: string | null;
  updated_at: number;
}

/**
 * The login the simulated platform issued to a company (one per tax id, platform-wide like a real 税务数字账户; not
 * per tenant). Only its SHA-256 is kept: the credential is shown once, when the operator issues it.
 */
export interface SandboxCredentialTable {
  tax_id: string;
  credential_hash: string;
  issued_at: number;
}

/**
 * Invoices from elsewhere that the operator imported for 查验 (`openfapiao sandbox import-ledger FILE`). Platform-wide
 * like the real platform's records (no tenant): any tenant's 查验 of the four matching inputs finds them. A second
 * import of the same code + number replaces the row (e.g. to mark it void).
 */
export interface SandboxVerifyImportTable {
  /** Legacy 发票代码; '' for 数电. */
  code: string;
  number: string;
  kind: string;
  /** YYYY-MM-DD (China time). */
  issue_date: string;
  check_code: string | null;
  seller_name: string;
  seller_tax_id: string;
  buyer_name: string;
  buyer_tax_id: string | null;
  amount_fen: number;
  tax_fen: number;
  total_fen: number;
  /** JSON array of VerifiedInvoiceLine. */
  lines_json: string;
  remark: string | null;
  /** normal | void | red_reversed | partly_red. */
  status: string;
  red_amount_fen: number;
  red_tax_fen: number;
  /** File name of the import. */
  source: string;
  imported_at: number;
}

/** 查验 count of one platform invoice (code + number) on one China day: 5 a day, then 超过查验次数. */
export interface SandboxVerifyCheckTable {
  code: string;
  number: string;
  /** YYYY-MM-DD (China time). */
  day: string;
  checks: number;
}

/**
 * Rate and daily quota of a verification provider, counted in the database so that every process shares them.
 * `period` 'rate' holds the provider's theoretical arrival time (GCRA, epoch ms) in `value`; `day:YYYY-MM-DD` holds
 * the calls of that China day.
 */
export interface VerificationLimitTable {
  provider: string;
  period: string;
  value: number;
}

/** The sandbox's part of the Database interface. */
export interface ChannelTables {
  sandbox_settings: SandboxSettingsTable;
  sandbox_rule_hits: SandboxRuleHitTable;
  sandbox_sequences: SandboxSequenceTable;
  sandbox_quotas: SandboxQuotaTable;
  sandbox_ledger: SandboxLedgerTable;
  sandbox_red_forms: SandboxRedFormTable;
  sandbox_credentials: SandboxCredentialTable;
  sandbox_verify_imports: SandboxVerifyImportTable;
  sandbox_verify_checks: SandboxVerifyCheckTable;
  verification_limits: VerificationLimitTable;
}
