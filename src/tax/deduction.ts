/**
 * Input-tax deduction (抵扣勾选) rules of received invoices: which kinds may be selected for deduction, the deductible
 * tax of each (the printed tax, or the tax computed from a passenger ticket's fare), whether the user may enter a
 * smaller effective tax (partial), the deadline, and the tax period (所属期 YYYYMM). Pure; docs/deduction.md.
 */
import { fenToDecimalString, TaxDecimal } from './decimal.js';
import type { ReceivedInvoiceKind } from './received-invoice-kinds.js';
import { verificationStatusName } from './verification-statuses.js';

/**
 * How a deductible kind's tax is found:
 * - `special`: VAT special invoices (专票) — the printed tax (凭票抵扣, 增值税暂行条例 第八条).
 * - `vehicle`: 机动车销售统一发票 — the printed tax (凭票抵扣 like a special invoice).
 * - `toll`: 通行费电子普通发票 — the printed tax (财税〔2016〕86号, 交通运输部公告 通行费电子发票).
 * - `rail` / `air` / `road_water`: passenger transport tickets — the printed tax when the ticket carries one
 *   (数电 铁路电子客票, 数电 航空行程单), else computed from the fare (财政部 税务总局 海关总署公告2019年第39号 第六条).
 */
export type DeductionCategory = 'special' | 'vehicle' | 'toll' | 'rail' | 'air' | 'road_water';

/** The received kinds that may be selected for deduction, with how their tax is found. */
export const DEDUCTIBLE_KINDS: Readonly<Partial<Record<ReceivedInvoiceKind, DeductionCategory>>> = {
  '81': 'special', // 电子发票（增值税专用发票）
  '85': 'special', // 纸质发票（增值税专用发票）
  '028': 'special', // 增值税电子专用发票
  '004': 'special', // 增值税专用发票
  '83': 'vehicle', // 电子发票（机动车销售统一发票）
  '003': 'vehicle', // 机动车销售统一发票
  '027': 'toll', // 增值税电子普通发票（通行费）
  '51': 'rail', // 电子发票（铁路电子客票）
  '61': 'air', // 电子发票（航空运输电子客票行程单）
};

/** The deductible kinds' codes, in a stable order (filters, console). */
export const DEDUCTIBLE_KIND_CODES: readonly ReceivedInvoiceKind[] = Object.keys(
  DEDUCTIBLE_KINDS,
) as ReceivedInvoiceKind[];

/** The deduction category of a kind, or null when the kind is not deductible (普票 82/86/007/025/026, other …). */
export function deductionCategoryOf(kind: string): DeductionCategory | null {
  return DEDUCTIBLE_KINDS[kind as ReceivedInvoiceKind] ?? null;
}

/**
 * True when the user may enter an effective deductible tax below the full tax (有效抵扣税额 < 票面税额): only for
 * the invoices whose tax is printed and deducted 凭票 (VAT special invoices and 机动车销售统一发票), as the
 * 增值税发票综合服务平台 lets a buyer enter 有效税额 ≤ 税额 when part of the purchase is not deductible (e.g. part
 * used for collective welfare). Tolls and passenger tickets are deducted in full (their tax is a computed figure).
 */
export function allowsPartialDeduction(kind: string): boolean {
  const category = deductionCategoryOf(kind);
  return category === 'special' || category === 'vehicle';
}

/** Passenger transport rates (公告2019年第39号 第六条): rail and air 9 %, road and water 3 %. */
const TRANSPORT_RATE: Readonly<Record<'rail' | 'air' | 'road_water', string>> = {
  rail: '0.09',
  air: '0.09',
  road_water: '0.03',
};

