/** TypeBox schemas of the sandbox admin API. Money is a decimal string; every object is closed. */
import { Type } from 'typebox';
import { Money, PageQuery, page } from '../../../platform/http/schemas.js';
import { INVOICE_KINDS } from '../../../tax/index.js';
import {
  MAX_LATENCY_MS,
  QUOTA_BASES,
  RED_FORM_BUYER_DECISIONS,
  RULE_EFFECTS,
  RULE_OPERATIONS,
} from '../sandbox/sandbox-settings.js';

const closed = { additionalProperties: false } as const;
const MONTH = Type.String({ maxLength: 7, pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM (China time)' });
const PositiveMoney = Type.String({
  maxLength: 18,
  pattern: '^\\d{1,15}(\\.\\d{1,2})?$',
  description: 'Decimal string, yuan',
});

export const TaxIdParams = Type.Object({ taxId: Type.String({ maxLength: 20 }) }, closed);
export const QuotaQuery = Type.Object({ month: Type.Optional(MONTH) }, closed);
export const PutQuotaBody = Type.Object(
  { total: { ...PositiveMoney, description: '本月授信总额度（元）' }, month: Type.Optional(MONTH) },
  closed,
);
export const QuotaView = Type.Object(
  { sellerTaxId: Type.String(), month: Type.String(), total: Money, used: Money, remaining: Money },
  closed,
);

export const RuleSchema = Type.Object(
  {
    when: Type.Object(
      {
        operation: Type.Optional(Type.Union(RULE_OPERATIONS.map((o) => Type.Literal(o)))),
        buyerNameContains: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        sellerTaxId: Type.Optional(Type.String({ maxLength: 20 })),
        kind: Type.Optional(Type.Union(INVOICE_KINDS.map((k) => Type.Literal(k)))),
        amountGreaterThan: Type.Optional(Money),
      },
      closed,
    ),
    fail: Type.Union(RULE_EFFECTS.map((e) => Type.Literal(e))),
    code: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Z][A-Z0-9_]{0,63}$' })),
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    times: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  closed,
);

const settingsFields = {
  latencyMs: Type.Integer({ minimum: 0, maximum: MAX_LATENCY_MS, description: '模拟响应延迟（毫秒）' }),
  transientFailureRate: Type.Number({ minimum: 0, maximum: 1, description: '临时故障概率' }),
  permanentFailureRate: Type.Number({ minimum: 0, maximum: 1, description: '永久拒绝概率' }),
  rules: Type.Array(RuleSchema, { maxItems: 50 }),
  redFormBuyerDecision: Type.Union(RED_FORM_BUYER_DECISIONS.map((d) => Type.Literal(d))),
  quotaBasis: Type.Union(QUOTA_BASES.map((b) => Type.Literal(b))),
  defaultQuota: PositiveMoney,
};

export const SettingsView = Type.Object(settingsFields, closed);
export const PutSettingsBody = Type.Object(
  {
    latencyMs: Type.Optional(settingsFields.latencyMs),
    transientFailureRate: Type.Optional(settingsFields.transientFailureRate),
    permanentFailureRate: Type.Optional(settingsFields.permanentFailureRate),
    rules: Type.Optional(settingsFields.rules),
    redFormBuyerDecision: Type.Optional(settingsFields.redFormBuyerDecision),
    quotaBasis: Type.Optional(settingsFields.quotaBasis),
    defaultQuota: Type.Optional(settingsFields.defaultQuota),
  },
  closed,
);

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const LedgerEntryView = Type.Object(
  {
    requestId: Type.String(),
    number: Type.String(),
    code: nullable(Type.String()),
    checkCode: nullable(Type.String()),
    kind: Type.String(),
    issuedAt: Type.String({ description: 'ISO 8601 (+08:00)' }),
    sellerTaxId: Type.String(),
    sellerName: Type.String(),
    buyerName: Type.String(),
    buyerTaxId: nullable(Type.String()),
    amount: Money,
    tax: Money,
    total: Money,
    isRed: Type.Boolean(),
    blueNumber: nullable(Type.String()),
    redFormId: nullable(Type.String()),
    status: Type.Union([Type.Literal('normal'), Type.Literal('partially_reversed'), Type.Literal('reversed')]),
    remainingAmount: Money,
    remainingTax: Money,
    lines: Type.Array(
      Type.Object({ lineNo: Type.Integer(), name: Type.String(), taxRate: Type.String(), amount: Money, tax: Money }),
    ),
  },
  closed,
);

export const LedgerQuery = Type.Object(
  { number: Type.Optional(Type.String({ maxLength: 20, pattern: '^\\d{8}$|^\\d{20}$' })), ...PageQuery },
  closed,
);
export const LedgerPage = page(LedgerEntryView);
