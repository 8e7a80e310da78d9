import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { responses } from '../../../platform/http/schemas.js';
import { getAuth } from '../../auth/index.js';
import { RECEIVED_INVOICE_NOT_FOUND } from '../collection.errors.js';
import { findReceivedInvoice } from '../received.repo.js';
import { toReceivedInvoiceViews } from '../received-view.js';
import { IdParams, ReceivedInvoiceView } from '../routes/received.schemas.js';
import { requestVerification } from './verify-received.js';

/** `POST /api/v1/received-invoices/{id}/verify`: verify again on demand (202; a job asks the channel). */
export const receivedVerificationRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const db = deps.db.kysely;
  app.post(
    '/api/v1/received-invoices/:id/verify',
    {
      config: { permission: 'received.manage' },
      schema: {
        tags: ['collection'],
        security: [{ bearerAuth: [] }],
        summary: '重新查验 (verify a received invoice again)',
        description:
          'Queues a 查验 of the item (the provider’s rate and daily quota apply: over them it waits, never dropped). ' +
          'Answers 202 with the item as it is now; the result arrives as `verification.status`/`history` and the ' +
          '`received.verified` (and, when the status changed, `received.changed`) events.',
        params: IdParams,
        response: responses({ 202: ReceivedInvoiceView }),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      const item = await findReceivedInvoice(db, tenantId, request.params.id);
      if (!item) throw new AppError(RECEIVED_INVOICE_NOT_FOUND);
      await requestVerification(deps, item);
      const [view] = await toReceivedInvoiceViews(db, tenantId, [item]);
      return reply.status(202).send(view!);
    },
  );
};
