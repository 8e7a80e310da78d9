import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import { getAuth } from '../../auth/index.js';
import { createOrg, getOrg, listOrgs, updateOrg } from '../orgs.service.js';
import type { Org } from '../orgs.tables.js';

const nullableText = (maxLength: number, description: string) =>
  Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()], { description }));

const OrgFieldsSchema = {
  name: Type.String({ minLength: 1, maxLength: 100, description: '销方名称' }),
  address: nullableText(100, '地址'),
  phone: nullableText(40, '电话'),
  bankName: nullableText(100, '开户行'),
  bankAccount: nullableText(50, '银行账号'),
  regionCode: Type.Optional(
    Type.Union([Type.String({ maxLength: 6, pattern: '^\\d{6}$' }), Type.Null()], { description: '6位行政区划码' }),
  ),
};

export const CreateOrgBody = Type.Object(
  {
    taxId: Type.String({ maxLength: 20, pattern: '^[0-9A-Za-z]{15,20}$', description: '纳税人识别号 (USCC)' }),
    ...OrgFieldsSchema,
  },
  { additionalProperties: false },
);

export const PatchOrgBody = Type.Object(
  { ...OrgFieldsSchema, name: Type.Optional(OrgFieldsSchema.name) },
  { additionalProperties: false, minProperties: 1 },
);

export const OrgView = Type.Object({
  taxId: Type.String(),
  name: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  bankName: Type.Union([Type.String(), Type.Null()]),
  bankAccount: Type.Union([Type.String(), Type.Null()]),
  regionCode: Type.Union([Type.String(), Type.Null()]),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export function toOrgView(org: Org) {
  return {
    taxId: org.tax_id,
    name: org.name,
    address: org.address,
    phone: org.phone,
    bankName: org.bank_name,
    bankAccount: org.bank_account,
    regionCode: org.region_code,
    createdAt: toIsoCst(org.created_at),
    updatedAt: toIsoCst(org.updated_at),
  };
}

const TaxIdParams = Type.Object({ taxId: Type.String({ maxLength: 20 }) });

/** Seller organisations (销方) of the caller's tenant. */
export const orgsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const ctx = { db: deps.db.kysely, clock: deps.clock };
  const common = { tags: ['orgs'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/v1/orgs',
    {
      schema: {
        ...common,
        summary: '销方企业列表',
        response: responses({ 200: Type.Object({ items: Type.Array(OrgView) }) }),
      },
    },
    async (request) => ({ items: (await listOrgs(ctx, getAuth(request).tenantId)).map(toOrgView) }),
  );

  app.post(
    '/api/v1/orgs',
    {
      schema: {
        ...common,
        summary: '新增销方企业',
        body: CreateOrgBody,
        response: responses({ 201: OrgView }, [400, 401, 409, 422]),
      },
    },
    async (request, reply) =>
      reply.status(201).send(toOrgView(await createOrg(ctx, getAuth(request).tenantId, request.body))),
  );

  app.get(
    '/api/v1/orgs/:taxId',
    { schema: { ...common, summary: '查询销方企业', params: TaxIdParams, response: responses({ 200: OrgView }) } },
    async (request) => toOrgView(await getOrg(ctx, getAuth(request).tenantId, request.params.taxId)),
  );

  app.patch(
    '/api/v1/orgs/:taxId',
    {
      schema: {
        ...common,
        summary: '修改销方企业',
        params: TaxIdParams,
        body: PatchOrgBody,
        response: responses({ 200: OrgView }),
      },
    },
    async (request) => toOrgView(await updateOrg(ctx, getAuth(request).tenantId, request.params.taxId, request.body)),
  );
};
