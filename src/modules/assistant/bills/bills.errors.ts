import { defineErrors } from '../../../platform/errors/app-error.js';

export const {
  BILL_RESOURCE_UNKNOWN,
  BILL_NOT_FOUND,
  BILL_DUPLICATE_INVOICE,
  BILL_AMOUNT_INVALID,
  BILL_INVOICE_NOT_FOUND,
  BILL_INVOICE_NO_TOTAL,
  BILL_AMOUNT_EXCEEDED,
  BILL_INVOICE_BLOCKED,
  BILL_INVOICE_REVERSED,
  BILL_INVOICE_VOID,
  BILL_INVOICE_NOT_ON_PLATFORM,
  BILL_INVOICE_BOOKED,
} = defineErrors({
  BILL_RESOURCE_UNKNOWN: {
    statusCode: 422,
    message: '未知的业务系统（resource）',
    description: '`resource` is not the code of an enabled business system of the tenant.',
  },
  BILL_NOT_FOUND: {
    statusCode: 404,
    message: '单据不存在',
    description: 'No bill with this resource and billId in the tenant.',
  },
  BILL_DUPLICATE_INVOICE: {
    statusCode: 400,
    message: '同一张发票在单据中出现了多次',
    description: '`invoices[].invoiceId` must be unique within a bill; `details.invoiceId` names the repeated one.',
  },
  BILL_AMOUNT_INVALID: {
    statusCode: 400,
    message: '报销金额必须大于 0',
    description: 'An amount (`amount`, `deductionTaxAmount`, `outputAmount`) is zero where it must be positive.',
  },
  BILL_INVOICE_NOT_FOUND: {
    statusCode: 422,
    message: '发票不在进项发票池中',
    description: 'An `invoiceId` is no live item of the tenant’s received-invoice pool (`details.invoiceIds`).',
  },
  BILL_INVOICE_NO_TOTAL: {
    statusCode: 422,
    message: '发票没有价税合计，无法报销',
    description: 'The item has no (positive) total yet, so no amount can be claimed on it (`details.invoiceId`).',
  },
  BILL_AMOUNT_EXCEEDED: {
    statusCode: 409,
    message: '报销金额超过发票可报销余额',
    description:
      'The claims of all bills on the invoice would exceed its total. `details`: `invoiceId`, `remaining` (what this ' +
      'bill may claim at most now). Nothing of the save was written.',
  },
  BILL_INVOICE_BLOCKED: {
    statusCode: 422,
    message: '发票未通过合规检查，不能报销',
    description:
      'The item’s compliance result is `block`; the message is the failing rule’s reason (`details.invoiceId`, `rule`).',
  },
  BILL_INVOICE_REVERSED: {
    statusCode: 422,
    message: '发票已全额红冲，不能报销',
    description: 'Verification found the invoice fully red-reversed (`details.invoiceId`).',
  },
  BILL_INVOICE_VOID: {
    statusCode: 422,
    message: '发票已作废，不能报销',
    description: 'Verification found the invoice void (`details.invoiceId`).',
  },
  BILL_INVOICE_NOT_ON_PLATFORM: {
    statusCode: 422,
    message: '查验结果为查无此票，不能报销',
    description: 'Verification did not find the invoice on the tax platform (`details.invoiceId`).',
  },
  BILL_INVOICE_BOOKED: {
    statusCode: 409,
    message: '发票已入账，不能从单据中移除或修改',
    description:
      'A voucher books the invoice: its binding to this bill cannot be removed or changed, nor the bill deleted, ' +
      'until the voucher is deleted or no longer books it (`details.invoiceId`, `vouchId`).',
  },
});
