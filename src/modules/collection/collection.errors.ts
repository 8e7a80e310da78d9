import { defineErrors } from '../../platform/errors/app-error.js';

export const {
  INVOICE_FILE_MISSING,
  INVOICE_FILE_TOO_LARGE,
  INVOICE_FILE_UNSUPPORTED,
  INVOICE_FILE_NOT_INVOICE,
  INVOICE_FILE_ENCRYPTED,
  INVOICE_FILE_CORRUPT,
  INVOICE_FILE_ZIP_LIMIT,
  INVOICE_FILE_NO_TEXT,
  INVOICE_FILE_TOO_COMPLEX,
  INVOICE_FILE_IMAGE_TOO_LARGE,
  INVOICE_FILE_PARSE_BUSY,
  INVOICE_FILE_PARSE_STOPPED,
  INVOICE_FILE_OCR_UNAVAILABLE,
} = defineErrors({
  INVOICE_FILE_MISSING: {
    statusCode: 400,
    message: '请以 multipart/form-data 上传一个名为 file 的发票文件',
    description: 'The multipart request has no `file` part (or more than one file).',
  },
  INVOICE_FILE_TOO_LARGE: {
    statusCode: 413,
    message: '发票文件过大',
    description: 'The file exceeds the parse limit (20 MiB).',
  },
  INVOICE_FILE_UNSUPPORTED: {
    statusCode: 415,
    message: '不支持的文件类型：请上传 PDF、OFD、XML 发票文件或发票图片（JPEG、PNG、WebP）',
    description: 'The bytes are no PDF, OFD, XML, JPEG, PNG or WebP (the type is sniffed, never taken from the name).',
  },
  INVOICE_FILE_NOT_INVOICE: {
    statusCode: 422,
    message: '该文件不是发票',
    description:
      'A readable PDF/OFD/XML without an invoice number, or date and total; the message says what is missing.',
  },
  INVOICE_FILE_ENCRYPTED: {
    statusCode: 422,
    message: '文件已加密，无法读取',
    description: 'A PDF that needs a password, or an OFD with encrypted entries.',
  },
  INVOICE_FILE_CORRUPT: {
    statusCode: 422,
    message: '文件已损坏或被截断',
    description: 'Malformed XML (or XML with entity declarations), a truncated or damaged PDF/ZIP.',
  },
  INVOICE_FILE_ZIP_LIMIT: {
    statusCode: 422,
    message: '压缩包超过解压限制（疑似压缩炸弹）',
    description: 'The OFD container exceeds the entry count, inflated size or compression ratio limits.',
  },
  INVOICE_FILE_NO_TEXT: {
    statusCode: 422,
    message: 'PDF 没有可读的文字层，需要图片识别',
    description:
      'A scanned PDF, or fonts without a Unicode map: the text cannot be read (upload a photo or the OFD/XML instead).',
  },
  INVOICE_FILE_TOO_COMPLEX: {
    statusCode: 422,
    message: '文件过于复杂，无法在时间或内存限制内解析',
    description: 'Parsing ran past the time limit (10 s; pictures 30 s) or the worker memory limit and was stopped.',
  },
  INVOICE_FILE_IMAGE_TOO_LARGE: {
    statusCode: 422,
    message: '图片尺寸过大（像素数超过上限，疑似解压炸弹）',
    description:
      'A picture whose header claims more than 50 million pixels or a side above 16 384 pixels; refused before decoding.',
  },
  INVOICE_FILE_PARSE_BUSY: {
    statusCode: 503,
    message: '图片识别队列已满，请稍后重试',
    description:
      'Parse only: the picture lane (pictures and scanned PDFs, OCR) already has `COLLECT_OCR_QUEUE` files waiting; retry later. A PDF found to be a scan counts against the same bound. Text-layer PDFs, OFD and XML are not affected.',
  },
  INVOICE_FILE_PARSE_STOPPED: {
    statusCode: 503,
    message: '文件解析服务正在停止，请稍后重试',
    description:
      'The parse workers were stopped (the server is shutting down or restarting them) while the file waited or was read; nothing was stored. Retry later, on this or another node.',
  },
  INVOICE_FILE_OCR_UNAVAILABLE: {
    statusCode: 503,
    message: '图片文字识别暂不可用，请稍后重试',
    description:
      'Parse only: the file is a picture or a scanned PDF and the on-box OCR is temporarily unavailable (its models could not be loaded, or its process crashed); the engine is retried with a doubling delay. Intake does not answer it: it keeps the file, marks it `ocr_pending` and reads it again later.',
  },
});

export const {
  RECEIVED_INVOICE_NOT_FOUND,
  RECEIVED_FILE_NOT_FOUND,
  RECEIVED_BUYER_ORG_UNKNOWN,
  RECEIVED_ENTRY_INVALID,
  RECEIVED_INVOICE_IN_USE,
  RECEIVED_TOO_MANY_FILES,
  RECEIVED_EXPORT_TOO_LARGE,
} = defineErrors({
  RECEIVED_INVOICE_NOT_FOUND: {
    statusCode: 404,
    message: '收到的发票不存在',
    description: "No live received invoice with this id in the tenant (deleted, or another tenant's).",
  },
  RECEIVED_FILE_NOT_FOUND: {
    statusCode: 404,
    message: '收到的文件不存在',
    description: 'No received file with this id in the tenant.',
  },
  RECEIVED_BUYER_ORG_UNKNOWN: {
    statusCode: 422,
    message: 'buyerTaxId 不是本租户的组织',
    description: 'The `buyerTaxId` of an intake names no org of the tenant.',
  },
  RECEIVED_ENTRY_INVALID: {
    statusCode: 422,
    message: '手工录入的发票信息有误',
    description:
      'A manual entry fails the tax rules (20-digit 数电 number, legacy 发票代码 + 8-digit number, date, amount); ' +
      'details.problems lists each field and why.',
  },
  RECEIVED_INVOICE_IN_USE: {
    statusCode: 409,
    message: '发票已被使用，不能删除',
    description: 'Only received invoices whose usageStatus is `unused` can be deleted.',
  },
  RECEIVED_TOO_MANY_FILES: {
    statusCode: 413,
    message: '一次上传的文件过多',
    description: 'More `file` parts in one upload than allowed (details.maxFiles); ZIPs count as one file.',
  },
  RECEIVED_EXPORT_TOO_LARGE: {
    statusCode: 422,
    message: '导出的发票超过上限，请缩小筛选范围后分批导出',
    description: 'A received-invoice export would exceed EXPORT_MAX_ROWS (details.maxRows); narrow the filters.',
  },
});
