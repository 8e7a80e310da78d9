import { Type } from 'typebox';
import { IsoTime } from '../../../platform/http/schemas.js';
import { BILL_STATUSES } from '../assistant.tables.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Str = Nullable(Type.String());

/** A positive amount, decimal string with at most 2 decimals. */
export const Money = (description: string) =>
  Type.String({ maxLength: 16, pattern: '^\\d{1,13}(\\.\\d{1,2})?$', description });

/** An expense system's identifier (bill id, voucher id, entry id). */
const ExternalId = (description: string) =>
  Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]{1,100}$', description });

export const ResourceParam = Type.String({
  maxLength: 50,
  pattern: '^[A-Za-z0-9_.-]{1,50}$',
  description: '业务系统编码 (resource)',
});
export const BillParams = Type.Object({ resource: ResourceParam, billId: ExternalId('单据 id') });
export const VoucherParams = Type.Object({ resource: ResourceParam, vouchId: ExternalId('凭证 id') });
export const InvoiceId = Type.String({
  maxLength: 64,
  pattern: '^[A-Za-z0-9_]{1,64}$',
  description: '进项发票 id (rcv_…)',
});

const Scalar = Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean(), Type.Null()]);

/** At most this many invoices per bill or voucher save. */
export const MAX_BILL_INVOICES = 500;

export const SaveBillBody = Type.Object(
  {
    billNo: Type.Optional(Type.String({ maxLength: 100, description: '单据编号' })),
    billType: Type.Optional(Type.String({ maxLength: 100, description: '单据类型 (e.g. er_dailyreimbursebill)' })),
    billTaxNo: Type.Optional(Type.String({ maxLength: 20, description: '报销公司税号' })),
    status: Type.Union(
      [
        Type.Literal(1),
        Type.Literal(30),
        Type.Literal(60),
        Type.Literal(65),
        ...BILL_STATUSES.map((s) => Type.Literal(s)),
      ],
      { description: '单据状态: 1 / "unused" 未用, 30 / "in_use" 在用, 60 / "used" 已用 (65 已用并入账 = used)' },
    ),
    invoices: Type.Array(
      Type.Object(
        {
          invoiceId: InvoiceId,
          amount: Money('本单据报销金额 (> 0)'),
          deductionFlag: Type.Optional(Type.String({ maxLength: 10, description: '抵扣标志' })),
          deductionTaxAmount: Type.Optional(Money('可抵扣税额')),
          outputAmount: Type.Optional(Money('转出金额')),
          remark: Type.Optional(Type.String({ maxLength: 500 })),
          entryId: Type.Optional(ExternalId('分录 id')),
          extInfo: Type.Optional(
            Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 200 }), {
              maxProperties: 10,
              description: '业务系统自定义字段 (string values)',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_BILL_INVOICES },
    ),
    cover: Type.Optional(
      Type.Array(Type.Record(Type.String({ maxLength: 64 }), Scalar, { maxProperties: 20 }), {
        maxItems: 20,
        description: '单据封面 (as the expense system keeps it)',
      }),
    ),
  },
  { additionalProperties: false },
);

const InvoiceSummary = Nullable(
  Type.Object({
    kind: Type.String(),
    kindName: Type.String(),
    code: Str,
    number: Str,
    issueDate: Str,
    sellerName: Str,
    sellerTaxId: Str,
    buyerName: Str,
    total: Str,
    verificationStatus: Type.String(),
    complianceResult: Type.String(),
    usageStatus: Type.String(),
  }),
);

const VoucherRef = Nullable(Type.Object({ resource: Type.String(), vouchId: Type.String(), vouchNo: Str }));

export const BillSummary = Type.Object({
  resource: Type.String(),
  billId: Type.String(),
  billNo: Str,
  billType: Str,
  billTaxNo: Str,
  status: Type.String({ description: BILL_STATUSES.join(' | ') }),
  statusName: Type.String(),
  cover: Nullable(Type.Array(Type.Record(Type.String(), Scalar))),
  alerts: Type.Array(
    Type.Object({ invoiceId: Type.String(), status: Type.String(), message: Type.String(), at: IsoTime }),
  ),
  invoiceCount: Type.Integer(),
  claimed: Type.String(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export const BillView = Type.Object({
  ...BillSummary.properties,
  invoices: Type.Array(
    Type.Object({
      invoiceId: Type.String(),
      amount: Type.String(),
      deductionFlag: Str,
      deductionTaxAmount: Str,
      outputAmount: Str,
      remark: Str,
      entryId: Str,
      extInfo: Nullable(Type.Record(Type.String(), Type.String())),
      invoice: InvoiceSummary,
      voucher: VoucherRef,
    }),
  ),
});

export const BillListQuery = {
  resource: Type.Optional(ResourceParam),
  status: Type.Optional(Type.Union(BILL_STATUSES.map((s) => Type.Literal(s)))),
  billNo: Type.Optional(Type.String({ maxLength: 100 })),
  invoiceId: Type.Optional(InvoiceId),
  alerted: Type.Optional(Type.Boolean({ description: 'true: 只看有发票红冲/作废提醒的单据' })),
};

export const SaveVoucherBody = Type.Object(
  {
    vouchNo: Type.Optional(Type.String({ maxLength: 100, description: '凭证号' })),
    accountDate: Type.Optional(
      Type.String({ maxLength: 10, pattern: '^\\d{4}-\\d{2}(-\\d{2})?$', description: '记账期间 YYYY-MM 或日期' }),
    ),
    accountTime: Type.Optional(Type.String({ maxLength: 40, description: '记账时间' })),
    businessDate: Type.Optional(Type.String({ maxLength: 40, description: '业务日期' })),
    invoiceIds: Type.Optional(Type.Array(InvoiceId, { maxItems: MAX_BILL_INVOICES })),
    billIds: Type.Optional(Type.Array(ExternalId('单据 id (同一业务系统)'), { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const VoucherSummary = Type.Object({
  resource: Type.String(),
  vouchId: Type.String(),
  vouchNo: Str,
  accountDate: Str,
  accountTime: Str,
  businessDate: Str,
  invoiceCount: Type.Integer(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export const VoucherView = Type.Object({
  ...VoucherSummary.properties,
  invoices: Type.Array(Type.Object({ invoiceId: Type.String(), billId: Str, billNo: Str, invoice: InvoiceSummary })),
});

export const VoucherListQuery = {
  resource: Type.Optional(ResourceParam),
  vouchNo: Type.Optional(Type.String({ maxLength: 100 })),
  accountDate: Type.Optional(Type.String({ maxLength: 10 })),
  invoiceId: Type.Optional(InvoiceId),
};
