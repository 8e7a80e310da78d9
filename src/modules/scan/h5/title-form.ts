import { classifyTaxId, getInvoiceKindInfo, type InvoiceKind } from '../../../tax/index.js';
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

const MAX: Partial<Record<FormField, number>> = { name: 100, address: 100, phone: 40, bankName: 100, bankAccount: 50 };

/** Picks the known fields out of a posted form (trimmed, tax id upper-cased). */
export function readForm(body: unknown): TitleFormValues {
  const form = (body ?? {}) as Record<string, unknown>;
  const values: TitleFormValues = {};
  for (const f of FORM_FIELDS) {
    const v = form[f];
    if (typeof v === 'string' && v.trim() !== '') values[f] = f === 'taxId' ? v.trim().toUpperCase() : v.trim();
  }
  return values;
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
 * 企业 and for 专票, 专票 not for 个人, USCC check character, e-mail and mobile formats.
 */
export function parseTitleForm(
  values: TitleFormValues,
  kinds: readonly InvoiceKind[],
): { title: OrderTitle | null; errors: FieldErrors } {
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
  for (const [field, max] of Object.entries(MAX) as [FormField, number][]) {
    if ((values[field]?.length ?? 0) > max) errors[field] = `最多 ${max} 个字`;
  }
  if (values.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) errors.email = '邮箱格式不正确';
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
