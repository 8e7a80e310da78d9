import { Type } from 'typebox';
import { IsoTime, Money, PageQuery } from '../../../platform/http/schemas.js';
import { BuyerInput, Kind, LineInput, TotalsInput } from '../../invoicing/index.js';
import { ORDER_SOURCES, ORDER_STATUSES, SCAN_TYPES } from '../scan.tables.js';

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

/** A key, as it appears in `/q/{key}` links. */
export const KeyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 40 }) });
export const OrderNoParams = Type.Object({ orderNo: Type.String({ minLength: 1, maxLength: 64 }) });

/** Long poll of one order (码上开票's live status): wait while the status is still `since`. */
export const OrderChangeQuery = Type.Object({
  since: Type.Optional(Type.Enum(ORDER_STATUSES, { description: '调用方已知的状态' })),
  wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, description: '状态仍为 since 时最多等待秒数' })),
});

export const PresetLine = Type.Object(
  { ...LineInput.properties, amount: Type.Optional(LineInput.properties.amount) },
  { additionalProperties: false, description: '默认开票的一行；不填 amount 时由消费者填写含税金额（码上开票）' },
);

export const Preset = Type.Object(
  {
    lines: Type.Array(PresetLine, { minItems: 1, maxItems: 50 }),
    remark: Type.Optional(Type.String({ maxLength: 450 })),
    maxAmount: Type.Optional(
      Type.String({ maxLength: 16, pattern: '^\\d{1,13}(\\.\\d{1,2})?$', description: '消费者可填的最大金额' }),
    ),
  },
  { additionalProperties: false },
);

const LIMIT_COUNT = { minimum: 1, maximum: 1_000_000 };

/** Limits of the static link (docs/scan.md §4); a field left out takes its default. */
export const StaticLimitsInput = Type.Object(
  {
    settingPerMinute: Type.Optional(Type.Integer({ ...LIMIT_COUNT, description: '每分钟提交次数上限（默认 20）' })),
    settingPerDay: Type.Optional(Type.Integer({ ...LIMIT_COUNT, description: '每天提交次数上限（默认 500）' })),
    amountPerDay: Type.Optional(
      Type.String({
        maxLength: 16,
        pattern: '^(?!0+(\\.0+)?$)\\d{1,13}(\\.\\d{1,2})?$',
        description: '每天开票金额（价税合计）上限（默认 50000.00）',
      }),
    ),
    clientPerMinute: Type.Optional(
      Type.Integer({ ...LIMIT_COUNT, description: '同一客户端每分钟提交次数上限（默认 3）' }),
    ),
    clientPerDay: Type.Optional(Type.Integer({ ...LIMIT_COUNT, description: '同一客户端每天提交次数上限（默认 10）' })),
  },
  { additionalProperties: false, description: '静态二维码（默认开票）的提交限制；日按北京时间计' },
);

const settingFields = {
  name: Type.Optional(nullable(Type.String({ maxLength: 100, description: '名称（门店、收费站）' }))),
  businessSystemCode: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 50, description: '业务编码' }))),
  scanType: Type.Enum(SCAN_TYPES, { description: 'title_only 扫码提交抬头; issue 扫码开票' }),
  allowedKinds: Type.Array(Kind, { minItems: 1, maxItems: 9, description: '允许的票种' }),
  validityDays: Type.Integer({ minimum: 1, maximum: 366, description: '二维码有效期（天）' }),
  preset: Type.Optional(Type.Union([Preset, Type.Null()], { description: '默认开票：静态二维码的预设订单' })),
  enabled: Type.Optional(Type.Boolean()),
  staticLimits: Type.Optional(Type.Union([StaticLimitsInput, Type.Null()], { description: 'null: 全部恢复默认' })),
  requireConfirmation: Type.Optional(
    Type.Boolean({ description: '静态二维码提交后需商家确认（issue 确认开票 / withdraw 拒绝）才开票' }),
  ),
};

export const CreateSettingBody = Type.Object(
  { sellerTaxId: Type.String({ minLength: 15, maxLength: 20 }), ...settingFields },
  { additionalProperties: false },
);

