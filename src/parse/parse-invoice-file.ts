/**
 * The parser's front: sniffs the format from the bytes (never the file name), runs the reader for it, cross-checks
 * the result, and either answers a ParsedInvoice or throws a ParseFailure with a stable code.
 */
import { crossCheck } from './checks.js';
import { InvoiceDraft } from './draft.js';
import { ParseFailure } from './errors.js';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits, readImage, sniffImage } from './image.js';
import { readInvoiceXml } from './invoice-xml.js';
import type { OcrEngine } from './ocr.js';
import { readOfd } from './ofd.js';
import { readPdf, readPdfInvoices } from './pdf.js';
import type { ParsedFormat, ParsedInvoice } from './types.js';
import { parseXml } from './xml-tree.js';
import { looksLikeZip, type ZipLimits } from './zip.js';

export interface ParseOptions {
  /** Largest file accepted (default 20 MiB). */
  readonly maxBytes?: number;
  /** pdf.js CMap directory (filesystem path with trailing slash); without it CJK PDFs using predefined CMaps read empty. */
  readonly cMapUrl?: string;
  readonly zipLimits?: ZipLimits;
  /** Ignore embedded XML/CustomData and read the printed text only (tests and diagnostics). */
  readonly textLayerOnly?: boolean;
  readonly maxPages?: number;
  /** OCR for pictures and the page pictures of scanned PDFs; without it they yield what their QR code says. */
  readonly ocr?: OcrEngine;
  /**
   * A PDF without a usable text layer: `read` its page pictures (default), or `defer` — throw ScannedPdf so the
   * caller reads it where pictures are read (the parse pool's picture lane).
   */
  readonly scannedPdf?: 'read' | 'defer';
  /** Pixel limits of pictures, checked from the header before decoding. */
  readonly imageLimits?: ImageLimits;
  /** Skip decoding QR codes in PDF image objects (the text layer alone). */
  readonly skipPdfQr?: boolean;
}

export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

/** The format the bytes are in, or the kind of file we refuse. */
export function sniffFormat(bytes: Uint8Array): ParsedFormat | 'zip' | 'image' | 'unknown' {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  if (head.includes('%PDF-')) return 'pdf';
  if (looksLikeZip(bytes)) return 'zip';
  if (/^(\uFEFF|ï»¿)?\s*</.test(head)) return 'xml';
  if (sniffImage(bytes)) return 'image';
  return 'unknown';
}

/** Parses one invoice file. */
export async function parseInvoiceFile(bytes: Uint8Array, options: ParseOptions = {}): Promise<ParsedInvoice> {
  const max = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (bytes.length > max) throw new ParseFailure('TOO_LARGE', `文件过大（${bytes.length} 字节，上限 ${max} 字节）`);
  if (bytes.length === 0) throw new ParseFailure('CORRUPT', '文件为空');
  const sniffed = sniffFormat(bytes);
  let draft: InvoiceDraft;
  switch (sniffed) {
    case 'pdf': {
      draft = new InvoiceDraft('pdf');
      await readPdf(bytes, draft, options);
      break;
    }
    case 'zip': {
      draft = new InvoiceDraft('ofd');
      readOfd(bytes, draft, options);
      break;
    }
    case 'xml': {
      draft = new InvoiceDraft('xml');
      if (!readInvoiceXml(parseXml(bytes), draft, 'xml', 1))
        throw new ParseFailure(
          'NOT_AN_INVOICE',
          '此 XML 不是发票：不是数电发票（EInvoice）、电子发票（eInvoice）或电子客票 XBRL',
        );
      break;
    }
    case 'image': {
      draft = new InvoiceDraft('image');
      await readImage(bytes, draft, { ...options, imageLimits: options.imageLimits ?? DEFAULT_IMAGE_LIMITS });
      break;
    }
    default:
      throw new ParseFailure(
        'UNSUPPORTED_TYPE',
        '不支持的文件类型：请上传 PDF、OFD、XML 发票文件或发票图片（JPEG、PNG、WebP）',
      );
  }
  return finishDraft(draft, sniffed, bytes, options);
}

/**
 * Parses a file that may hold several invoices: a PDF whose pages (or embedded XML attachments) hold several — a
 * merged print, invoices concatenated — gives one invoice per invoice, in page order (pdf.ts readPdfInvoices); any
 * other file gives what {@link parseInvoiceFile} gives, as a one-element list.
 */
export async function parseInvoicesInFile(bytes: Uint8Array, options: ParseOptions = {}): Promise<ParsedInvoice[]> {
  if (sniffFormat(bytes) !== 'pdf' || bytes.length > (options.maxBytes ?? DEFAULT_MAX_FILE_BYTES)) {
    return [await parseInvoiceFile(bytes, options)];
  }
  const drafts = await readPdfInvoices(bytes, new InvoiceDraft('pdf'), options);
  if (drafts.length <= 1) return [finishDraft(drafts[0] ?? new InvoiceDraft('pdf'), 'pdf', bytes, options)];
  // Several groups: each must be an invoice on its own (a group without one is folded into none: refuse the file
  // only when no group is an invoice).
  const invoices = drafts.filter((d) => d.hasSubstance());
  if (invoices.length === 0) return [finishDraft(drafts[0] as InvoiceDraft, 'pdf', bytes, options)];
  return invoices.map((d) => finishDraft(d, 'pdf', bytes, options));
}

function finishDraft(
  draft: InvoiceDraft,
  sniffed: ReturnType<typeof sniffFormat>,
  bytes: Uint8Array,
  options: ParseOptions,
): ParsedInvoice {
  if (!draft.hasSubstance()) {
    if (draft.format === 'image')
      throw new ParseFailure(
        'NOT_AN_INVOICE',
        options.ocr
          ? '图片中未识别出发票：没有可解码的发票二维码，文字识别也未读出发票号码或开票日期和价税合计'
          : '图片中未识别出发票：没有可解码的发票二维码（本机未启用文字识别）',
      );
    const what = { pdf: 'PDF', ofd: 'OFD', xml: 'XML' }[draft.format];
    if (sniffed === 'pdf' && !new TextDecoder('latin1').decode(bytes.subarray(-1024)).includes('%%EOF'))
      throw new ParseFailure('CORRUPT', 'PDF 文件已被截断（缺少文件尾），无法读出发票');
    throw new ParseFailure('NOT_AN_INVOICE', `此 ${what} 不是发票：未找到发票号码，也未找到开票日期和价税合计`);
  }
  crossCheck(draft);
  return draft.finish();
}
