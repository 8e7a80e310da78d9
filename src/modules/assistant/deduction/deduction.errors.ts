import { defineErrors } from '../../../platform/errors/app-error.js';

/** Errors of 抵扣勾选 (docs/deduction.md#errors). Per-invoice reasons are in `details.invoices`. */
export const {
  DEDUCTION_ORG_UNKNOWN,
  DEDUCTION_PERIOD_INVALID,
  DEDUCTION_PERIOD_LOCKED,
  DEDUCTION_INVOICE_NOT_FOUND,
  DEDUCTION_WRONG_BUYER,
  DEDUCTION_NOT_DEDUCTIBLE,
  DEDUCTION_TAX_ABOVE_ALLOWED,
  DEDUCTION_PARTIAL_NOT_ALLOWED,
  DEDUCTION_HELD_ELSEWHERE,
  DEDUCTION_STATE_CONFLICT,
  DEDUCTION_NOT_SELECTED,
} = defineErrors({
  DEDUCTION_ORG_UNKNOWN: {
    statusCode: 404,
    message: '购买方组织不存在',
    description: '`buyerTaxId` is not the tax id of one of the tenant’s orgs.',
  },
  DEDUCTION_PERIOD_INVALID: {
    statusCode: 422,
    message: '所属期无效',
    description: 'The 所属期 is not YYYYMM, or lies in the future (China time).',
  },
  DEDUCTION_PERIOD_LOCKED: {
    statusCode: 409,
    message: '该所属期已确认勾选，不能再修改',
    description:
      'The period is confirmed (确认勾选): nothing can be selected or unselected in it, and it cannot be confirmed again.',
  },
  DEDUCTION_INVOICE_NOT_FOUND: {
    statusCode: 404,
    message: '发票不存在',
    description: 'An `invoiceId` is no live item of the tenant’s received-invoice pool (`details.invoiceIds`).',
  },
  DEDUCTION_WRONG_BUYER: {
    statusCode: 422,
    message: '发票的购买方不是该组织',
    description: 'The invoice’s buyer tax id is not `buyerTaxId` (`details.invoices`).',
  },
  DEDUCTION_NOT_DEDUCTIBLE: {
    statusCode: 422,
    message: '发票不可勾选抵扣',
    description:
      'Kind not deductible, verification not 正常, red or duplicate, past the deadline, period before the invoice’s month, marked 不抵扣, or already selected in another period; `details.invoices` gives the reason of each.',
  },
  DEDUCTION_TAX_ABOVE_ALLOWED: {
    statusCode: 422,
    message: '有效抵扣税额超过可抵扣税额',
    description: 'The entered tax is above the invoice’s deductible tax (`details.invoices`: allowed).',
  },
  DEDUCTION_PARTIAL_NOT_ALLOWED: {
    statusCode: 422,
    message: '该票种须全额抵扣，不能修改有效抵扣税额',
    description: 'A tax below the full deductible tax for a kind deducted in full (tolls, passenger tickets).',
  },
  DEDUCTION_HELD_ELSEWHERE: {
    statusCode: 409,
    message: '发票已被其他购买方勾选或抵扣',
    description:
      'The platform (the sandbox’s ledger) refused: another buyer — or another tenant, or another item of the same invoice — selected or deducted it. Nothing of the request was kept.',
  },
  DEDUCTION_STATE_CONFLICT: {
    statusCode: 409,
    message: '发票已勾选或已抵扣，请先撤销勾选',
    description: '不抵扣 of an invoice that is selected or confirmed, or undo of one that is not marked 不抵扣.',
  },
  DEDUCTION_NOT_SELECTED: {
    statusCode: 409,
    message: '发票未在该所属期勾选',
    description: 'Cancel of an invoice that is not selected in this buyer’s period (`details.invoiceIds`).',
  },
});
