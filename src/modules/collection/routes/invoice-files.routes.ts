import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { responses } from '../../../platform/http/schemas.js';
import { INVOICE_FILE_MISSING, INVOICE_FILE_TOO_LARGE } from '../collection.errors.js';
import { PARSE_FAILURE_ERRORS } from '../parse-failures.js';
import { configureParsePool, getParsePool, PARSE_LIMITS, ParseRejected } from '../parse-pool.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Str = Nullable(Type.String());
const Party = Type.Object({ name: Str, taxId: Str });
const ParsedInvoiceReply = Type.Object({
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
});

/** `POST /api/v1/invoice-files/parse`: one file in, the fields read from it out; nothing is stored. */
export const invoiceFilesRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  configureParsePool({ ocr: deps.config.collectOcr });
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
        summary: '解析发票文件 (parse one PDF, OFD, XML or picture of an invoice; nothing is stored)',
        description:
          'multipart/form-data with one `file` part (≤ 20 MiB): PDF, OFD, XML, or a JPEG/PNG/WebP picture. The ' +
          'format is sniffed from the bytes. Answers the extracted fields, where each came from (xml, ofd, pdf-text, ' +
          'qr, ocr) with a confidence, and cross-check warnings.',
        consumes: ['multipart/form-data'],
        response: responses({ 200: ParsedInvoiceReply }, [400, 401, 413, 415, 422]),
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
      try {
        return await getParsePool().parse(bytes);
      } catch (err) {
        if (err instanceof ParseRejected) throw new AppError(PARSE_FAILURE_ERRORS[err.code], err.message);
        throw err;
      }
    },
  );
};
