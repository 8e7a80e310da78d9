import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { responses } from '../../../platform/http/schemas.js';
import { loadTaxCodeTable } from '../tax-code-table.js';

const TaxCodeItem = Type.Object({
  code: Type.String(),
  name: Type.String(),
  shortName: Type.String(),
  defaultRate: Type.String(),
  isSummary: Type.Boolean(),
});

/** 税收分类编码检索 (the manual issue form's tax-code search): the built-in table plus imported codes. */
export const taxCodeSearchRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/api/v1/tax-codes',
    {
      config: { permission: 'invoices.read' },
      schema: {
        tags: ['tax-codes'],
        security: [{ bearerAuth: [] }],
        summary: '检索税收分类编码 (search by code prefix, name or 简称)',
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 40, description: '编码前缀，或名称/简称包含的文字' }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
          includeSummary: Type.Optional(Type.Boolean({ description: '包含汇总项（不能开票）' })),
        }),
        response: responses({ 200: Type.Object({ items: Type.Array(TaxCodeItem) }) }, [400, 401]),
      },
    },
    async (request) => {
      const { q, limit = 20, includeSummary = false } = request.query;
      const needle = q.trim();
      const byCode = /^\d+$/.test(needle);
      const items = [];
      for (const e of (await loadTaxCodeTable(deps.db.kysely)).values()) {
        if (e.isSummary && !includeSummary) continue;
        const hit = byCode ? e.code.startsWith(needle) : e.name.includes(needle) || e.shortName.includes(needle);
        if (!hit) continue;
        items.push({ ...e, isSummary: e.isSummary === true });
        if (items.length >= limit) break;
      }
      return {
        items: items.map(({ code, name, shortName, defaultRate, isSummary }) => ({
          code,
          name,
          shortName,
          defaultRate,
          isSummary,
        })),
      };
    },
  );
};
