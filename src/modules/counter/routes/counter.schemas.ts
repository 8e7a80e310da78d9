import { Type } from 'typebox';
import { INVOICE_KINDS } from '../../../tax/index.js';
import { Kind, LineInput } from '../../invoicing/index.js';
import { ENTRY_MODES, RESERVATION_STATUSES } from '../counter.tables.js';
import { ReservationConfigInput, ReservationItem } from '../reservation-config.js';

const Str = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const LimitsInput = Type.Object(
  {
    clientPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    clientPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    qrPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    qrPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000000 })),
  },
  { additionalProperties: false },
);

export const CreateQrBody = Type.Object(
  {
    sellerTaxId: Str(20, '销方税号'),
    name: Str(60, '名称（门店、前台）'),
    config: Type.Optional(ReservationConfigInput),
    limits: Type.Optional(Type.Union([LimitsInput, Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const PatchQrBody = Type.Object(
  {
    name: Type.Optional(Str(60)),
    config: Type.Optional(ReservationConfigInput),
    limits: Type.Optional(Type.Union([LimitsInput, Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const QrKeyParams = Type.Object({ key: Type.String({ pattern: '^[0-9A-Za-z]{11}$', maxLength: 11 }) });
export const IdParams = Type.Object({ id: Type.String({ pattern: '^[a-z]{3}_[0-9a-zA-Z]{25}$', maxLength: 29 }) });

const ConfigView = Type.Object({
  allowedKinds: Type.Array(Type.String()),
  items: Type.Array(ReservationItem),
  entryMode: Type.Enum(ENTRY_MODES),
  fixedAmount: Nullable(Type.String()),
  remarkFields: Type.Array(Type.Object({ label: Type.String(), required: Type.Optional(Type.Boolean()) })),
  expiryHours: Type.Integer(),
});

export const QrView = Type.Object({
  key: Type.String(),
  name: Type.String(),
  sellerTaxId: Type.String(),
  sellerName: Type.String(),
  enabled: Type.Boolean(),
  config: ConfigView,
  limits: Type.Object({
    clientPerMinute: Type.Integer(),
    clientPerDay: Type.Integer(),
    qrPerMinute: Type.Integer(),
    qrPerDay: Type.Integer(),
  }),
  url: Type.String(),
  qrPngUrl: Type.String(),
  qrSvgUrl: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Line = Type.Record(Type.String(), Type.Unknown());

export const ReservationView = Type.Object({
  id: Type.String(),
  seqNo: Type.Integer({ description: '序号（每个销方每天从 1 起）' }),
  seqDate: Type.String({ description: '序号所属日期 YYYY-MM-DD' }),
  status: Type.Enum(RESERVATION_STATUSES),
  qrKey: Type.String(),
  qrName: Type.String(),
  sellerTaxId: Type.String(),
  buyer: Type.Object({
    kind: Type.String(),
    buyerType: Type.String(),
    name: Type.String(),
    taxId: Type.Optional(Type.String()),
    address: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String()),
    bankName: Type.Optional(Type.String()),
    bankAccount: Type.Optional(Type.String()),
  }),
  mobile: Nullable(Type.String()),
  email: Nullable(Type.String()),
  entry: Type.Object({
    amount: Type.Optional(Type.String()),
    quantity: Type.Optional(Type.String()),
    unitPrice: Type.Optional(Type.String()),
    remarks: Type.Array(Type.Object({ label: Type.String(), value: Type.String() })),
  }),
  enteredTotal: Nullable(Type.String()),
  suggestedLines: Type.Union([Type.Array(Line), Type.Null()]),
  suggestedRemark: Nullable(Type.String()),
  items: Type.Array(ReservationItem),
  allowedKinds: Type.Array(Type.String()),
  issued: Type.Union([
    Type.Object({ kind: Type.String(), lines: Type.Array(Line), remark: Nullable(Type.String()) }),
    Type.Null(),
  ]),
  total: Nullable(Type.String()),
  invoice: Type.Union([
    Type.Object({ serialNo: Type.String(), status: Type.String(), number: Nullable(Type.String()) }),
    Type.Null(),
  ]),
  rejectReason: Nullable(Type.String()),
  failureReason: Nullable(Type.String()),
  expiresAt: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ReservationListQuery = Type.Object({
  q: Type.Optional(
    Type.String({
      maxLength: 100,
      description: '搜索：序号（数字）、手机号（11位）、邮箱（含 @）或购买方名称（其余）',
    }),
  ),
  status: Type.Optional(Type.Enum(RESERVATION_STATUSES)),
  qrKey: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z]{11}$', maxLength: 11 })),
  cursor: Type.Optional(Type.String({ maxLength: 80 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const ChangesQuery = Type.Object({
  after: Type.Optional(
    Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: '上次看到的 version' }),
  ),
  wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 25, description: '最多等待秒数' })),
});

export const IssueBody = Type.Object(
  {
    kind: Type.Optional(Kind),
    lines: Type.Optional(Type.Array(LineInput, { minItems: 1, maxItems: 100 })),
    remark: Type.Optional(Type.String({ maxLength: 230 })),
  },
  { additionalProperties: false },
);

export const RejectBody = Type.Object({ reason: Str(100, '拒绝原因（消费者可见）') }, { additionalProperties: false });

export const KioskBody = Type.Object(
  {
    sellerTaxId: Str(20, '销方税号'),
    name: Str(60, '终端名称（门店）'),
    paper: Type.Optional(Type.Union([Type.Literal('a4'), Type.Literal('a5')])),
  },
  { additionalProperties: false },
);

export const KioskView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  sellerTaxId: Type.String(),
  paper: Type.String(),
  revoked: Type.Boolean(),
  revokedAt: Nullable(Type.String()),
  createdAt: Type.String(),
});

export const KioskCreated = Type.Intersect([KioskView, Type.Object({ url: Type.String() })]);

export const ExtractionCodeBody = Type.Object(
  { orderNo: Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_.:-]+$', description: '发票流水号' }) },
  { additionalProperties: false },
);

export const ExtractionCodeReply = Type.Object({ orderNo: Type.String(), code: Type.String() });

export { INVOICE_KINDS };
