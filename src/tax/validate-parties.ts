/**
 * Seller and buyer checks (tax-rules §7.5, §10): tax id formats and USCC check character, 专票 requires the
 * buyer tax id, natural-person buyers, enterprise buyers of 普票, legacy paper 专票 buyer details, lengths.
 */
import { buyerDisplayName, isPersonalTitle } from './buyer-rules.js';
import { checkLength, checkRequired, isBlank } from './field-checks.js';
import type { InvoiceDraft } from './invoice-draft.js';
import type { InvoiceKindInfo } from './invoice-kinds.js';
import { classifyTaxId } from './tax-id.js';
import type { ResolvedValidateOptions } from './validation-options.js';
import { type TaxWarning, type Violation, violation } from './violations.js';

/** Resolved buyer facts. */
export interface ResolvedBuyer {
  readonly naturalPerson: boolean;
  readonly displayName: string;
}

/** Checks the seller. */
export function checkSeller(
  out: Violation[],
  warnings: TaxWarning[],
  draft: InvoiceDraft,
  options: ResolvedValidateOptions,
): void {
  const seller = draft.seller ?? { taxId: '' };
  checkLength(out, seller.name, 'sellerName', '/seller/name', '销售方名称', options.lengthUnit);
  if (!checkRequired(out, seller.taxId, '/seller/taxId', '销售方纳税人识别号')) return;
  checkTaxIdValue(out, warnings, seller.taxId, '/seller/taxId', '销售方', 'SELLER_TAX_ID_INVALID', options);
}

/** Checks the buyer and returns its resolved natural-person flag and printed name. */
export function checkBuyer(
  out: Violation[],
  warnings: TaxWarning[],
  draft: InvoiceDraft,
  kind: InvoiceKindInfo | null,
  options: ResolvedValidateOptions,
): ResolvedBuyer {
  const buyer = draft.buyer ?? { name: '' };
  const name = typeof buyer.name === 'string' ? buyer.name : '';
  checkRequired(out, buyer.name, '/buyer/name', '购买方名称');
  checkLength(out, buyer.name, 'buyerName', '/buyer/name', '购买方名称', options.lengthUnit);
  checkLength(out, buyer.address, 'address', '/buyer/address', '购买方地址', options.lengthUnit);
  checkLength(out, buyer.phone, 'phone', '/buyer/phone', '购买方电话', options.lengthUnit);
  checkLength(out, buyer.bankName, 'bankName', '/buyer/bankName', '购买方开户银行', options.lengthUnit);
  checkLength(out, buyer.bankAccount, 'bankAccount', '/buyer/bankAccount', '购买方银行账号', options.lengthUnit);
  let naturalPerson = buyer.naturalPerson === true;
  if (buyer.naturalPerson === undefined && isPersonalTitle(name)) {
    naturalPerson = true;
    warnings.push({
      code: 'BUYER_NATURAL_PERSON_INFERRED',
      path: '/buyer/naturalPerson',
      message: `购买方名称“${name}”为个人抬头，按自然人处理`,
    });
  }
  if (kind?.isSpecial && naturalPerson && options.forbidSpecialInvoiceToNaturalPerson) {
    out.push(
      violation('BUYER_NATURAL_PERSON_NOT_ALLOWED', '/buyer/naturalPerson', `${kind.name}不得开具给自然人购买方`),
    );
  }
  if (!isBlank(buyer.taxId)) {
    checkTaxIdValue(out, warnings, buyer.taxId, '/buyer/taxId', '购买方', 'BUYER_TAX_ID_INVALID', options);
  } else if (kind?.isSpecial) {
    out.push(violation('BUYER_TAX_ID_REQUIRED', '/buyer/taxId', `开具${kind.name}时购买方纳税人识别号必填`));
  } else if (kind && !naturalPerson && options.enterpriseBuyerPattern?.test(name)) {
    out.push(violation('BUYER_TAX_ID_REQUIRED', '/buyer/taxId', `购买方“${name}”为企业，开具普票时纳税人识别号必填`));
  }
  if (kind?.kind === '004' && options.requireLegacySpecialBuyerDetails) {
    checkRequired(out, buyer.address, '/buyer/address', '增值税专用发票购买方地址');
    checkRequired(out, buyer.phone, '/buyer/phone', '增值税专用发票购买方电话');
    checkRequired(out, buyer.bankName, '/buyer/bankName', '增值税专用发票购买方开户银行');
    checkRequired(out, buyer.bankAccount, '/buyer/bankAccount', '增值税专用发票购买方银行账号');
  }
  return { naturalPerson, displayName: buyerDisplayName(name, naturalPerson) };
}

function checkTaxIdValue(
  out: Violation[],
  warnings: TaxWarning[],
  raw: unknown,
  path: string,
  party: string,
  code: 'SELLER_TAX_ID_INVALID' | 'BUYER_TAX_ID_INVALID',
  options: ResolvedValidateOptions,
): void {
  const text = typeof raw === 'string' ? raw : '';
  const result = classifyTaxId(text, { allowResidentId: options.allowResidentIdAsTaxId });
  if (!result.ok) {
    const why =
      result.reason === 'check_char'
        ? '统一社会信用代码校验位错误'
        : '须为 15、17、18 或 20 位大写字母或数字（统一社会信用代码或身份证号码）';
    out.push(
      violation(code, path, `${party}纳税人识别号 ${JSON.stringify(raw)} 无效：${why}`, { reason: result.reason }),
    );
    return;
  }
  if (result.warnings.includes('ORG_CODE_CHECK_FAILED')) {
    warnings.push({
      code: 'TAX_ID_ORG_CODE_CHECK_FAILED',
      path,
      message: `${party}纳税人识别号 ${text} 内含的组织机构代码校验位不符（仅提示）`,
    });
  }
}
