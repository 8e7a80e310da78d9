import { Type } from 'typebox';
import { IsoTime } from '../../../platform/http/schemas.js';
import { POOL_DEDUCTION_STATUSES, RECEIVED_INVOICE_KINDS } from '../../../tax/index.js';
import {
  COMPLIANCE_RESULTS,
  RECEIVED_FILE_STATUSES,
  RECEIVED_SOURCES,
  USAGE_STATUSES,
  VERIFICATION_STATUSES,
} from '../collection.tables.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Str = Nullable(Type.String());
const Party = Type.Object({ name: Str, taxId: Str });

/** 报销状态: the bills claiming an item and the voucher booking it (docs/assistant.md#bills). */
export const UsageView = Type.Object({
  status: Type.String({ description: USAGE_STATUSES.join(' | ') }),
  claimed: Type.String({ description: '各单据已报销金额合计' }),
  remaining: Str,
  bills: Type.Array(
    Type.Object({
      resource: Type.String(),
      billId: Type.String(),
      billNo: Str,
      amount: Type.String(),
      status: Type.String({ description: 'unused | in_use | used' }),
    }),
  ),
  voucher: Nullable(Type.Object({ resource: Type.String(), vouchId: Type.String(), vouchNo: Str })),
});

/** The received-invoice view (docs/collection.md#the-view). */
/** 抵扣状态 (src/tax/deduction-statuses.ts; docs/deduction.md#the-pool). */
const DeductionView = Type.Object({
  status: Type.Enum(POOL_DEDUCTION_STATUSES, {
    description: 'deductible 可勾选 | unverified 待查验 | selected 已勾选 | confirmed 已抵扣 | not_deductible 不抵扣',
  }),
  statusName: Type.String(),
  period: Nullable(Type.String({ description: '所属期 YYYYMM (selected / confirmed)' })),
  tax: Nullable(Type.String({ description: '有效抵扣税额 (selected / confirmed)' })),
  reason: Nullable(Type.String({ description: '不抵扣原因 (the user’s or the rule’s), or what it waits for' })),
  marked: Type.Boolean({ description: 'true: the user marked it 不抵扣' }),
});

export const ReceivedInvoiceView = Type.Object(
  {
    id: Type.String({ description: 'rcv_…' }),
    sha256: Nullable(Type.String({ description: 'SHA-256 of the file it was read from (null: manual entry)' })),
    fileName: Str,
    source: Type.Enum(RECEIVED_SOURCES),
    broughtBy: Nullable(Type.String({ description: 'user id, app id or mail address' })),
    broughtByName: Nullable(
      Type.String({
        description: '提交人 as shown: the user’s display name or the app’s name, else `broughtBy` itself',
      }),
    ),
    buyerOrgId: Str,
    kind: Type.String({ description: '票种 code (81, 82, 026 …) or other' }),
    kindName: Type.String(),
    code: Str,
    number: Str,
    issueDate: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
    checkCode: Str,
    seller: Party,
    buyer: Party,
    totals: Type.Object({ amount: Str, tax: Str, total: Str }),
    lines: Type.Array(
      Type.Object({
        name: Type.String(),
        spec: Str,
        unit: Str,
        quantity: Str,
        unitPrice: Str,
        amount: Str,
        taxRate: Str,
        taxAmount: Str,
      }),
    ),
    remark: Str,
    passenger: Nullable(
      Type.Object({
        name: Str,
        idNumber: Str,
        travelDate: Str,
        from: Str,
        to: Str,
        trip: Str,
        seatClass: Str,
        fare: Str,
        tax: Str,
      }),
    ),
    extraction: Type.Object({
      fieldSources: Type.Record(Type.String(), Type.String()),
      confidence: Type.Record(Type.String(), Type.Number()),
      warnings: Type.Array(
        Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
      ),
    }),
    verification: Type.Object({
      status: Type.String({ description: VERIFICATION_STATUSES.join(' | ') }),
      checkedAt: Nullable(IsoTime),
      history: Type.Array(
        Type.Object({
          at: IsoTime,
          status: Type.String(),
          message: Type.String(),
          mismatchField: Type.Optional(Type.String()),
          channel: Type.String(),
        }),
      ),
    }),
    compliance: Type.Object({
      result: Type.String({ description: COMPLIANCE_RESULTS.join(' | ') }),
      findings: Type.Array(
        Type.Object({
          rule: Type.String(),
          level: Type.Union([Type.Literal('block'), Type.Literal('warn')]),
          outcome: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('skip')]),
          reason: Type.String(),
        }),
      ),
    }),
    duplicateOf: Nullable(Type.String({ description: 'id of the older live item with the same invoice' })),
    usageStatus: Type.String({ description: USAGE_STATUSES.join(' | ') }),
    usage: UsageView,
    deduction: DeductionView,
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { additionalProperties: false },
);

