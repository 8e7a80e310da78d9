import { Type } from 'typebox';
import { IsoTime, Money } from '../../../platform/http/schemas.js';
import { RED_REASONS } from '../../../tax/index.js';
import { INVOICE_STATUSES } from '../invoice-state-machine.js';
import { INVOICE_ORIGINS } from '../invoicing.tables.js';
import { BuyerInput, decimal, Kind, LineInput, TotalsInput, text } from '../schemas.js';

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
  origin: Type.Union(
    INVOICE_ORIGINS.map((o) => Type.Literal(o)),
    { description: '请求来源：direct = 开票接口（含红冲），scan_order = 扫码开票订单' },
  ),
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
