import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isOfdContainer, type ParsedInvoice, sniffFormat } from '../../../parse/index.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { responses } from '../../../platform/http/schemas.js';
import {
  INVOICE_FILE_MISSING,
  INVOICE_FILE_NOT_INVOICE,
  INVOICE_FILE_TOO_LARGE,
  INVOICE_FILE_ZIP_LIMIT,
} from '../collection.errors.js';
import { PARSE_FAILURE_ERRORS, TEMPORARY_PARSE_REFUSALS } from '../parse-failures.js';
import {
  configureParsePool,
  getParsePool,
  PARSE_LIMITS,
  type ParsePool,
  ParseRejected,
  parsePoolSettings,
} from '../parse-pool.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Str = Nullable(Type.String());
const Party = Type.Object({ name: Str, taxId: Str });
const parsedInvoiceFields = {
  format: Type.Union([Type.Literal('xml'), Type.Literal('ofd'), Type.Literal('pdf'), Type.Literal('image')]),
  kind: Type.String({ description: '票种 code (81, 82, 51, 61, 026 …) or other' }),
  kindName: Type.String(),
  code: Str,
  number: Str,
  issueDate: Str,
  checkCode: Str,
  seller: Party,
  buyer: Party,
  totals: Type.Object({ amount: Str, tax: Str, total: Str }),
  amountInWords: Str,
  lines: Type.Array(
    Type.Object({
      name: Type.String(),
      spec: Str,
      unit: Str,
      quantity: Str,
      unitPrice: Str,
      amount: Str,
      taxRate: Str,
      taxAmount: Str,
    }),
  ),
  remark: Str,
  isRed: Type.Boolean(),
  passenger: Nullable(
    Type.Object({
      name: Str,
      idNumber: Str,
      travelDate: Str,
      from: Str,
      to: Str,
      trip: Str,
      seatClass: Str,
      fare: Str,
      tax: Str,
    }),
  ),
  qrPayload: Str,
  fieldSources: Type.Record(Type.String(), Type.String()),
  confidence: Type.Record(Type.String(), Type.Number()),
  overallConfidence: Type.Number(),
  warnings: Type.Array(
    Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
  ),
};
const ParsedItem = Type.Object({
  ...parsedInvoiceFields,
  fileName: Type.Optional(Type.String({ description: 'The ZIP entry the invoice was read from (ZIP uploads only).' })),
});
/**
 * The first invoice's fields at the top level (the answer of one-invoice files, unchanged), and every invoice the
 * file holds in `items` (a PDF of several invoices, a multi-page scan, a ZIP), the first included.
 */
const ParseReply = Type.Object({
  ...parsedInvoiceFields,
  items: Type.Array(ParsedItem),
  skipped: Type.Optional(
    Type.Array(Type.Object({ fileName: Type.String(), code: Type.String(), message: Type.String() }), {
      description: 'ZIP entries that gave no invoice, each with the error code it would answer alone.',
    }),
  ),
});

/** ZIP entries read at most by the parse-only route (the archive limits bound the rest). */
const MAX_ZIP_ENTRIES = 50;

