/**
 * 合规检查 of a received invoice: pure rules over the facts of one item (its fields, verification status, the
 * tenant's orgs and the duplicates found), no I/O. Each rule is switched on or off per buyer org with a level
 * (`block` stops the invoice from being used, `warn` only flags it) and its parameters. docs/collection.md#compliance
 * lists the rules; the module `src/modules/collection/compliance` gathers the facts and stores the findings.
 */
import { isPersonalTitle } from './buyer-rules.js';
import { parseDecimal } from './decimal.js';
import { RECEIVED_INVOICE_KINDS, type ReceivedInvoiceKind } from './received-invoice-kinds.js';
import { verificationStatusName } from './verification-statuses.js';

/** The rules, in the order the findings list them. */
export const COMPLIANCE_RULE_IDS = [
  'buyerName',
  'buyerTaxId',
  'personalTitle',
  'verification',
  'duplicate',
  'maxAge',
  'maxAmount',
  'sellerBlocklist',
  'kind',
] as const;
export type ComplianceRuleId = (typeof COMPLIANCE_RULE_IDS)[number];

export const COMPLIANCE_LEVELS = ['block', 'warn'] as const;
export type ComplianceLevel = (typeof COMPLIANCE_LEVELS)[number];

export type ComplianceOutcome = 'pass' | 'fail' | 'skip';
export type ComplianceResult = 'pass' | 'warn' | 'block';

/** Chinese names of the rules (the console and the docs). */
export const COMPLIANCE_RULE_NAMES: Readonly<Record<ComplianceRuleId, string>> = {
  buyerName: '购买方名称为本企业',
  buyerTaxId: '购买方税号为本企业',
  personalTitle: '拒收个人抬头',
  verification: '查验结果为正常',
  duplicate: '重复发票',
  maxAge: '开票日期超期',
  maxAmount: '金额超限',
  sellerBlocklist: '销售方黑名单',
  kind: '票种不在接收范围',
};

/** The parameters of each rule (rules without parameters take `{}`). */
export interface ComplianceParams {
  buyerName: Record<string, never>;
  buyerTaxId: Record<string, never>;
  personalTitle: Record<string, never>;
  verification: Record<string, never>;
  /**
   * Which kinds of duplicate count: same 票种+代码+号码; same content fingerprint (the same invoice in another file or
   * read as another kind, e.g. its PDF and its OFD). The same file twice is never a second item (intake is idempotent
   * by content hash), so there is no "same file" duplicate.
   */
  duplicate: { sameNumber: boolean; sameFingerprint: boolean };
  /** Older than this many days (by 开票日期, China date) fails. */
  maxAge: { days: number };
  /** A 价税合计 above this (decimal string, yuan) fails. */
  maxAmount: { amount: string };
  /** Sellers' tax ids (纳税人识别号) refused. */
  sellerBlocklist: { taxIds: string[] };
  /** The kinds accepted; any other fails. */
  kind: { accepted: ReceivedInvoiceKind[] };
}

export interface ComplianceRule<P> {
  enabled: boolean;
  level: ComplianceLevel;
  params: P;
}

/** Every rule's setting: what one buyer org (or the tenant's default) applies. */
export type ComplianceRules = { [K in ComplianceRuleId]: ComplianceRule<ComplianceParams[K]> };

/** Bounds of the parameters (the API validates against them). */
export const COMPLIANCE_LIMITS = { maxAgeDays: 3650, blocklistSize: 1000 } as const;

/**
 * The rules applied when nothing is saved: the buyer must be one of the tenant's orgs (name and tax id), no 个人
 * title, verification 正常, no duplicate — all blocking; older than 360 days and amounts above 100 000.00 warn; an
 * empty seller block list; every kind but `other` accepted (warn).
 */
export function defaultComplianceRules(): ComplianceRules {
  return {
    buyerName: { enabled: true, level: 'block', params: {} },
    buyerTaxId: { enabled: true, level: 'block', params: {} },
    personalTitle: { enabled: true, level: 'block', params: {} },
    verification: { enabled: true, level: 'block', params: {} },
    duplicate: { enabled: true, level: 'block', params: { sameNumber: true, sameFingerprint: true } },
    maxAge: { enabled: true, level: 'warn', params: { days: 360 } },
    maxAmount: { enabled: false, level: 'warn', params: { amount: '100000.00' } },
    sellerBlocklist: { enabled: true, level: 'block', params: { taxIds: [] } },
    kind: { enabled: true, level: 'warn', params: { accepted: RECEIVED_INVOICE_KINDS.filter((k) => k !== 'other') } },
  };
}

