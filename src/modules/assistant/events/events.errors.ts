import { defineErrors } from '../../../platform/errors/app-error.js';

/** Error codes of event codes (事件码) and of the assistant pages they open (docs/assistant.md). */
export const {
  ASSISTANT_RESOURCE_UNKNOWN,
  ASSISTANT_COMPANY_INVALID,
  ASSISTANT_EVENT_INVALID,
  ASSISTANT_EVENT_EXPIRED,
} = defineErrors({
  ASSISTANT_RESOURCE_UNKNOWN: {
    statusCode: 422,
    message: '未知的业务系统：resource 应为本租户已启用的业务系统编码',
    description:
      '`resource` names no enabled business system of the tenant (events, bills and vouchers all take a business-system code).',
  },
  ASSISTANT_COMPANY_INVALID: {
    statusCode: 422,
    message: '单据公司信息有误：税号应为统一社会信用代码或纳税人识别号',
    description: 'An entry of `companyInfo` (or `billTaxNo`) carries a tax number of no valid shape (details.index).',
  },
  ASSISTANT_EVENT_INVALID: {
    statusCode: 401,
    message: '事件码无效或已被新的事件码替换，请从业务系统重新打开发票助手',
    description:
      'The `X-Event-Code` header is missing, unknown, or belongs to a code replaced by a newer one for the same bill.',
  },
  ASSISTANT_EVENT_EXPIRED: {
    statusCode: 401,
    message: '事件码已过期，请从业务系统重新打开发票助手',
    description: 'The event code is past its expiry (ASSISTANT_EVENT_TTL_SECONDS after it was issued).',
  },
});