/** What the deductible tax of one invoice is computed from (integer fen). */
export interface DeductibleTaxInput {
  readonly kind: string;
  /** 票面税额 (null when the item carries none). */
  readonly taxFen: number | null;
  /** 价税合计 / 票价 (rail, road, water: the fare printed; the whole amount). */
  readonly totalFen: number | null;
  /** Air: 票价 + 燃油附加费 (the parse's `passenger.fare`); the 民航发展基金 is not part of it. */
  readonly fareFen?: number | null;
  /** For kinds outside the received-kind list: a passenger ticket's mode (公路 / 水路 tickets). */
  readonly transport?: 'road_water';
}

/** The deductible tax and how it was found. */
export interface DeductibleTax {
  readonly taxFen: number;
  /** `printed`: the invoice's tax; `computed`: from the fare by the transport rule. */
  readonly basis: 'printed' | 'computed';
  /** The rule in words (Chinese), for the UI and exports. */
  readonly rule: string;
}

/**
 * Tax ÷ (1 + rate) × rate of an amount in fen, rounded half-up to the fen (公告2019年第39号 第六条（一）–（四）:
 * 航空 (票价 + 燃油附加费) ÷ (1+9%) × 9%; 铁路 票面金额 ÷ (1+9%) × 9%; 公路、水路 票面金额 ÷ (1+3%) × 3%).
 */
export function transportTaxFen(amountFen: number, mode: 'rail' | 'air' | 'road_water'): number {
  const rate = new TaxDecimal(TRANSPORT_RATE[mode]);
  return new TaxDecimal(amountFen)
    .dividedBy(rate.plus(1))
    .times(rate)
    .toDecimalPlaces(0, TaxDecimal.ROUND_HALF_UP)
    .toNumber();
}

/**
 * The deductible tax of an invoice, or null when its kind is not deductible or the figures it needs are missing.
 * VAT special invoices, vehicle invoices and tolls: the printed tax. Passenger tickets: the printed tax when the
 * ticket carries one (> 0), else computed from the fare (air: fare + fuel surcharge; rail, road, water: the total).
 */
export function deductibleTax(input: DeductibleTaxInput): DeductibleTax | null {
  const category = input.transport ?? deductionCategoryOf(input.kind);
  if (category === null) return null;
  const printed = input.taxFen === null ? null : Number(input.taxFen);
  if (category === 'special' || category === 'vehicle' || category === 'toll') {
    if (printed === null) return null;
    return { taxFen: printed, basis: 'printed', rule: '票面税额' };
  }
  if (printed !== null && printed > 0) return { taxFen: printed, basis: 'printed', rule: '票面税额' };
  if (category === 'air') {
    const fare = input.fareFen ?? null;
    if (fare === null) return null;
    return {
      taxFen: transportTaxFen(Number(fare), 'air'),
      basis: 'computed',
      rule: `（票价 + 燃油附加费）${fenToDecimalString(Number(fare))} ÷ (1+9%) × 9%`,
    };
  }
  if (input.totalFen === null) return null;
  const total = Number(input.totalFen);
  const pct = category === 'rail' ? '9%' : '3%';
  return {
    taxFen: transportTaxFen(total, category),
    basis: 'computed',
    rule: `票面金额 ${fenToDecimalString(total)} ÷ (1+${pct}) × ${pct}`,
  };
}

/**
 * Invoices issued before this date (YYYY-MM-DD) are past the selection deadline. Since 2017-07-01 a special invoice
 * issued on or after 2017-01-01 has 360 days (国家税务总局公告2017年第11号), and since 2020-03-01 there is no deadline
 * at all for invoices issued on or after 2017-01-01 (国家税务总局公告2019年第45号 第一条). Everything issued before
 * 2017-01-01 was past its 360 days long ago, so that one date is the whole rule today.
 */
export const DEDUCTION_EARLIEST_ISSUE_DATE = '2017-01-01';

/** The deadline problem of an invoice issued on `issueDate` (YYYY-MM-DD), in Chinese, or null. */
export function deductionDeadlineProblem(issueDate: string): string | null {
  return issueDate < DEDUCTION_EARLIEST_ISSUE_DATE ? '开票日期早于 2017-01-01，已超过认证抵扣期限' : null;
}

