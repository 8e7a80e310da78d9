import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import { auditSnapshot, withAudit } from '../../audit/index.js';
import { auditMetaOf, getAuth } from '../../auth/index.js';
import {
  bindOrgChannel,
  findOrgChannelBinding,
  listOrgChannelBindings,
  unbindOrgChannel,
} from '../channel-binding.service.js';
import { createOrg, getOrg, listOrgs, updateOrg } from '../orgs.service.js';
import type { Org, OrgChannelBinding } from '../orgs.tables.js';

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
  channelBinding: Type.Object(
    {
      status: Type.Union([Type.Literal('bound'), Type.Literal('unbound')], {
        description: 'bound: 开票通道账户已绑定，可以开票；unbound: 未绑定，开票会被拒绝 (SELLER_NOT_BOUND)',
      }),
      boundAt: Type.Union([IsoTime, Type.Null()]),
    },
    { description: '开票通道账户绑定' },
  ),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export const ChannelBindingBody = Type.Object(
  {
    credential: Type.String({
      minLength: 1,
      maxLength: 500,
      description: '开票通道账户凭据（沙箱：运维人员用 `openfapiao sandbox credential` 为该税号签发）',
    }),
  },
  { additionalProperties: false },
);

export function toOrgView(org: Org, binding: OrgChannelBinding | null | undefined = null) {
  return {
    taxId: org.tax_id,
    name: org.name,
    address: org.address,
    phone: org.phone,
    bankName: org.bank_name,
    bankAccount: org.bank_account,
    regionCode: org.region_code,
    channelBinding: binding
      ? { status: 'bound' as const, boundAt: toIsoCst(binding.bound_at) }
      : { status: 'unbound' as const, boundAt: null },
    createdAt: toIsoCst(org.created_at),
    updatedAt: toIsoCst(org.updated_at),
  };
}

const TaxIdParams = Type.Object({ taxId: Type.String({ maxLength: 20 }) });

/** Seller organisations (销方) of the caller's tenant. */
export const orgsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const ctx = { db: deps.db.kysely, clock: deps.clock, jobs: deps.jobs };
  const common = { tags: ['orgs'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/v1/orgs',
    {
      config: { permission: 'orgs.read' },
      schema: {
        ...common,
        summary: '销方企业列表',
        response: responses({ 200: Type.Object({ items: Type.Array(OrgView) }) }),
      },
    },
    async (request) => {
      const tenantId = getAuth(request).tenantId;
      const [orgs, bindings] = await Promise.all([listOrgs(ctx, tenantId), listOrgChannelBindings(ctx.db, tenantId)]);
      return { items: orgs.map((org) => toOrgView(org, bindings.get(org.tax_id))) };
    },
  );

  app.post(
    '/api/v1/orgs',
    {
      config: { permission: 'orgs.manage' },
      schema: {
        ...common,
        summary: '新增销方企业',
        body: CreateOrgBody,
        response: responses({ 201: OrgView }, [400, 401, 409, 422]),
      },
    },
    async (request, reply) => {
      const org = await withAudit(
        ctx,
        auditMetaOf(request),
        (c) => createOrg(c, getAuth(request).tenantId, request.body),
        (created) => ({
          action: 'orgs.create',
          target: { type: 'org', id: created.tax_id },
          after: auditSnapshot(created),
        }),
      );
      return reply.status(201).send(toOrgView(org));
    },
  );

  app.get(
    '/api/v1/orgs/:taxId',
    {
      config: { permission: 'orgs.read' },
      schema: { ...common, summary: '查询销方企业', params: TaxIdParams, response: responses({ 200: OrgView }) },
    },
    async (request) => withBinding(await getOrg(ctx, getAuth(request).tenantId, request.params.taxId)),
  );

  app.patch(
    '/api/v1/orgs/:taxId',
    {
      config: { permission: 'orgs.manage' },
      schema: {
        ...common,
        summary: '修改销方企业',
        params: TaxIdParams,
        body: PatchOrgBody,
        response: responses({ 200: OrgView }),
      },
    },
    async (request) => {
      const tenantId = getAuth(request).tenantId;
      const { after } = await withAudit(
        ctx,
        auditMetaOf(request),
        async (c) => ({
          before: await getOrg(c, tenantId, request.params.taxId),
          after: await updateOrg(c, tenantId, request.params.taxId, request.body),
        }),
        (org) => ({
          action: 'orgs.update',
          target: { type: 'org', id: org.after.tax_id },
          before: auditSnapshot(org.before),
          after: auditSnapshot(org.after),
        }),
      );
      return withBinding(after);
    },
  );

  app.post(
    '/api/v1/orgs/:taxId/channel-binding',
    {
      config: { permission: 'orgs.manage' },
      schema: {
        ...common,
        summary: '绑定销方的开票通道账户',
        description:
          '出示税局（沙箱）为该税号签发的凭据，绑定后本租户才能以该销方开票。一个税号同一时间只能绑定在一个租户；其他租户已绑定时返回 409 ORG_BOUND_ELSEWHERE。',
        params: TaxIdParams,
        body: ChannelBindingBody,
        response: responses({ 200: OrgView }, [400, 401, 403, 404, 409, 503]),
      },
    },
    async (request) => {
      const { org, binding } = await bindOrgChannel(
        { ...ctx, channel: deps.channel },
        getAuth(request).tenantId,
        request.params.taxId,
        request.body.credential,
        auditMetaOf(request),
      );
      return toOrgView(org, binding);
    },
  );

  app.delete(
    '/api/v1/orgs/:taxId/channel-binding',
    {
      config: { permission: 'orgs.manage' },
      schema: {
        ...common,
        summary: '解除销方的开票通道账户绑定',
        description: '解除后本租户不能再以该销方开票（已排队的开票任务在开具时失败），其他租户可凭凭据绑定该税号。',
        params: TaxIdParams,
        response: responses({ 200: OrgView }),
      },
    },
    async (request) => {
      const org = await withAudit(
        ctx,
        auditMetaOf(request),
        (c) => unbindOrgChannel(c, getAuth(request).tenantId, request.params.taxId),
        (o) => ({ action: 'orgs.channel_unbind', target: { type: 'org', id: o.tax_id } }),
      );
      return toOrgView(org, null);
    },
  );

  async function withBinding(org: Org) {
    return toOrgView(org, await findOrgChannelBinding(ctx.db, org.tenant_id, org.tax_id));
  }
};