/** What is known of one received invoice when its compliance is evaluated. */
export interface ComplianceFacts {
  /** Today's date in China (YYYY-MM-DD), for the age rule. */
  today: string;
  invoice: {
    kind: string;
    issueDate: string | null;
    sellerTaxId: string | null;
    buyerName: string | null;
    buyerTaxId: string | null;
    /** 价税合计, decimal string. */
    total: string | null;
    /** The verification status (`pending`, `normal`, `red_reversed` …). */
    verificationStatus: string;
  };
  /** The tenant's orgs (the companies that may receive invoices). */
  orgs: ReadonlyArray<{ name: string; taxId: string }>;
  /** Ids of earlier live items this one duplicates, by kind of duplicate (null: none). */
  duplicates: { sameNumber: string | null; sameFingerprint: string | null };
}

export interface ComplianceFinding {
  rule: ComplianceRuleId;
  level: ComplianceLevel;
  outcome: ComplianceOutcome;
  reason: string;
}

export interface ComplianceEvaluation {
  result: ComplianceResult;
  findings: ComplianceFinding[];
}

/** Names are compared at most this long (input is capped before any normalisation). */
const NAME_MAX = 300;

/**
 * A company name for comparison: NFKC (full-width brackets, letters and digits become half-width), no whitespace
 * of any width, lower case. `（北京）有限公司` and `(北京) 有限公司` compare equal.
 */
export function normalizeCompanyName(name: string): string {
  return name.slice(0, NAME_MAX).normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

/** Tax ids compare upper case without spaces. */
export function normalizeTaxId(taxId: string): string {
  return taxId.slice(0, 40).replace(/\s+/g, '').toUpperCase();
}

/** Words that end the names of organisations (a name without any and of 2–4 Han characters reads as a person). */
const ORG_WORDS =
  /(公司|厂|店|部|中心|院|所|局|站|社|会|行|馆|室|处|校|学|园|队|组|委|办|集团|银行|医院|酒店|事务所|合作社|协会|基金)/;

/** A natural person's name as an invoice title: 个人 titles, or 2–4 Han characters (optionally ·) naming no org. */
export function looksLikePersonName(name: string): boolean {
  const text = name.slice(0, NAME_MAX).trim();
  if (isPersonalTitle(text)) return true;
  return /^[\u4e00-\u9fff·]{2,5}$/.test(text) && text.replace(/·/g, '').length <= 4 && !ORG_WORDS.test(text);
}

type Outcome = { outcome: ComplianceOutcome; reason: string };
const pass = (reason: string): Outcome => ({ outcome: 'pass', reason });
const fail = (reason: string): Outcome => ({ outcome: 'fail', reason });
const skip = (reason: string): Outcome => ({ outcome: 'skip', reason });

/** Days from `from` to `to` (both YYYY-MM-DD), or null for a malformed date. */
function daysBetween(from: string, to: string): number | null {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || Number.isNaN(a) || Number.isNaN(b)) return null;
  return Math.round((b - a) / 86_400_000);
}

const missing = (value: string | null): value is null => value === null || value.trim() === '';

