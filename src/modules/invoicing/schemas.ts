import { Type } from 'typebox';
import { INVOICE_KINDS } from '../../tax/index.js';

/**
 * The request schemas shared by every way of asking for an invoice — the direct API, scan orders and merchant
 * answers today, counter modes and the compatibility APIs next: the invoice kind, the buyer, the lines, the totals and
 * the `?wait` query. One home: other modules import them from the invoicing front door (`index.ts`).
 */

/** Optional free text of at most `maxLength` characters. */
export const text = (maxLength: number, description?: string) =>
  Type.String({ maxLength, ...(description ? { description } : {}) });
/** Decimal strings are checked by the tax rules (they give a precise code and message); the schema only bounds them. */
export const decimal = (description: string) => Type.String({ minLength: 1, maxLength: 32, description });

export const Kind = Type.Union(
  INVOICE_KINDS.map((k) => Type.Literal(k)),
  { description: '票种: 81 数电专票, 82 数电普票, 85/86 数电纸质专/普票, 004/007/025/026/028 税控' },
);

export const BuyerInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: '购买方名称（抬头）' }),
    taxId: Type.Optional(text(20, '购买方纳税人识别号')),
    address: Type.Optional(text(100)),
    phone: Type.Optional(text(40)),
    bankName: Type.Optional(text(100)),
    bankAccount: Type.Optional(text(50)),
    naturalPerson: Type.Optional(Type.Boolean({ description: '自然人标志' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 200, description: '交付邮箱' })),
    mobile: Type.Optional(Type.String({ maxLength: 11, pattern: '^1\\d{10}$', description: '交付手机号' })),
  },
  { additionalProperties: false },
);

export const LineInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: '项目名称；可带 *简称* 前缀' }),
    taxCode: Type.String({ minLength: 1, maxLength: 19, description: '19位税收分类编码' }),
    spec: Type.Optional(text(150, '规格型号')),
    unit: Type.Optional(text(30, '单位')),
    quantity: Type.Optional(decimal('数量')),
    unitPrice: Type.Optional(decimal('单价')),
    amount: decimal('金额（priceIncludesTax 时为含税金额）'),
    taxRate: decimal('税率，如 "0.13"'),
    taxAmount: Type.Optional(decimal('税额；不填则计算')),
    priceIncludesTax: Type.Optional(Type.Boolean()),
    lineNature: Type.Optional(
      Type.Union([Type.Literal('normal'), Type.Literal('discount'), Type.Literal('discounted')]),
    ),
    taxPolicyFlag: Type.Optional(text(2, '优惠政策标识')),
  },
  { additionalProperties: false },
);

export const TotalsInput = Type.Object(
  { amount: decimal('合计金额'), tax: decimal('合计税额'), total: decimal('价税合计') },
  { additionalProperties: false },
);

export const WaitQuery = Type.Object({
  wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: '最多等待秒数，开具完成则直接返回发票' })),
});