const PERIOD = /^(\d{4})(0[1-9]|1[0-2])$/;

/** True for a well-formed 所属期 (YYYYMM, month 01–12, year ≥ 2000). */
export function isTaxPeriod(value: string): boolean {
  const m = PERIOD.exec(value);
  return m !== null && Number(m[1]) >= 2000;
}

/** The 所属期 (YYYYMM) of a China-time instant. */
export function taxPeriodOf(now: number): string {
  const d = new Date(now + 8 * 3_600_000);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The 所属期 of a YYYY-MM-DD date. */
export function taxPeriodOfDate(date: string): string {
  return date.slice(0, 4) + date.slice(5, 7);
}

/** The last day (YYYY-MM-DD) of a 所属期. */
export function taxPeriodEnd(period: string): string {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(4, 6));
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${period.slice(0, 4)}-${period.slice(4, 6)}-${String(last).padStart(2, '0')}`;
}

/** The problem of a 所属期 given now (China time), in Chinese, or null: malformed, or in the future. */
export function taxPeriodProblem(period: string, now: number): string | null {
  if (!isTaxPeriod(period)) return '所属期格式应为 YYYYMM';
  if (period > taxPeriodOf(now)) return `所属期 ${period} 尚未到来`;
  return null;
}

/** Verification statuses that may still turn 正常 (the invoice waits for 查验 rather than being refused). */
const WAITING_VERIFICATION: readonly string[] = ['pending', 'failed', 'too_many_checks', 'unverifiable'];

/** The facts of a received invoice that decide whether it may be selected for deduction at all. */
export interface DeductionFacts {
  readonly kind: string;
  readonly issueDate: string | null;
  /** Undefined: not known to the caller, not checked (the selection always passes it). */
  readonly number?: string | null;
  readonly verificationStatus: string;
  readonly isRed: boolean;
  readonly duplicate: boolean;
}

/** Why an invoice cannot be selected now; `waitsForVerification`: it can once its 查验 turns 正常. */
export interface DeductionBlock {
  readonly reason: string;
  readonly waitsForVerification: boolean;
}

/**
 * Why an invoice cannot be selected for deduction in any period (Chinese), or null: its kind, red, duplicate, the
 * deadline, its verification status (waiting for 查验, or refused by it), a missing issue date or number. The one rule
 * behind both the pool's deduction state (deduction-statuses.ts: 可勾选 only when this is null) and the selection
 * ({@link deductionProblem}), so the pool never offers what the selection refuses.
 */
export function deductionBlock(f: DeductionFacts): DeductionBlock | null {
  const refused = (reason: string) => ({ reason, waitsForVerification: false });
  if (deductionCategoryOf(f.kind) === null) {
    return refused('该票种不可抵扣（仅专票、机动车发票、通行费发票和旅客运输客票）');
  }
  if (f.isRed) return refused('红字发票不可抵扣');
  if (f.duplicate) return refused('重复发票');
  const deadline = f.issueDate ? deductionDeadlineProblem(f.issueDate) : null;
  if (deadline) return refused(deadline);
  if (f.verificationStatus !== 'normal') {
    const name = verificationStatusName(f.verificationStatus);
    return WAITING_VERIFICATION.includes(f.verificationStatus)
      ? { reason: `查验状态为“${name}”，查验正常后可勾选`, waitsForVerification: true }
      : refused(`查验状态为“${name}”`);
  }
  if (!f.issueDate) return refused('缺少开票日期');
  if (f.number !== undefined && !f.number) return refused('缺少发票号码');
  return null;
}

/**
 * Why an invoice cannot be selected in a period (Chinese), or null: {@link deductionBlock}, or a period before the
 * invoice's month.
 */
export function deductionProblem(invoice: DeductionFacts, period: string): string | null {
  const block = deductionBlock(invoice);
  if (block) return block.reason;
  if (invoice.issueDate && period < taxPeriodOfDate(invoice.issueDate)) return `所属期 ${period} 早于开票月份`;
  return null;
}
