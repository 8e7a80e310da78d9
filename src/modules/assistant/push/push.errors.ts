import { defineErrors } from '../../../platform/errors/app-error.js';

/** Errors of the push to expense systems (WebSocket and long-poll; docs/assistant.md#push). */
export const { ASSISTANT_PUSH_TOKEN_REQUIRED, ASSISTANT_PUSH_TOO_MANY_CONNECTIONS, ASSISTANT_PUSH_UPGRADE_REQUIRED } =
  defineErrors({
    ASSISTANT_PUSH_TOKEN_REQUIRED: {
      statusCode: 401,
      message: '请使用 API 应用的访问令牌（Authorization: Bearer，或 WebSocket 的 access_token 参数）',
      description:
        'The push endpoints take only an API app access token (bearer header; the WebSocket also `access_token=`), never a console session.',
    },
    ASSISTANT_PUSH_TOO_MANY_CONNECTIONS: {
      statusCode: 429,
      message: '该租户的推送连接数已达上限，请稍后重试',
      description:
        'The tenant holds the most open push WebSockets (or waiting long-polls) a node allows; close unused ones and retry.',
    },
    ASSISTANT_PUSH_UPGRADE_REQUIRED: {
      statusCode: 426,
      message: '此地址只接受 WebSocket 连接',
      description:
        'The socket path was requested without a WebSocket upgrade (use `GET /api/v1/assistant/poll` instead).',
    },
  });
