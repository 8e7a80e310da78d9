import { defineErrors } from '../../../platform/errors/app-error.js';

export const { RECEIVED_BUYER_ORG_NOT_FOUND, RECEIVED_RULES_INVALID } = defineErrors({
  RECEIVED_BUYER_ORG_NOT_FOUND: {
    statusCode: 404,
    message: '购买方企业不存在',
    description: "No org of the tenant has this `buyerOrgId` (another tenant's org id answers the same).",
  },
  RECEIVED_RULES_INVALID: {
    statusCode: 422,
    message: '合规规则设置无效',
    description:
      'The rules pass the schema but not its meaning: an amount threshold of zero, or rules: null for the tenant default (only an org can drop its own rules).',
  },
});
