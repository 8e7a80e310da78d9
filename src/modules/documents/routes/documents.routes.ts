import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import { getAuth } from '../../auth/index.js';
import { getScopedInvoiceOrThrow } from '../../invoicing/index.js';
import { createDownloadUrl } from '../create-download-link.js';
import { DOCUMENT_FORMATS } from '../document-formats.js';
import { DOCUMENT_NOT_AVAILABLE } from '../documents.errors.js';
import { isIssuedInvoice } from '../documents.repo.js';
import { getInvoiceDocument } from '../get-document.js';
import { FileReply, sendDocument } from './send-document.js';

const Format = Type.Union(DOCUMENT_FORMATS.map((f) => Type.Literal(f)));
const FileParams = Type.Object({ serialNo: Type.String({ minLength: 1, maxLength: 32 }), format: Format });
const LinksQuery = Type.Object({
  ttlSeconds: Type.Optional(
    Type.Integer({ minimum: 60, maximum: 366 * 86_400, description: '有效期（秒），默认 30 天' }),
  ),
});
const LinksReply = Type.Object({ pdf: Type.String(), ofd: Type.String(), xml: Type.String(), expiresAt: IsoTime });

/** Authenticated downloads of an issued invoice's files, and signed public links to them. */
export const documentsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['documents'], security: [{ bearerAuth: [] }] };

  // A clerk's request about another seller org's invoice: 403 ORG_NOT_ASSIGNED.
  const issuedInvoice = async (request: FastifyRequest, serialNo: string) => {
    const invoice = await getScopedInvoiceOrThrow(deps, request, serialNo);
    if (!isIssuedInvoice(invoice)) throw new AppError(DOCUMENT_NOT_AVAILABLE, undefined, { status: invoice.status });
    return invoice;
  };

  app.get(
    '/api/v1/invoices/:serialNo/files/:format',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '下载版式文件 (download the invoice PDF, OFD or XML)',
        params: FileParams,
        response: responses({ 200: FileReply }, [401, 404, 409]),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      const invoice = await issuedInvoice(request, request.params.serialNo);
      const file = await getInvoiceDocument(deps, { tenantId, invoiceId: invoice.id, format: request.params.format });
      if (!file) throw new AppError(DOCUMENT_NOT_AVAILABLE);
      return sendDocument(request, reply, file, 'private, max-age=31536000, immutable');
    },
  );

  app.get(
    '/api/v1/invoices/:serialNo/links',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '生成公开下载链接 (signed, expiring public links to the files)',
        params: Type.Object({ serialNo: Type.String({ minLength: 1, maxLength: 32 }) }),
        querystring: LinksQuery,
        response: responses({ 200: LinksReply }, [401, 404, 409]),
      },
    },
    async (request) => {
      const invoice = await issuedInvoice(request, request.params.serialNo);
      const link = (format: (typeof DOCUMENT_FORMATS)[number]) =>
        createDownloadUrl(deps, { invoiceId: invoice.id, format, ttlSeconds: request.query.ttlSeconds });
      const pdf = link('pdf');
      return { pdf: pdf.url, ofd: link('ofd').url, xml: link('xml').url, expiresAt: toIsoCst(pdf.expiresAt) };
    },
  );
};
