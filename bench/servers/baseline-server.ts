/**
 * The baseline: a bare Fastify 5 instance with the same body validation as the app (the same TypeBox `TokenBody`
 * object, compiled by the same Ajv setup) and the same response schemas (same serializer), but no auth, no DB, no
 * hooks, no logging, no rate limit. Prints `{"ready":true,"port":…}` when listening on 127.0.0.1.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { MeReply, TokenBody, TokenReply } from '../../src/modules/auth/routes/auth.routes.js';
import { AcceptedReply, CreateInvoiceBody } from '../../src/modules/invoicing/routes/invoice.schemas.js';
import { installValidators } from '../../src/platform/http/validators.js';
import { announce, exitWithParent } from './server-lifecycle.js';

const TOKEN = { accessToken: `oft_${'0'.repeat(43)}`, tokenType: 'Bearer' as const, expiresIn: 7200 };
const ME = {
  tenantId: 'tnt_0000000000000000000000000000',
  tenantName: 'Bench tenant',
  appId: `ofa_${'0'.repeat(17)}`,
  tokenExpiresAt: '2030-01-01T08:00:00.000+08:00',
};

const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
installValidators(app);
app.post('/token', { schema: { body: TokenBody, response: { 200: TokenReply } } }, async () => TOKEN);
app.get('/me', { schema: { response: { 200: MeReply } } }, async () => ME);
app.post(
  '/invoices',
  { schema: { body: CreateInvoiceBody, response: { 202: AcceptedReply } } },
  async (request, reply) =>
    reply.status(202).send({ serialNo: request.body.serialNo, status: 'pending' as const } as never),
);

exitWithParent(() => app.close());
const port = Number(process.env.PORT ?? 0);
await app.listen({ host: '127.0.0.1', port });
const address = app.server.address();
announce({ port: typeof address === 'object' && address ? address.port : port });