/** `POST /api/v1/invoice-files/parse`: one file in, the fields read from it out; nothing is stored. */
export const invoiceFilesRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  configureParsePool(parsePoolSettings(deps.config));
  await app.register(multipart, {
    limits: { files: 1, fileSize: PARSE_LIMITS.maxFileBytes, fields: 5, fieldSize: 1024, parts: 6, headerPairs: 50 },
  });

  app.post(
    '/api/v1/invoice-files/parse',
    {
      config: { permission: 'invoices.read' },
      schema: {
        tags: ['collection'],
        security: [{ bearerAuth: [] }],
        summary: '解析发票文件 (parse a PDF, OFD, XML, picture or ZIP of invoices; nothing is stored)',
        description:
          'multipart/form-data with one `file` part (≤ 20 MiB): PDF (text layer or scan), OFD, XML, a JPEG/PNG/WebP ' +
          'picture, or a ZIP of those. The format is sniffed from the bytes. Answers the first invoice’s fields at ' +
          'the top level and every invoice the file holds in `items` (a merged PDF, a multi-page scan, a ZIP), each ' +
          'with where its fields came from (xml, ofd, pdf-text, qr, ocr), a confidence, and cross-check warnings.',
        consumes: ['multipart/form-data'],
        response: responses({ 200: ParseReply }, [400, 401, 413, 415, 422, 503]),
      },
    },
    async (request) => {
      if (!request.isMultipart()) throw new AppError(INVOICE_FILE_MISSING);
      let bytes: Buffer | null = null;
      try {
        for await (const part of request.parts()) {
          if (part.type !== 'file') continue;
          if (part.fieldname !== 'file' || bytes !== null) {
            part.file.resume();
            throw new AppError(INVOICE_FILE_MISSING);
          }
          bytes = await part.toBuffer();
        }
      } catch (err) {
        if (err instanceof AppError) throw err;
        const code = (err as { code?: string }).code ?? '';
        if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError(INVOICE_FILE_TOO_LARGE);
        if (code.startsWith('FST_')) throw new AppError(INVOICE_FILE_MISSING, undefined, { reason: code });
        throw err;
      }
      if (!bytes || bytes.length === 0) throw new AppError(INVOICE_FILE_MISSING);
      const pool = getParsePool();
      try {
        if (sniffFormat(bytes) === 'zip' && !isOfdContainer(bytes)) return await parseArchive(pool, bytes);
        const items = await pool.parseAll(bytes, { shed: true });
        // Read while OCR was unavailable: a partial answer (QR only) would look final; ask the caller to come back.
        const partial = items.flatMap((i) => i.warnings).find((w) => w.code === 'OCR_UNAVAILABLE');
        if (partial) throw new ParseRejected('OCR_UNAVAILABLE', partial.message);
        return { ...(items[0] as ParsedInvoice), items };
      } catch (err) {
        if (err instanceof ParseRejected) {
          if (err.code === 'OCR_UNAVAILABLE') request.log.warn({ reason: err.message }, 'parse: OCR unavailable');
          throw new AppError(PARSE_FAILURE_ERRORS[err.code], err.message);
        }
        throw err;
      }
    },
  );
};

/**
 * The invoices of a ZIP archive: each entry parsed as a file of its own (a PDF may give several); entries that give
 * none are listed in `skipped` with their error code. No invoice at all answers the first entry's refusal.
 */
async function parseArchive(pool: ParsePool, bytes: Uint8Array) {
  const archive = await pool.expand(bytes);
  const items: Array<ParsedInvoice & { fileName: string }> = [];
  const skipped: Array<{ fileName: string; code: string; message: string }> = archive.skipped.map((s) => ({
    fileName: s.name,
    code: PARSE_FAILURE_ERRORS[s.code].code,
    message: s.message,
  }));
  let firstRefusal: ParseRejected | null = null;
  for (const file of archive.files.slice(0, MAX_ZIP_ENTRIES)) {
    try {
      const parsedAll = await pool.parseAll(file.bytes, { shed: true });
      const partial = parsedAll.flatMap((i) => i.warnings).find((w) => w.code === 'OCR_UNAVAILABLE');
      if (partial) throw new ParseRejected('OCR_UNAVAILABLE', partial.message);
      for (const parsed of parsedAll) items.push({ ...parsed, fileName: file.name });
    } catch (err) {
      if (!(err instanceof ParseRejected) || TEMPORARY_PARSE_REFUSALS.has(err.code)) throw err;
      firstRefusal ??= err;
      skipped.push({ fileName: file.name, code: PARSE_FAILURE_ERRORS[err.code].code, message: err.message });
    }
  }
  for (const file of archive.files.slice(MAX_ZIP_ENTRIES))
    skipped.push({
      fileName: file.name,
      code: INVOICE_FILE_ZIP_LIMIT.code,
      message: `压缩包内文件过多：解析只读前 ${MAX_ZIP_ENTRIES} 个`,
    });
  const first = items[0];
  if (!first) {
    if (firstRefusal) throw firstRefusal;
    throw new AppError(INVOICE_FILE_NOT_INVOICE, '压缩包中没有发票文件');
  }
  return { ...first, items, skipped };
}
