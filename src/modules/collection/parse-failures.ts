import type { ErrorCode } from '../../platform/errors/app-error.js';
import {
  INVOICE_FILE_CORRUPT,
  INVOICE_FILE_ENCRYPTED,
  INVOICE_FILE_IMAGE_TOO_LARGE,
  INVOICE_FILE_NO_TEXT,
  INVOICE_FILE_NOT_INVOICE,
  INVOICE_FILE_OCR_UNAVAILABLE,
  INVOICE_FILE_PARSE_BUSY,
  INVOICE_FILE_PARSE_STOPPED,
  INVOICE_FILE_TOO_COMPLEX,
  INVOICE_FILE_TOO_LARGE,
  INVOICE_FILE_UNSUPPORTED,
  INVOICE_FILE_ZIP_LIMIT,
} from './collection.errors.js';
import type { ParseRejected } from './parse-pool.js';

/** The error code of each parse refusal: the HTTP answer of the parse route, the recorded error of a received file. */
export const PARSE_FAILURE_ERRORS: Readonly<Record<ParseRejected['code'], ErrorCode>> = {
  NOT_AN_INVOICE: INVOICE_FILE_NOT_INVOICE,
  ENCRYPTED: INVOICE_FILE_ENCRYPTED,
  CORRUPT: INVOICE_FILE_CORRUPT,
  UNSUPPORTED_TYPE: INVOICE_FILE_UNSUPPORTED,
  TOO_LARGE: INVOICE_FILE_TOO_LARGE,
  ZIP_LIMIT: INVOICE_FILE_ZIP_LIMIT,
  NO_TEXT_LAYER: INVOICE_FILE_NO_TEXT,
  IMAGE_TOO_LARGE: INVOICE_FILE_IMAGE_TOO_LARGE,
  TOO_COMPLEX: INVOICE_FILE_TOO_COMPLEX,
  BUSY: INVOICE_FILE_PARSE_BUSY,
  CLOSED: INVOICE_FILE_PARSE_STOPPED,
  OCR_UNAVAILABLE: INVOICE_FILE_OCR_UNAVAILABLE,
};

/** Refusals that say nothing about the file (the pool is full, stopping, or its OCR failing): ask again later. */
export const TEMPORARY_PARSE_REFUSALS: ReadonlySet<ParseRejected['code']> = new Set([
  'BUSY',
  'CLOSED',
  'OCR_UNAVAILABLE',
]);
