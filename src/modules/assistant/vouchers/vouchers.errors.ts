import { defineErrors } from '../../../platform/errors/app-error.js';

export const { VOUCHER_NOT_FOUND, VOUCHER_BILL_NOT_FOUND, VOUCHER_INVOICE_NOT_FOUND, VOUCHER_INVOICE_BOOKED } =
  defineErrors({
    VOUCHER_NOT_FOUND: {
      statusCode: 404,
      message: '凭证不存在',
      description: 'No voucher with this resource and vouchId in the tenant.',
    },
    VOUCHER_BILL_NOT_FOUND: {
      statusCode: 422,
      message: '凭证引用的单据不存在',
      description: 'A `billIds` entry is no bill of this resource (`details.billIds`).',
    },
    VOUCHER_INVOICE_NOT_FOUND: {
      statusCode: 422,
      message: '发票不在进项发票池中',
      description: 'An `invoiceIds` entry is no live item of the tenant’s pool (`details.invoiceIds`).',
    },
    VOUCHER_INVOICE_BOOKED: {
      statusCode: 409,
      message: '发票已被其他凭证入账',
      description:
        'Another voucher books the invoice already (`details.invoiceId`, `vouchId`); nothing of the save was written.',
    },
  });
