import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { responses } from '../../../platform/http/schemas.js';
import { findInvoiceById } from '../../invoicing/index.js';
import { DOCUMENT_LINK_INVALID } from '../documents.errors.js';
import { documentsContext } from '../documents-context.js';
import { verifyDownloadToken } from '../download-links.js';
import { getInvoiceDocument } from '../get-document.js';
import { FileReply, sendDocument } from './send-document.js';

/** Longest browser/proxy cache lifetime of a public download: one day, never past the link's expiry. */
const PUBLIC_MAX_AGE_S = 86_400;

/** `GET /d/{token}`: the unauthenticated, signed and expiring download link that e-mails and consumers use. */
export const publicDocumentsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/d/:token',
    {
      schema: {
        tags: ['documents'],
        summary: '公开下载链接 (signed public download link)',
        params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: responses({ 200: FileReply }, [404, 410]),
      },
    },
    async (request, reply) => {
      const link = verifyDownloadToken(documentsContext(deps).signingKey, request.params.token, deps.clock.now());
      const invoice = await findInvoiceById(deps.db.kysely, link.invoiceId);
      const file = invoice
        ? await getInvoiceDocument(deps, { tenantId: invoice.tenant_id, invoiceId: invoice.id, format: link.format })
        : null;
      if (!file) throw new AppError(DOCUMENT_LINK_INVALID);
      const maxAge = Math.max(0, Math.min(PUBLIC_MAX_AGE_S, Math.floor((link.expiresAtMs - deps.clock.now()) / 1000)));
      return sendDocument(request, reply, file, `private, max-age=${maxAge}`);
    },
  );
};
