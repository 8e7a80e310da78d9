import { defineErrors } from '../../platform/errors/app-error.js';

export const {
  AUTH_INVALID_CREDENTIALS,
  AUTH_TOKEN_INVALID,
  AUTH_FORBIDDEN,
  TENANT_NOT_FOUND,
  USERNAME_TAKEN,
  APP_NOT_FOUND,
} = defineErrors({
  AUTH_INVALID_CREDENTIALS: {
    statusCode: 401,
    message: 'appId 或 appSecret 不正确',
    description: 'Token request with an unknown appId, a wrong secret, or a disabled app.',
  },
  AUTH_TOKEN_INVALID: {
    statusCode: 401,
    message: '访问令牌无效、已过期或已被吊销',
    description: 'The Authorization header is missing, malformed, expired or revoked; get a new token.',
  },
  AUTH_FORBIDDEN: {
    statusCode: 403,
    message: '当前账号无权执行此操作',
    description: 'Authenticated, but the role does not allow the action.',
  },
  TENANT_NOT_FOUND: { statusCode: 404, message: '租户不存在', description: 'CLI/admin: no tenant with that id.' },
  APP_NOT_FOUND: { statusCode: 404, message: '应用不存在', description: 'No API app with that appId in this tenant.' },
  USERNAME_TAKEN: {
    statusCode: 409,
    message: '用户名已被使用',
    description: 'Usernames are unique across the installation.',
  },
});
