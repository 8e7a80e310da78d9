import { defineErrors } from '../../platform/errors/app-error.js';

export const {
  AUTH_INVALID_CREDENTIALS,
  AUTH_TOKEN_INVALID,
  FORBIDDEN,
  TENANT_NOT_FOUND,
  USERNAME_TAKEN,
  APP_NOT_FOUND,
  LOGIN_FAILED,
  LOGIN_LOCKED,
  CSRF_TOKEN_INVALID,
  USER_NOT_FOUND,
  SESSION_NOT_FOUND,
  CURRENT_PASSWORD_WRONG,
  ORG_NOT_ASSIGNED,
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
  FORBIDDEN: {
    statusCode: 403,
    message: '当前账号无权执行此操作',
    description:
      'Authenticated, but the role (or, for API apps, the app) lacks the permission the route needs; `details.permission` names it (docs/console.md#permissions).',
  },
  LOGIN_FAILED: {
    statusCode: 401,
    message: '用户名或密码不正确',
    description: 'Console login with an unknown username, a wrong password, or a disabled user (one answer for all).',
  },
  LOGIN_LOCKED: {
    statusCode: 429,
    message: '登录失败次数过多，请稍后再试',
    description:
      'Too many failed console logins for this username or from this client address; `Retry-After` and `details.retryAfterSeconds` say when to try again.',
  },
  CSRF_TOKEN_INVALID: {
    statusCode: 403,
    message: '页面已过期或请求来源不可信，请刷新页面后重试',
    description:
      'A state-changing call authenticated by the console cookie lacks the session’s `X-CSRF-Token` header, or it does not match.',
  },
  USER_NOT_FOUND: {
    statusCode: 404,
    message: '用户不存在',
    description: 'No console user with that id in this tenant.',
  },
  SESSION_NOT_FOUND: {
    statusCode: 404,
    message: '会话不存在或已结束',
    description: 'No live session of the calling user with that id.',
  },
  CURRENT_PASSWORD_WRONG: {
    statusCode: 400,
    message: '当前密码不正确',
    description: 'Changing one’s own password needs the current password.',
  },
  ORG_NOT_ASSIGNED: {
    statusCode: 403,
    message: '该销方组织未分配给当前用户',
    description: 'A clerk acted on a seller org that is not among the orgs assigned to them (`details.taxId`).',
  },
  TENANT_NOT_FOUND: { statusCode: 404, message: '租户不存在', description: 'CLI/admin: no tenant with that id.' },
  APP_NOT_FOUND: { statusCode: 404, message: '应用不存在', description: 'No API app with that appId in this tenant.' },
  USERNAME_TAKEN: {
    statusCode: 409,
    message: '用户名已被使用',
    description: 'Usernames are unique across the installation.',
  },
});
