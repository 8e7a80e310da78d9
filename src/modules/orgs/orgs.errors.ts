import { defineErrors } from '../../platform/errors/app-error.js';

export const {
  ORG_NOT_FOUND,
  ORG_EXISTS,
  ORG_TAX_ID_INVALID,
  ORG_BOUND_ELSEWHERE,
  SELLER_NOT_FOUND,
  SELLER_NOT_BOUND,
} = defineErrors({
  ORG_NOT_FOUND: {
    statusCode: 404,
    message: '销方企业不存在',
    description: 'No seller org with that tax id in this tenant.',
  },
  ORG_EXISTS: {
    statusCode: 409,
    message: '该税号的销方企业已存在',
    description: 'The tenant already has a seller org with that tax id.',
  },
  ORG_TAX_ID_INVALID: {
    statusCode: 422,
    message: '纳税人识别号不是有效的统一社会信用代码',
    description: 'The seller tax id is not an 18-character USCC with a correct check character (GB 32100).',
  },
  ORG_BOUND_ELSEWHERE: {
    statusCode: 409,
    message: '该税号的开票通道账户已由其他租户绑定',
    description:
      'Another tenant holds the channel binding of this tax id (one tax id is bound to one tenant at a time); it must unbind first.',
  },
  SELLER_NOT_FOUND: {
    statusCode: 422,
    message: '销方税号不是本租户的销方企业',
    description: 'seller.taxId is not a seller org of the tenant (create it with POST /api/v1/orgs).',
  },
  SELLER_NOT_BOUND: {
    statusCode: 422,
    message: '销方尚未绑定开票通道账户，请先绑定后再开票',
    description:
      "The seller org's channel account is not bound to this tenant (POST /api/v1/orgs/{taxId}/channel-binding with the credential the tax platform issued); also the failure code of a queued request whose seller was unbound before it was issued.",
  },
});
