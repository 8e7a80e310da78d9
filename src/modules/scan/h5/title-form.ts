import { EMAIL_MAX_LENGTH, isEmailAddress } from '../../../platform/text/email-address.js';
import {
  classifyTaxId,
  FIELD_MAX_LENGTHS,
  getInvoiceKindInfo,
  type InvoiceKind,
  measureLength,
} from '../../../tax/index.js';
import { BUYER_TYPES, type BuyerType, type OrderTitle } from '../order-title.js';

/** The consumer form's fields, as posted (strings) and as re-shown after an error. */
export type TitleFormValues = Partial<Record<FormField, string>>;
export const FORM_FIELDS = [
  'buyerType',
  'kind',
  'name',
  'taxId',
  'address',
  'phone',
  'bankName',
  'bankAccount',
  'email',
  'mobile',
  'amount',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];
export type FieldErrors = Partial<Record<FormField | 'form', string>>;

/**
 * The longest value each field takes, in characters (code points), checked before any other check of the field:
 * the invoice's own limits for the title (tax-rules §5.5, `FIELD_MAX_LENGTHS`), RFC 5321 for the e-mail, the formats
 * of the rest. An over-long value gets a field error and is never matched against a pattern.
 */
export const FORM_FIELD_MAX_LENGTHS: Record<FormField, number> = {
  buyerType: 16,
  kind: 8,
  name: FIELD_MAX_LENGTHS.buyerName,
  taxId: FIELD_MAX_LENGTHS.taxId,
  address: FIELD_MAX_LENGTHS.address,
  phone: FIELD_MAX_LENGTHS.phone,
  bankName: FIELD_MAX_LENGTHS.bankName,
  bankAccount: FIELD_MAX_LENGTHS.bankAccount,
  email: EMAIL_MAX_LENGTH,
  mobile: 11,
  /** 13 integer digits, the point and 2 decimals (the amount pattern of `checkEnteredAmount`). */
  amount: 16,
};

const TOO_LONG: Partial<Record<FormField, (max: number) => string>> = {
  buyerType: () => '请选择抬头类型',
  kind: () => '请选择发票类型',
  taxId: (max) => `纳税人识别号最多 ${max} 个字符`,
  email: (max) => `邮箱最多 ${max} 个字符`,
  mobile: () => '请填写11位手机号',
  amount: () => '请填写消费金额，最多两位小数',
};

/**
 * Picks the known fields out of a posted form (trimmed, tax id upper-cased). A value is kept to at most twice its
 * field's limit plus two UTF-16 units — still over the limit however it is counted, so `parseTitleForm` refuses it,
 * but a hostile megabyte is neither checked nor echoed back into the page.
 */
export function readForm(body: unknown): TitleFormValues {
  const form = (body ?? {}) as Record<string, unknown>;
  const values: TitleFormValues = {};
  for (const f of FORM_FIELDS) {
    const raw = form[f];
    if (typeof raw !== 'string') continue;
    const v = raw.slice(0, 2 * FORM_FIELD_MAX_LENGTHS[f] + 2).trim();
    if (v !== '') values[f] = f === 'taxId' ? v.toUpperCase() : v;
  }
  return values;
}

/** The form's fields whose value is longer than its limit, with their messages. */
function overLongFields(values: TitleFormValues): FieldErrors {
  const errors: FieldErrors = {};
  for (const f of FORM_FIELDS) {
    const max = FORM_FIELD_MAX_LENGTHS[f];
    const value = values[f];
    if (value !== undefined && measureLength(value) > max) errors[f] = TOO_LONG[f]?.(max) ?? `最多 ${max} 个字`;
  }
  return errors;
}

/** The message for a tax id that fails the USCC/legacy rules (tax-rules §7), or null when it is acceptable. */
export function taxIdProblem(taxId: string): string | null {
  const checked = classifyTaxId(taxId, { allowResidentId: false });
  if (checked.ok) return null;
  return checked.reason === 'check_char'
    ? '纳税人识别号校验位不正确，请核对'
    : '纳税人识别号应为15、17、18或20位数字或大写字母';
}

/**
 * Checks the form against the buyer rules (tax-rules §10): name required (个人 may stay 个人), tax id required for
 * 企业 and for 专票, 专票 not for 个人, USCC check character, e-mail and mobile formats. Lengths come first
 * (`FORM_FIELD_MAX_LENGTHS`): a form with an over-long field gets only the length errors.
 */
export function parseTitleForm(
  values: TitleFormValues,
  kinds: readonly InvoiceKind[],
): { title: OrderTitle | null; errors: FieldErrors } {
  const tooLong = overLongFields(values);
  if (Object.keys(tooLong).length > 0) return { title: null, errors: tooLong };
  const errors: FieldErrors = {};
  const buyerType = (BUYER_TYPES as readonly string[]).includes(values.buyerType ?? '')
    ? (values.buyerType as BuyerType)
    : null;
  if (!buyerType) errors.buyerType = '请选择抬头类型';
  const kind = (values.kind ?? (kinds.length === 1 ? kinds[0] : undefined)) as InvoiceKind | undefined;
  if (!kind || !kinds.includes(kind)) errors.kind = '请选择发票类型';
  const special = kind && kinds.includes(kind) ? getInvoiceKindInfo(kind).isSpecial : false;
  const name = values.name ?? (buyerType === 'personal' ? '个人' : undefined);
  if (!name) errors.name = buyerType === 'company' ? '请填写企业名称' : '请填写抬头名称';
  if (special && buyerType === 'personal') errors.kind = '专用发票不能开具给个人，请选择普通发票';
  if (values.taxId) {
    const problem = taxIdProblem(values.taxId);
    if (problem) errors.taxId = problem;
  } else if (buyerType === 'company' || (special && buyerType !== 'personal')) {
    errors.taxId = special ? '开具专用发票须填写纳税人识别号' : '企业抬头须填写纳税人识别号';
  }
  if (values.email && !isEmailAddress(values.email)) errors.email = '邮箱格式不正确';
  if (values.mobile && !/^1\d{10}$/.test(values.mobile)) errors.mobile = '请填写11位手机号';
  if (Object.keys(errors).length > 0 || !buyerType || !kind || !name) return { title: null, errors };
  const optional = (['address', 'phone', 'bankName', 'bankAccount', 'email', 'mobile'] as const).filter(
    (f) => values[f],
  );
  return {
    title: {
      kind,
      buyerType,
      name,
      ...(values.taxId && buyerType !== 'personal' ? { taxId: values.taxId } : {}),
      ...Object.fromEntries(optional.map((f) => [f, values[f]])),
    },
    errors,
  };
}

/** Maps a server-side tax rule violation (JSON pointer) onto the form field that shows it. */
export function fieldOfViolation(path: string | undefined): FormField | 'form' {
  const field = path?.match(/^\/buyer\/(\w+)/)?.[1];
  if (field === 'naturalPerson') return 'buyerType';
  return (FORM_FIELDS as readonly string[]).includes(field ?? '') ? (field as FormField) : 'form';
}