export const PatchSettingBody = Type.Object(
  {
    ...settingFields,
    scanType: Type.Optional(settingFields.scanType),
    allowedKinds: Type.Optional(settingFields.allowedKinds),
    validityDays: Type.Optional(settingFields.validityDays),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const SettingView = Type.Object({
  key: Type.String(),
  name: nullable(Type.String()),
  sellerTaxId: Type.String(),
  businessSystemCode: nullable(Type.String()),
  scanType: Type.Enum(SCAN_TYPES),
  allowedKinds: Type.Array(Type.String()),
  validityDays: Type.Integer(),
  preset: Type.Union([Preset, Type.Null()]),
  enabled: Type.Boolean(),
  staticLimits: Type.Object({
    settingPerMinute: Type.Integer(),
    settingPerDay: Type.Integer(),
    amountPerDay: Money,
    clientPerMinute: Type.Integer(),
    clientPerDay: Type.Integer(),
  }),
  requireConfirmation: Type.Boolean(),
  staticUrl: nullable(Type.String({ description: '默认开票的静态链接（有 preset 时）' })),
  staticQrPngUrl: nullable(Type.String()),
  staticQrSvgUrl: nullable(Type.String()),
  secretRotatedAt: IsoTime,
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export const SettingWithSecret = Type.Intersect([
  SettingView,
  Type.Object({ secret: Type.String({ description: '签名密钥，只在创建和轮换时返回一次' }) }),
]);

export const CreateOrderBody = Type.Object(
  {
    settingKey: Type.String({ minLength: 1, maxLength: 40 }),
    orderNo: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_.:-]+$',
      description: '订单号（幂等键）',
    }),
    invoiceKind: Type.Optional(Kind),
    allowedKinds: Type.Optional(Type.Array(Kind, { minItems: 1, maxItems: 9 })),
    lines: Type.Array(LineInput, { minItems: 1, maxItems: 2000 }),
    totals: Type.Optional(TotalsInput),
    buyer: Type.Optional(BuyerInput),
    notify: Type.Optional(
      Type.Object(
        { email: BuyerInput.properties.email, mobile: BuyerInput.properties.mobile },
        { additionalProperties: false },
      ),
    ),
    expiresAt: Type.Optional(
      Type.String({ maxLength: 35, format: 'date-time', description: '过期时间，默认按 validityDays' }),
    ),
    remark: Type.Optional(Type.String({ maxLength: 450 })),
  },
  { additionalProperties: false },
);

export const OrderCreatedReply = Type.Object({
  orderNo: Type.String(),
  token: Type.String(),
  url: Type.String({ description: '{PUBLIC_URL}/s/{token}' }),
  qrPngUrl: Type.String(),
  qrSvgUrl: Type.String(),
  expiresAt: IsoTime,
  status: Type.Enum(ORDER_STATUSES),
});

export const OrderView = Type.Object({
  orderNo: Type.String(),
  settingKey: Type.String(),
  source: Type.Enum(ORDER_SOURCES),
  status: Type.Enum(ORDER_STATUSES),
  sellerTaxId: Type.String(),
  allowedKinds: Type.Array(Type.String()),
  total: Money,
  items: Type.Array(
    Type.Object({
      name: Type.String(),
      quantity: nullable(Type.String()),
      unit: nullable(Type.String()),
      total: Money,
    }),
  ),
  buyer: Type.Union([
    Type.Object({
      buyerType: Type.String(),
      kind: Type.String(),
      name: Type.String(),
      taxId: nullable(Type.String()),
      email: nullable(Type.String()),
      mobile: nullable(Type.String()),
    }),
    Type.Null(),
  ]),
  invoices: Type.Array(
    Type.Object({
      serialNo: Type.String(),
      status: Type.String(),
      number: nullable(Type.String()),
      kind: Type.String(),
    }),
  ),
  failureReason: nullable(Type.String()),
  awaitingConfirmation: Type.Boolean({
    description: '静态二维码订单待商家确认：issue 确认开票，withdraw 拒绝',
  }),
  url: nullable(Type.String()),
  qrPngUrl: nullable(Type.String()),
  qrSvgUrl: nullable(Type.String()),
  expiresAt: IsoTime,
  submittedAt: Type.Union([IsoTime, Type.Null()]),
  invoicedAt: Type.Union([IsoTime, Type.Null()]),
  createdAt: IsoTime,
});

export const OrderListQuery = Type.Object({
  settingKey: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  status: Type.Optional(
    Type.Enum(
      ORDER_STATUSES.filter((s) => s !== 'expired'),
      { description: '存储的状态（expired 由 expiresAt 推出，不能筛选）' },
    ),
  ),
  source: Type.Optional(Type.Enum(ORDER_SOURCES)),
  awaitingConfirmation: Type.Optional(Type.Boolean({ description: 'true：待商家确认的静态二维码订单' })),
  orderNo: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: '订单号（精确）' })),
  createdFrom: Type.Optional(Type.String({ maxLength: 10, format: 'date', description: '创建日期起 (YYYY-MM-DD)' })),
  createdTo: Type.Optional(Type.String({ maxLength: 10, format: 'date', description: '创建日期止 (YYYY-MM-DD, 含)' })),
  ...PageQuery,
});
