/**
 * The catalog of tax-rule violation and warning codes. Codes are stable UPPER_SNAKE identifiers; messages may
 * change. The API docs list every code from {@link TAX_VIOLATION_CODES}.
 */

/** Every violation code with its Chinese description. */
export const TAX_VIOLATION_CODES = {
  INVOICE_KIND_INVALID: '票种代码不在支持范围内',
  FIELD_REQUIRED: '必填字段缺失',
  FIELD_TOO_LONG: '字段长度超过上限',
  DECIMAL_FORMAT_INVALID: '数值须为十进制字符串（如 "117.00"），不接受数字类型、科学计数法或空格',
  PRECISION_EXCEEDED: '小数位数超过允许精度（金额、税额 2 位，税率 6 位）',
  AMOUNT_OUT_OF_RANGE: '金额整数部分位数超过上限',
  SELLER_TAX_ID_INVALID: '销售方纳税人识别号格式或校验位错误',
  BUYER_TAX_ID_REQUIRED: '购买方纳税人识别号必填（专票、企业购买方）',
  BUYER_TAX_ID_INVALID: '购买方纳税人识别号格式或校验位错误',
  BUYER_NATURAL_PERSON_NOT_ALLOWED: '专票不得开具给自然人',
  LINES_REQUIRED: '至少需要一行明细',
  TOO_MANY_LINES: '明细行数超过上限',
  LINE_NATURE_INVALID: '发票行性质须为 normal、discount 或 discounted',
  LINE_NAME_PREFIX_MISMATCH: '项目名称中的 *简称* 与税收分类编码的简称不一致',
  TAX_CODE_INVALID: '税收分类编码须为 19 位数字，首位 1–6',
  TAX_CODE_UNKNOWN: '税收分类编码不在编码表中',
  TAX_CODE_NOT_LEAF: '税收分类编码为汇总项，不能用于开票',
  TAX_RATE_FORMAT_INVALID: '税率须为小数形式字符串（如 "0.13"），不接受 "13%"',
  TAX_RATE_NOT_ALLOWED: '税率不在允许的税率/征收率范围内',
  TAX_POLICY_FLAG_INVALID: '优惠政策标识须为 01–18',
  TAX_RATE_POLICY_MISMATCH: '税率与优惠政策标识不符（免税、不征税须为 0 税率等）',
  QUANTITY_PRICE_INCOMPLETE: '数量与单价须同时填写或同时不填',
  QUANTITY_SIGN_INVALID: '数量的正负须与金额一致',
  UNIT_PRICE_NEGATIVE: '单价不能为负数',
  LINE_AMOUNT_SIGN_INVALID: '蓝字发票明细金额须大于 0，红字发票明细金额须小于 0',
  LINE_AMOUNT_INCONSISTENT: '金额与数量×单价的差额超过 0.01 元',
  LINE_TAX_OUT_OF_TOLERANCE: '税额与金额×税率的差额超过允许误差',
  INVOICE_TAX_OUT_OF_TOLERANCE: '整张发票税额累计误差超过允许范围',
  DISCOUNT_LINE_MISPLACED: '折扣行须紧跟在被折扣行之后',
  DISCOUNTED_LINE_WITHOUT_DISCOUNT: '被折扣行之后缺少折扣行',
  DISCOUNT_LINE_MISMATCH: '折扣行的项目名称、税收分类编码、税率须与被折扣行一致',
  DISCOUNT_LINE_HAS_QUANTITY: '折扣行不能填写数量和单价',
  DISCOUNT_AMOUNT_SIGN_INVALID: '蓝字发票折扣行金额须小于 0（红字发票须大于 0）',
  DISCOUNT_EXCEEDS_LINE: '折扣金额不能超过被折扣行金额',
  TOTAL_MISMATCH: '合计金额、合计税额或价税合计与明细合计不一致',
  RED_REMARK_MISSING: '红字发票备注缺少被红冲蓝字发票信息',
  RED_REASON_INVALID: '红冲原因须为 01–04',
  RED_PARTIAL_NOT_ALLOWED: '该红冲原因不允许部分红冲',
  RED_REASON_NOT_APPLICABLE: '红冲原因与蓝字发票明细类型不符',
  RED_LINE_UNKNOWN: '红冲明细引用的蓝字明细不存在',
  RED_EXCEEDS_REMAINING: '红冲金额、税额或数量超过蓝字发票剩余可红冲部分',
} as const;

/** A violation code. */
export type TaxViolationCode = keyof typeof TAX_VIOLATION_CODES;

/** Warning codes: reported but never block issuing. */
export const TAX_WARNING_CODES = {
  TAX_ID_ORG_CODE_CHECK_FAILED: '统一社会信用代码内含的组织机构代码校验位不符（仅提示）',
  BUYER_NATURAL_PERSON_INFERRED: '购买方名称为“个人”，已按自然人处理',
  LIST_REQUIRED: '纸质发票明细超过 8 行，需开具销货清单',
} as const;

/** A warning code. */
export type TaxWarningCode = keyof typeof TAX_WARNING_CODES;

/** One rule violation, located by a JSON pointer into the draft. */
export interface Violation {
  readonly code: TaxViolationCode;
  /** Chinese message naming the line and field. */
  readonly message: string;
  /** JSON pointer, e.g. "/lines/1/taxAmount". */
  readonly path: string;
  readonly details?: Record<string, unknown>;
}

/** One warning, same shape as a violation. */
export interface TaxWarning {
  readonly code: TaxWarningCode;
  readonly message: string;
  readonly path: string;
  readonly details?: Record<string, unknown>;
}

/** Builds a violation (omits empty details). */
export function violation(
  code: TaxViolationCode,
  path: string,
  message: string,
  details?: Record<string, unknown>,
): Violation {
  return details ? { code, message, path, details } : { code, message, path };
}

/** "第2行明细" for index 1. */
export function lineLabel(index: number): string {
  return `第${index + 1}行明细`;
}
