import { defineErrors } from '../../platform/errors/app-error.js';

/** Error codes of the delivery module. */
export const {
  WEBHOOK_DELIVERY_NOT_FOUND,
  WEBHOOK_DELIVERY_IN_PROGRESS,
  DELIVERY_NO_RECIPIENT,
  INVOICE_NOT_DELIVERABLE,
} = defineErrors({
  WEBHOOK_DELIVERY_NOT_FOUND: {
    statusCode: 404,
    message: '回调投递记录不存在',
    description: 'No webhook delivery with that id in this tenant.',
  },
  WEBHOOK_DELIVERY_IN_PROGRESS: {
    statusCode: 409,
    message: '该回调仍在投递或重试中，无需重新投递',
    description: 'Redelivery was asked for a delivery that is still pending or retrying.',
  },
  DELIVERY_NO_RECIPIENT: {
    statusCode: 422,
    message: '没有可交付的邮箱或手机号',
    description: 'Neither the request nor the invoice request names a buyer e-mail address or mobile number.',
  },
  INVOICE_NOT_DELIVERABLE: {
    statusCode: 409,
    message: '发票尚未开具，不能交付',
    description: 'Only issued (or since reversed) invoices can be sent to the buyer.',
  },
});
