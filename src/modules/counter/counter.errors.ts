import { defineErrors } from '../../platform/errors/app-error.js';

export const {
  RESERVATION_QR_NOT_FOUND,
  RESERVATION_QR_DISABLED,
  RESERVATION_NOT_FOUND,
  RESERVATION_NOT_OPEN,
  RESERVATION_LINES_REQUIRED,
  COUNTER_RATE_LIMITED,
  COUNTER_LINK_INVALID,
  KIOSK_NOT_FOUND,
  EXTRACTION_CODE_INVALID,
  INVOICE_NOT_ISSUED,
} = defineErrors({
  RESERVATION_QR_NOT_FOUND: {
    statusCode: 404,
    message: '预约二维码不存在',
    description: 'No reservation QR with that key in this tenant (or the link names none).',
  },
  RESERVATION_QR_DISABLED: {
    statusCode: 409,
    message: '该预约二维码已停用',
    description: 'The reservation QR is disabled: it takes no new reservations.',
  },
  RESERVATION_NOT_FOUND: {
    statusCode: 404,
    message: '预约单不存在',
    description: 'No reservation with that id in this tenant.',
  },
  RESERVATION_NOT_OPEN: {
    statusCode: 409,
    message: '预约单已处理，不能再开票或拒绝',
    description: 'The reservation was already issued, rejected or expired (only submitted or failed ones can move).',
  },
  RESERVATION_LINES_REQUIRED: {
    statusCode: 422,
    message: '请补全开票项目和金额',
    description: 'Issuing needs invoice lines: none were given and the configuration and the entry do not make any.',
  },
  COUNTER_RATE_LIMITED: {
    statusCode: 429,
    message: '操作过于频繁，请稍后再试',
    description: 'A consumer endpoint (reservation, kiosk lookup, title suggestions) is over its per-window limit.',
  },
  COUNTER_LINK_INVALID: {
    statusCode: 404,
    message: '链接无效或已失效',
    description: 'The reservation status link, reservation QR or kiosk link is unknown, disabled or revoked.',
  },
  KIOSK_NOT_FOUND: {
    statusCode: 404,
    message: '自助打印终端不存在',
    description: 'No kiosk with that id in this tenant.',
  },
  EXTRACTION_CODE_INVALID: {
    statusCode: 404,
    message: '订单号或提取码不正确',
    description: 'The kiosk lookup found no invoice for that order number and extraction code (or another store’s).',
  },
  INVOICE_NOT_ISSUED: {
    statusCode: 409,
    message: '发票尚未开具，不能生成提取码',
    description: 'An extraction code is made only for an issued invoice.',
  },
});
