import { defineErrors } from '../../../platform/errors/app-error.js';

export const {
  RECEIVED_MAILBOX_NOT_FOUND,
  RECEIVED_MAILBOX_HOST_REFUSED,
  RECEIVED_MAILBOX_MOVE_TO_REQUIRED,
  RECEIVED_MAILBOX_POLL_BUSY,
  RECEIVED_ADDRESS_NOT_FOUND,
  RECEIVED_MAIL_NOT_FOUND,
  RECEIVED_MAILBOX_ORG_NOT_FOUND,
} = defineErrors({
  RECEIVED_MAILBOX_NOT_FOUND: {
    statusCode: 404,
    message: '收票邮箱不存在',
    description: 'No IMAP mailbox with this id in the caller’s tenant.',
  },
  RECEIVED_MAILBOX_HOST_REFUSED: {
    statusCode: 422,
    message: '邮箱服务器地址不允许：不能是内网、本机或无法解析的地址',
    description:
      'The IMAP host does not resolve, or resolves to a loopback/private/link-local/metadata address and is not in `OUTBOUND_ALLOWED_HOSTS` (the outbound guard); `details.reason` says which.',
  },
  RECEIVED_MAILBOX_MOVE_TO_REQUIRED: {
    statusCode: 422,
    message: '导入后移动邮件需要指定目标文件夹（moveTo）',
    description: '`afterImport` is `move` but `moveTo` is missing or equals the polled folder.',
  },
  RECEIVED_MAILBOX_POLL_BUSY: {
    statusCode: 409,
    message: '该邮箱正在收取中，请稍后再试',
    description: 'Another poll of this mailbox is running (scheduled or on demand); try again when it has finished.',
  },
  RECEIVED_ADDRESS_NOT_FOUND: {
    statusCode: 404,
    message: '收票地址不存在',
    description: 'No collection address with this id in the caller’s tenant.',
  },
  RECEIVED_MAILBOX_ORG_NOT_FOUND: {
    statusCode: 422,
    message: '收票组织不存在',
    description: '`buyerOrgId` names no org of the caller’s tenant.',
  },
  RECEIVED_MAIL_NOT_FOUND: {
    statusCode: 404,
    message: '邮件记录不存在',
    description: 'No received mail with this id in the caller’s tenant.',
  },
});
