import { Type } from 'typebox';
import { IsoTime, Money } from '../../../platform/http/schemas.js';
import { INVOICE_KINDS, RED_REASONS } from '../../../tax/index.js';
import { INVOICE_STATUSES } from '../invoicing.tables.js';

const text = (maxLength: number, description?: string) =>
  Type.String({ maxLength, ...(description ? { description } : {}) });
/** Decimal strings are checked by the tax rules (they give a precise code and message); the schema only bounds them. */
const decimal = (description: string) => Type.String({ minLength: 1, maxLength: 32, description });

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

export const CreateInvoiceBody = Type.Object(
  {
    serialNo: Type.String({
      minLength: 1,
      maxLength: 32,
      pattern: '^[A-Za-z0-9_.:-]+$',
      description: '开票流水号（幂等键）',
    }),
    kind: Kind,
    seller: Type.Object({ taxId: Type.String({ minLength: 15, maxLength: 20 }) }, { additionalProperties: false }),
    buyer: BuyerInput,
    lines: Type.Array(LineInput, { minItems: 1, maxItems: 2000 }),
    totals: Type.Optional(TotalsInput),
    remark: Type.Optional(text(450, '备注')),
    drawer: Type.Optional(text(20, '开票人')),
    businessSystemCode: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  },
  { additionalProperties: false },
);

/** PATCH of a failed request: any of the draft fields, replacing them wholesale. */
export const PatchInvoiceBody = Type.Object(
  {
    kind: Type.Optional(Kind),
    buyer: Type.Optional(BuyerInput),
    lines: Type.Optional(Type.Array(LineInput, { minItems: 1, maxItems: 2000 })),
    totals: Type.Optional(Type.Union([TotalsInput, Type.Null()])),
    remark: Type.Optional(Type.Union([text(450), Type.Null()])),
    drawer: Type.Optional(Type.Union([text(20), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const RedLineInput = Type.Object(
  {
    lineNo: Type.Integer({ minimum: 1, description: '被红冲的蓝字明细序号' }),
    amount: decimal('红冲金额（负数，不含税）'),
    taxAmount: Type.Optional(decimal('红冲税额（负数）；不填按税率计算')),
    quantity: Type.Optional(decimal('红冲数量（负数）')),
  },
  { additionalProperties: false },
);

export const RedBody = Type.Object(
  {
    redSerialNo: Type.String({
      minLength: 1,
      maxLength: 32,
      pattern: '^[A-Za-z0-9_.:-]+$',
      description: '红字发票流水号',
    }),
    reason: Type.Union(
      RED_REASONS.map((r) => Type.Literal(r)),
      {
        description: '冲红原因: 01 开票有误, 02 销货退回, 03 服务中止, 04 销售折让',
      },
    ),
    lines: Type.Optional(
      Type.Array(RedLineInput, { minItems: 1, maxItems: 2000, description: '部分红冲的明细；不填为全额红冲' }),
    ),
    drawer: Type.Optional(text(20)),
  },
  { additionalProperties: false },
);

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const Party = Type.Object({
  name: Type.String(),
  taxId: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  bankName: Type.Union([Type.String(), Type.Null()]),
  bankAccount: Type.Union([Type.String(), Type.Null()]),
});

export const InvoiceLineView = Type.Object({
  lineNo: Type.Integer(),
  name: Type.String({ description: '项目名称（*简称*名称）' }),
  taxCode: Type.String(),
  spec: Type.Union([Type.String(), Type.Null()]),
  unit: Type.Union([Type.String(), Type.Null()]),
  quantity: Type.Union([Type.String(), Type.Null()]),
  unitPrice: Type.Union([Type.String(), Type.Null()]),
  amount: Money,
  taxRate: Type.String(),
  taxRateLabel: Type.String(),
  taxAmount: Money,
  lineNature: Type.String(),
});

export const InvoiceView = Type.Object({
  serialNo: Type.String(),
  status: Type.Union(INVOICE_STATUSES.map((s) => Type.Literal(s))),
  kind: Type.String(),
  kindName: Type.String(),
  isRed: Type.Boolean(),
  number: nullable(Type.String({ description: '发票号码' })),
  code: nullable(Type.String({ description: '发票代码（税控票）' })),
  checkCode: nullable(Type.String({ description: '校验码（税控票）' })),
  issuedAt: Type.Union([IsoTime, Type.Null()]),
  seller: Party,
  buyer: Type.Intersect([Party, Type.Object({ naturalPerson: Type.Boolean() })]),
  lines: Type.Array(InvoiceLineView),
  totals: Type.Object({ amount: Money, tax: Money, total: Money, totalInWords: Type.String() }),
  remark: Type.Union([Type.String(), Type.Null()]),
  drawer: Type.Union([Type.String(), Type.Null()]),
  businessSystemCode: Type.Union([Type.String(), Type.Null()]),
  failure: Type.Union([Type.Object({ code: Type.String(), reason: Type.String() }), Type.Null()]),
  red: Type.Union([
    Type.Object({
      blueSerialNo: Type.String(),
      blueNumber: Type.Union([Type.String(), Type.Null()]),
      reason: Type.String(),
      formId: Type.Union([Type.String(), Type.Null()]),
      formNo: Type.Union([Type.String(), Type.Null()]),
      formStatus: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  reds: Type.Array(
    Type.Object({
      serialNo: Type.String(),
      status: Type.String(),
      number: Type.Union([Type.String(), Type.Null()]),
      total: Money,
    }),
  ),
  reversed: Type.Object({ amount: Money, tax: Money }),
  files: Type.Union([Type.Object({ pdf: Type.String(), ofd: Type.String(), xml: Type.String() }), Type.Null()]),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export const AcceptedReply = Type.Object({
  serialNo: Type.String(),
  status: Type.Union(INVOICE_STATUSES.map((s) => Type.Literal(s))),
});

export const SerialParams = Type.Object({ serialNo: Type.String({ minLength: 1, maxLength: 32 }) });
export const WaitQuery = Type.Object({
  wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: '最多等待秒数，开具完成则直接返回发票' })),
});
