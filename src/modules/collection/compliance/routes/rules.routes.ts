import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../../../../platform/deps.js';
import { AppError } from '../../../../platform/errors/app-error.js';
import { IsoTime, responses } from '../../../../platform/http/schemas.js';
import { type ComplianceRules, parseDecimal } from '../../../../tax/index.js';
import { auditMetaOf, getAuth } from '../../../auth/index.js';
import { RECEIVED_RULES_INVALID } from '../compliance.errors.js';
import { getReceivedRules, saveReceivedRules } from '../rules.service.js';
import { ComplianceRulesSchema } from '../rules-schema.js';

const BuyerOrgId = Type.String({ minLength: 1, maxLength: 64, description: '购买方企业 id（orgs 的 id）' });

const RulesView = Type.Object({
  buyerOrgId: Type.Union([BuyerOrgId, Type.Null()], { description: 'null：租户默认规则' }),
  source: Type.Union([Type.Literal('org'), Type.Literal('tenant'), Type.Literal('default')], {
    description: 'org：该企业自己的规则；tenant：沿用租户默认；default：系统默认',
  }),
  rules: ComplianceRulesSchema,
  updatedAt: Type.Union([IsoTime, Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
  buyerOrgs: Type.Array(
    Type.Object({ id: Type.String(), taxId: Type.String(), name: Type.String(), ownRules: Type.Boolean() }),
  ),
});

const PutBody = Type.Object(
  {
    buyerOrgId: Type.Optional(Type.Union([BuyerOrgId, Type.Null()], { description: '省略或 null：租户默认规则' })),
    rules: Type.Union([ComplianceRulesSchema, Type.Null()], {
      description: '全部规则；null（仅限企业）：删除该企业自己的规则，沿用租户默认',
    }),
  },
  { additionalProperties: false },
);

/** 合规规则 of received invoices, per buyer org (docs/collection.md#compliance). */
export const receivedRulesRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['collection'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/v1/received-rules',
    {
      config: { permission: 'received.read' },
      schema: {
        ...common,
        summary: '查询合规规则（按购买方企业；省略 buyerOrgId 为租户默认）',
        querystring: Type.Object({ buyerOrgId: Type.Optional(BuyerOrgId) }),
        response: responses({ 200: RulesView }, [400, 401, 404]),
      },
    },
    async (request) => getReceivedRules(deps, getAuth(request).tenantId, request.query.buyerOrgId ?? null),
  );

  app.put(
    '/api/v1/received-rules',
    {
      config: { permission: 'received.manage' },
      schema: {
        ...common,
        summary: '保存合规规则；已收发票的合规结果随后重新计算',
        body: PutBody,
        response: responses({ 200: RulesView }, [400, 401, 404, 422]),
      },
    },
    async (request) => {
      const { rules } = request.body;
      const buyerOrgId = request.body.buyerOrgId ?? null;
      if (rules === null && buyerOrgId === null) {
        throw new AppError(RECEIVED_RULES_INVALID, '租户默认规则不能删除：请提交完整的规则');
      }
      if (rules && parseDecimal(rules.maxAmount.params.amount)?.lte(0)) {
        throw new AppError(RECEIVED_RULES_INVALID, '金额上限须大于 0', { rule: 'maxAmount' });
      }
      const normalized =
        rules &&
        ({
          ...rules,
          sellerBlocklist: {
            ...rules.sellerBlocklist,
            params: { taxIds: [...new Set(rules.sellerBlocklist.params.taxIds.map((t) => t.toUpperCase()))] },
          },
          kind: { ...rules.kind, params: { accepted: [...new Set(rules.kind.params.accepted)] } },
        } as ComplianceRules);
      return saveReceivedRules(deps, auditMetaOf(request), {
        tenantId: getAuth(request).tenantId,
        buyerOrgId,
        rules: normalized,
      });
    },
  );
};
