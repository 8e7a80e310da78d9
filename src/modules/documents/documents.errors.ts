import { defineErrors } from '../../platform/errors/app-error.js';

export const { DOCUMENT_NOT_AVAILABLE, DOCUMENT_LINK_INVALID, DOCUMENT_LINK_EXPIRED } = defineErrors({
  DOCUMENT_NOT_AVAILABLE: {
    statusCode: 409,
    message: '发票尚未开具，暂无版式文件',
    description: 'The invoice is not issued (yet), so it has no PDF/OFD/XML files.',
  },
  DOCUMENT_LINK_INVALID: {
    statusCode: 404,
    message: '下载链接无效',
    description: 'The download link is malformed, tampered with or signed with another key.',
  },
  DOCUMENT_LINK_EXPIRED: {
    statusCode: 410,
    message: '下载链接已过期',
    description: 'The download link is past its expiry; ask for a new one.',
  },
});
