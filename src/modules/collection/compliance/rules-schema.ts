/**
 * The TypeBox shape of the compliance rules, shared by the API (body and answer) and the stored JSON column. Each
 * rule is `{ enabled, level, params }`; src/tax/compliance.ts evaluates them.
 */
import { type Static, Type } from 'typebox';
import { COMPLIANCE_LEVELS, COMPLIANCE_LIMITS, RECEIVED_INVOICE_KINDS } from '../../../tax/index.js';

const Level = Type.Enum(COMPLIANCE_LEVELS, { description: 'block：拦截（不可使用）；warn：提示' });

function rule<P extends ReturnType<typeof Type.Object>>(params: P, description: string) {
  return Type.Object({ enabled: Type.Boolean(), level: Level, params }, { additionalProperties: false, description });
}

const NoParams = Type.Object({}, { additionalProperties: false });

const TaxId = Type.String({ minLength: 15, maxLength: 20, pattern: '^[0-9A-Za-z]+$' });

/** Every rule, each required (a PUT sends the whole set of a scope: what the console's form shows). */
export const ComplianceRulesSchema = Type.Object(
  {
    buyerName: rule(NoParams, '购买方名称为本企业之一（全/半角括号、空格、大小写不敏感）'),
    buyerTaxId: rule(NoParams, '购买方税号为本企业之一'),
    personalTitle: rule(NoParams, '拒收个人抬头（购买方无税号或为自然人姓名）'),
    verification: rule(NoParams, '查验结果须为正常（待查验时跳过）'),
    duplicate: rule(
      Type.Object({ sameNumber: Type.Boolean(), sameFingerprint: Type.Boolean() }, { additionalProperties: false }),
      '重复发票：同票种+代码+号码；同内容指纹（销方税号+号码+开票日期+价税合计，如同一张发票的 PDF 与 OFD）',
    ),
    maxAge: rule(
      Type.Object(
        { days: Type.Integer({ minimum: 1, maximum: COMPLIANCE_LIMITS.maxAgeDays }) },
        { additionalProperties: false },
      ),
      '开票日期早于 N 天',
    ),
    maxAmount: rule(
      Type.Object(
        {
          amount: Type.String({
            maxLength: 19,
            pattern: '^\\d{1,15}(\\.\\d{1,2})?$',
            description: '价税合计上限（元，小数字符串）',
          }),
        },
        { additionalProperties: false },
      ),
      '价税合计超过上限',
    ),
    sellerBlocklist: rule(
      Type.Object(
        { taxIds: Type.Array(TaxId, { maxItems: COMPLIANCE_LIMITS.blocklistSize }) },
        { additionalProperties: false },
      ),
      '销售方税号在黑名单中',
    ),
    kind: rule(
      Type.Object(
        {
          accepted: Type.Array(Type.Union(RECEIVED_INVOICE_KINDS.map((k) => Type.Literal(k))), {
            maxItems: RECEIVED_INVOICE_KINDS.length * 2,
          }),
        },
        { additionalProperties: false },
      ),
      '票种不在接收范围',
    ),
  },
  { additionalProperties: false },
);

export type ComplianceRulesBody = Static<typeof ComplianceRulesSchema>;
