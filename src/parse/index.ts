/**
 * Invoice file parsing (收票 on-box extraction): pure code like src/tax — bytes in, a typed result out, no I/O of
 * its own (pdf.js reads the CMap directory it is given). Runs inside the collection module's worker threads.
 */

export {
  type ArchiveFile,
  type ArchiveSkip,
  type ExpandedArchive,
  expandInvoiceArchive,
  isOfdContainer,
} from './archive.js';
export { isParseFailure, PARSE_FAILURE_CODES, ParseFailure, type ParseFailureCode } from './errors.js';
export {
  checkImageHeader,
  DEFAULT_IMAGE_LIMITS,
  type ImageHeader,
  type ImageLimits,
  readImageHeader,
  sniffImage,
} from './image.js';
export type { OcrEngine, OcrGlyph, OcrTextBox } from './ocr.js';
export {
  DEFAULT_MAX_FILE_BYTES,
  type ParseOptions,
  parseInvoiceFile,
  parseInvoicesInFile,
  sniffFormat,
} from './parse-invoice-file.js';
export { warmUpPdf } from './pdf.js';
export { isScannedPdf, MAX_SCAN_PAGES, ScannedPdf } from './pdf-scan.js';
export { prepareQrReader } from './qr.js';
export type * from './types.js';
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip.js';
