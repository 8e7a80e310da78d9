/**
 * Checks of a draft line's descriptive fields: line nature, name and `*简称*` prefix, tax code, rate and
 * 优惠政策标识 (tax-rules §5.1, §5.2, §5.5, §6).
 */
import type { TaxDecimalValue } from './decimal.js';
import { checkLength, checkRequired, isBlank } from './field-checks.js';
import type { InvoiceDraftLine } from './invoice-draft.js';
import { parseItemName } from './item-name.js';
import { isLineNature, type LineNature } from './line-natures.js';
import { isTaxCodeFormatValid, type TaxCodeEntry } from './tax-codes.js';
import { isTaxPolicyFlag, TAX_POLICY_FLAG_RATES, type TaxPolicyFlag } from './tax-policy-flags.js';
import { formatTaxRatePercent, isAllowedTaxRate, parseTaxRate } from './tax-rates.js';
import type { ResolvedValidateOptions } from './validation-options.js';
import { lineLabel, type Violation, violation } from './violations.js';

/** Descriptive facts of a line, null where the field was invalid. */
export interface LineMeta {
  readonly nature: LineNature | null;
  /** Seller's wording without a `*简称*` prefix. */
  readonly name: string | null;
  readonly entry: TaxCodeEntry | null;
  readonly rate: TaxDecimalValue | null;
  readonly flag: TaxPolicyFlag | undefined | null;
}

/** Checks nature, name, code, rate and flag of line `index`. */
export function checkLineMeta(
  out: Violation[],
  line: InvoiceDraftLine,
  index: number,
  options: ResolvedValidateOptions,
  isRed: boolean,
): LineMeta {
  const at = `/lines/${index}`;
  const label = lineLabel(index);
  const nature = line.lineNature === undefined ? 'normal' : isLineNature(line.lineNature) ? line.lineNature : null;
  if (nature === null) {
    out.push(
      violation(
        'LINE_NATURE_INVALID',
        `${at}/lineNature`,
        `${label}：发票行性质 ${JSON.stringify(line.lineNature)} 无效，须为 normal、discount 或 discounted`,
      ),
    );
  }
  const entry = checkTaxCode(out, line.taxCode, at, label, options);
  const name = checkName(out, line.name, entry, at, label, options);
  checkLength(out, line.spec, 'spec', `${at}/spec`, `${label}：规格型号`, options.lengthUnit);
  checkLength(out, line.unit, 'unit', `${at}/unit`, `${label}：单位`, options.lengthUnit);
  const rate = checkRate(out, line.taxRate, at, label, options, isRed);
  const flag = checkFlag(out, line.taxPolicyFlag, rate, at, label);
  return { nature, name, entry, rate, flag };
}

function checkTaxCode(
  out: Violation[],
  code: unknown,
  at: string,
  label: string,
  options: ResolvedValidateOptions,
): TaxCodeEntry | null {
  if (!checkRequired(out, code, `${at}/taxCode`, `${label}：税收分类编码`)) return null;
  if (typeof code !== 'string' || !isTaxCodeFormatValid(code)) {
    out.push(
      violation(
        'TAX_CODE_INVALID',
        `${at}/taxCode`,
        `${label}：税收分类编码 ${JSON.stringify(code)} 须为 19 位数字且首位为 1–6`,
      ),
    );
    return null;
  }
  const entry = options.taxCodes.get(code);
  if (!entry) {
    out.push(violation('TAX_CODE_UNKNOWN', `${at}/taxCode`, `${label}：税收分类编码 ${code} 不在编码表中`));
    return null;
  }
  if (entry.isSummary) {
    out.push(
      violation(
        'TAX_CODE_NOT_LEAF',
        `${at}/taxCode`,
        `${label}：税收分类编码 ${code}（${entry.name}）为汇总项，不能开票`,
      ),
    );
    return null;
  }
  return entry;
}

function checkName(
  out: Violation[],
  raw: unknown,
  entry: TaxCodeEntry | null,
  at: string,
  label: string,
  options: ResolvedValidateOptions,
): string | null {
  if (!checkRequired(out, raw, `${at}/name`, `${label}：项目名称`) || typeof raw !== 'string') return null;
  const parsed = parseItemName(raw);
  const name = parsed ? parsed.name : raw;
  if (parsed && entry && parsed.shortName !== entry.shortName) {
    const message = `${label}：项目名称中的简称 *${parsed.shortName}* 与税收分类编码 ${entry.code} 的简称 *${entry.shortName}* 不一致`;
    out.push(violation('LINE_NAME_PREFIX_MISMATCH', `${at}/name`, message, { expected: entry.shortName }));
  }
  if (parsed && isBlank(name)) {
    out.push(violation('FIELD_REQUIRED', `${at}/name`, `${label}：项目名称在 *简称* 之后不能为空`));
    return null;
  }
  checkLength(out, name, 'lineName', `${at}/name`, `${label}：项目名称`, options.lengthUnit);
  return name;
}

function checkRate(
  out: Violation[],
  raw: unknown,
  at: string,
  label: string,
  options: ResolvedValidateOptions,
  isRed: boolean,
): TaxDecimalValue | null {
  const path = `${at}/taxRate`;
  if (!checkRequired(out, raw, path, `${label}：税率`)) return null;
  const parsed = parseTaxRate(raw);
  if (!parsed.ok) {
    const hint =
      parsed.problem === 'percent'
        ? `，请写成小数形式（如 "0.13"）`
        : parsed.problem === 'precision'
          ? '，最多 6 位小数'
          : '';
    out.push(
      violation('TAX_RATE_FORMAT_INVALID', path, `${label}：税率 ${JSON.stringify(raw)} 格式无效${hint}`, {
        problem: parsed.problem,
      }),
    );
    return null;
  }
  const rateOptions = {
    isRed,
    allowUsedCarDealerRate: options.allowUsedCarDealerRate,
    allowedRates: options.allowedRates,
  };
  if (!isAllowedTaxRate(parsed.value, rateOptions)) {
    out.push(
      violation(
        'TAX_RATE_NOT_ALLOWED',
        path,
        `${label}：税率 ${formatTaxRatePercent(parsed.value)} 不在允许的税率范围内`,
      ),
    );
    return null;
  }
  return parsed.value;
}

function checkFlag(
  out: Violation[],
  raw: unknown,
  rate: TaxDecimalValue | null,
  at: string,
  label: string,
): TaxPolicyFlag | undefined | null {
  if (raw === undefined || raw === '') return undefined;
  if (!isTaxPolicyFlag(raw)) {
    out.push(
      violation(
        'TAX_POLICY_FLAG_INVALID',
        `${at}/taxPolicyFlag`,
        `${label}：优惠政策标识 ${JSON.stringify(raw)} 无效，须为 01–18`,
      ),
    );
    return null;
  }
  const fixed = TAX_POLICY_FLAG_RATES[raw];
  if (fixed !== undefined && rate !== null && !rate.equals(fixed)) {
    const message = `${label}：优惠政策标识 ${raw} 要求税率为 ${formatTaxRatePercent(fixed)}，实际为 ${formatTaxRatePercent(rate)}`;
    out.push(violation('TAX_RATE_POLICY_MISMATCH', `${at}/taxRate`, message, { expectedRate: fixed }));
  }
  return raw;
}