function evaluateRule(id: ComplianceRuleId, rules: ComplianceRules, facts: ComplianceFacts): Outcome {
  const inv = facts.invoice;
  const pending = inv.verificationStatus === 'pending';
  switch (id) {
    case 'buyerName': {
      if (missing(inv.buyerName)) {
        return pending ? skip('未读到购买方名称，待查验后补全') : fail('发票未载明购买方名称');
      }
      const name = normalizeCompanyName(inv.buyerName);
      const org = facts.orgs.find((o) => normalizeCompanyName(o.name) === name);
      return org ? pass(`购买方为本企业：${org.name}`) : fail(`购买方“${inv.buyerName}”不是本企业`);
    }
    case 'buyerTaxId': {
      if (missing(inv.buyerTaxId)) {
        return pending ? skip('未读到购买方税号，待查验后补全') : fail('发票未载明购买方税号');
      }
      const taxId = normalizeTaxId(inv.buyerTaxId);
      const org = facts.orgs.find((o) => normalizeTaxId(o.taxId) === taxId);
      return org ? pass(`购买方税号为本企业：${org.name}`) : fail(`购买方税号 ${taxId} 不是本企业的税号`);
    }
    case 'personalTitle': {
      if (!missing(inv.buyerName) && looksLikePersonName(inv.buyerName)) {
        return fail(`购买方为个人（${inv.buyerName}），不能用于企业报销或抵扣`);
      }
      if (missing(inv.buyerTaxId)) {
        if (missing(inv.buyerName) && pending) return skip('未读到购买方，待查验后补全');
        return fail('购买方无税号，属个人抬头');
      }
      return pass('购买方为单位抬头');
    }
    case 'verification': {
      if (pending) return skip('待查验');
      if (inv.verificationStatus === 'normal') return pass('查验结果：正常');
      // 部分红冲: the invoice stays valid for what was not reversed (the claimable amount is reduced by the red one).
      if (inv.verificationStatus === 'partly_red') return pass('查验结果：部分红冲（可报销金额已扣除红冲部分）');
      return fail(`查验结果：${verificationStatusName(inv.verificationStatus)}`);
    }
    case 'duplicate': {
      const p = rules.duplicate.params;
      const d = facts.duplicates;
      if (p.sameNumber && d.sameNumber) return fail(`与 ${d.sameNumber} 重复：同一张发票（发票代码和号码相同）`);
      if (p.sameFingerprint && d.sameFingerprint) {
        return fail(`与 ${d.sameFingerprint} 重复：销售方税号、号码、开票日期和价税合计相同`);
      }
      return pass('未发现重复');
    }
    case 'maxAge': {
      const { days } = rules.maxAge.params;
      if (missing(inv.issueDate)) return skip('未读到开票日期');
      const age = daysBetween(inv.issueDate, facts.today);
      if (age === null) return skip('开票日期格式不正确');
      return age > days ? fail(`开票日期 ${inv.issueDate} 已超过 ${days} 天（${age} 天）`) : pass(`开票 ${age} 天`);
    }
    case 'maxAmount': {
      const limit = parseDecimal(rules.maxAmount.params.amount);
      const total = inv.total === null ? null : parseDecimal(inv.total);
      if (limit === null) return skip('金额上限设置无效');
      if (total === null) return skip('未读到价税合计');
      return total.gt(limit)
        ? fail(`价税合计 ${inv.total} 超过上限 ${rules.maxAmount.params.amount}`)
        : pass(`价税合计 ${inv.total} 未超过上限`);
    }
    case 'sellerBlocklist': {
      if (missing(inv.sellerTaxId)) return skip('未读到销售方税号');
      const taxId = normalizeTaxId(inv.sellerTaxId);
      const listed = rules.sellerBlocklist.params.taxIds.some((t) => normalizeTaxId(t) === taxId);
      return listed ? fail(`销售方 ${taxId} 在黑名单中`) : pass('销售方不在黑名单中');
    }
    case 'kind': {
      const accepted = (rules.kind.params.accepted as readonly string[]).includes(inv.kind);
      return accepted ? pass('票种在接收范围内') : fail(`不接收此票种（${inv.kind}）`);
    }
  }
}

/**
 * Each rule's outcome and reason (a disabled rule is listed as `skip`, 未启用), and the item's result: `block` when a
 * blocking rule failed, else `warn` when a warning rule failed, else `pass`.
 */
export function evaluateCompliance(facts: ComplianceFacts, rules: ComplianceRules): ComplianceEvaluation {
  const findings: ComplianceFinding[] = COMPLIANCE_RULE_IDS.map((rule) => {
    const setting = rules[rule];
    if (!setting.enabled) return { rule, level: setting.level, outcome: 'skip', reason: '未启用' };
    return { rule, level: setting.level, ...evaluateRule(rule, rules, facts) };
  });
  const failed = findings.filter((f) => f.outcome === 'fail');
  const result: ComplianceResult = failed.some((f) => f.level === 'block')
    ? 'block'
    : failed.length > 0
      ? 'warn'
      : 'pass';
  return { result, findings };
}
