import { defineErrors } from '../../../platform/errors/app-error.js';

/** Error codes of the assistant pages' API (docs/assistant.md#assistant-pages-api). */
export const { ASSISTANT_NOT_IMPORTABLE, ASSISTANT_ITEM_NOT_FOUND, ASSISTANT_QR_INVALID, ASSISTANT_REVERIFY_PENDING } =
  defineErrors({
    ASSISTANT_NOT_IMPORTABLE: {
      statusCode: 422,
      message: '部分发票不能导入单据',
      description:
        'An invoice of an import is not in the employee’s folder, is blocked (compliance, another company’s title), still pending, or the amount exceeds what remains claimable (details.invoices: [{invoiceId, reason}]).',
    },
    ASSISTANT_ITEM_NOT_FOUND: {
      statusCode: 404,
      message: '发票不存在或不在当前票夹中',
      description: 'The invoice is not in the employee’s folder (nor bound to the event’s bill), or has no file.',
    },
    ASSISTANT_QR_INVALID: {
      statusCode: 422,
      message: '无法识别的发票二维码',
      description: 'The QR text is no invoice QR payload (tax-rules §3.3); a URL payload is refused the same way.',
    },
    ASSISTANT_REVERIFY_PENDING: {
      statusCode: 503,
      message: '发票正在重新查验，请稍后再导入',
      description:
        'An invoice of the import was last verified more than `ASSISTANT_REVERIFY_AFTER_HOURS` ago and its re-verification did not answer within `ASSISTANT_REVERIFY_WAIT_SECONDS` (or the channel is busy): nothing was pushed; the verification goes on, import again later (details.invoiceIds).',
    },
  });