export const IntakeFileReply = Type.Object({
  fileId: Type.String(),
  sha256: Type.String(),
  created: Type.Boolean(),
  status: Type.Enum(RECEIVED_FILE_STATUSES, {
    description:
      'ok (read) | failed (`error` says why) | archive (a ZIP: its entries are files of their own) | ocr_pending ' +
      '(needed OCR while it was unavailable: read again later, `pending` says why; items its QR gave are there already)',
  }),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  pending: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

export const IntakeReply = Type.Object({
  items: Type.Array(ReceivedInvoiceView),
  files: Type.Array(IntakeFileReply),
});

const money = (description: string) =>
  Type.String({ maxLength: 16, pattern: '^\\d{1,13}(\\.\\d{1,2})?$', description });

/** Manual entry (JSON): what a person reads off a paper invoice. */
export const ManualEntryBody = Type.Object(
  {
    number: Type.String({
      maxLength: 20,
      pattern: '^\\d{8}$|^\\d{20}$',
      description: '发票号码: 20 位（数电）或 8 位',
    }),
    issueDate: Type.String({ maxLength: 10, pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: '开票日期 YYYY-MM-DD' }),
    total: Type.Optional(money('价税合计')),
    amount: Type.Optional(money('金额（不含税）')),
    checkCode: Type.Optional(
      Type.String({ maxLength: 20, pattern: '^\\d{6}$|^\\d{20}$', description: '校验码或其后 6 位' }),
    ),
    code: Type.Optional(
      Type.String({ maxLength: 12, pattern: '^\\d{10}$|^\\d{12}$', description: '发票代码（税控发票）' }),
    ),
    kind: Type.Optional(Type.Union(RECEIVED_INVOICE_KINDS.map((k) => Type.Literal(k)))),
    buyerTaxId: Type.Optional(Type.String({ maxLength: 20, description: '收票组织的税号' })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const date = (description: string) => Type.Optional(Type.String({ maxLength: 10, format: 'date', description }));

/** The pool's filters (list, export). */
export const PoolFilters = {
  issueDateFrom: date('开票日期起 (YYYY-MM-DD)'),
  issueDateTo: date('开票日期止 (YYYY-MM-DD, 含)'),
  createdFrom: date('收票日期起 (YYYY-MM-DD, 北京时间)'),
  createdTo: date('收票日期止 (YYYY-MM-DD, 含)'),
  kind: Type.Optional(Type.Union(RECEIVED_INVOICE_KINDS.map((k) => Type.Literal(k)))),
  kinds: Type.Optional(
    Type.String({ maxLength: 200, pattern: '^[0-9a-z]{1,8}(,[0-9a-z]{1,8}){0,39}$', description: '票种，逗号分隔' }),
  ),
  sellerTaxId: Type.Optional(Type.String({ maxLength: 20 })),
  buyerTaxId: Type.Optional(Type.String({ maxLength: 20, description: '购买方税号（票面）' })),
  red: Type.Optional(Type.Boolean({ description: 'true: 只看红字发票；false: 只看蓝字发票' })),
  sellerName: Type.Optional(Type.String({ maxLength: 100, description: '销方名称包含' })),
  buyerOrgId: Type.Optional(Type.String({ maxLength: 64, description: '收票组织 id' })),
  verification: Type.Optional(
    Type.String({ maxLength: 200, description: `查验状态，逗号分隔: ${VERIFICATION_STATUSES.join(',')}` }),
  ),
  compliance: Type.Optional(
    Type.String({ maxLength: 100, description: `合规结果，逗号分隔: ${COMPLIANCE_RESULTS.join(',')}` }),
  ),
  source: Type.Optional(Type.Enum(RECEIVED_SOURCES)),
  broughtBy: Type.Optional(
    Type.String({
      maxLength: 200,
      description: '提交人：用户 id、应用 id 或邮箱，也可填控制台显示的用户姓名、登录名或应用名称',
    }),
  ),
  q: Type.Optional(Type.String({ maxLength: 20, pattern: '^\\d{1,20}$', description: '发票号码（或其开头）' })),
  duplicate: Type.Optional(Type.Boolean({ description: 'true: 只看重复的；false: 只看不重复的' })),
  usage: Type.Optional(
    Type.Enum(USAGE_STATUSES, { description: '报销状态: unused 未报销 | claimed 已报销 | booked 已入账' }),
  ),
};

export const ExportQuery = Type.Object({
  ...PoolFilters,
  ids: Type.Optional(
    Type.String({
      maxLength: 65_000,
      pattern: '^[A-Za-z0-9_]{1,64}(,[A-Za-z0-9_]{1,64}){0,999}$',
      description: '逗号分隔的 id（所选行，最多 1000）',
    }),
  ),
});

export const ReceivedFileView = Type.Object({
  id: Type.String({ description: 'rcf_…' }),
  sha256: Type.String(),
  size: Type.Integer(),
  fileName: Type.String(),
  contentType: Type.String(),
  format: Type.String({ description: 'pdf | ofd | xml | zip | png | jpeg | webp | unknown' }),
  source: Type.Enum(RECEIVED_SOURCES),
  sourceRef: Str,
  broughtBy: Str,
  broughtByName: Nullable(
    Type.String({ description: '提交人 as shown: the user’s display name or the app’s name, else `broughtBy` itself' }),
  ),
  buyerOrgId: Str,
  note: Str,
  status: Type.Enum(RECEIVED_FILE_STATUSES, {
    description:
      'ok | failed | archive | ocr_pending (needed OCR while it was unavailable: read again later, `error` says why)',
  }),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  entries: Nullable(
    Type.Array(
      Type.Object({
        name: Type.String(),
        fileId: Str,
        status: Nullable(
          Type.Enum(RECEIVED_FILE_STATUSES, {
            description: "the entry file's status now (`failed` with `error`: not stored, e.g. not an invoice file)",
          }),
        ),
        error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
      }),
    ),
  ),
  items: Type.Array(ReceivedInvoiceView),
  createdAt: IsoTime,
});
