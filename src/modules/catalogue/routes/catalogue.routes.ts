import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { page, responses } from '../../../platform/http/schemas.js';
import { type TaxCodeTable, taxRatesForCode } from '../../../tax/index.js';
import { assertOrgAllowed, auditMetaOf, getAuth, orgScope } from '../../auth/index.js';
import { loadTaxCodeTable } from '../../invoicing/index.js';
import { listCatalogueItems } from '../catalogue.repo.js';
import {
  createCatalogueItem,
  deleteCatalogueItem,
  findCatalogueItemsOfSeller,
  getCatalogueItemOrThrow,
  importCatalogueCsv,
  updateCatalogueItem,
} from '../catalogue.service.js';
import type { CatalogueItem } from '../catalogue.tables.js';
import { catalogueCsv } from '../catalogue-csv.js';
import { ITEM_LIMITS, type ItemFields } from '../item-rules.js';

const SellerTaxId = Type.String({ minLength: 15, maxLength: 20, description: '销方税号' });
const fieldSchemas = {
  name: Type.String({ minLength: 1, maxLength: ITEM_LIMITS.name, description: '商品或服务名称（不带 *简称*）' }),
  spec: Type.String({ maxLength: ITEM_LIMITS.spec, description: '规格型号' }),
  unit: Type.String({ maxLength: ITEM_LIMITS.unit, description: '单位' }),
  taxCode: Type.String({ minLength: 1, maxLength: 19, description: '19 位税收分类编码（编码表中的非汇总项）' }),
  taxRate: Type.String({ minLength: 1, maxLength: 10, description: '税率，如 "0.06"；须为该编码可用的税率' }),
  unitPrice: Type.String({
    minLength: 1,
    maxLength: ITEM_LIMITS.unitPrice,
    description: '默认单价（元，最多 8 位小数）',
  }),
  taxInclusive: Type.Boolean({ description: '单价含税（默认 true）' }),
  enabled: Type.Boolean({ description: '启用（默认 true）' }),
};
const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const CreateItemBody = Type.Object(
  {
    sellerTaxId: SellerTaxId,
    name: fieldSchemas.name,
    spec: Type.Optional(fieldSchemas.spec),
    unit: Type.Optional(fieldSchemas.unit),
    taxCode: fieldSchemas.taxCode,
    taxRate: fieldSchemas.taxRate,
    unitPrice: Type.Optional(fieldSchemas.unitPrice),
    taxInclusive: Type.Optional(fieldSchemas.taxInclusive),
    enabled: Type.Optional(fieldSchemas.enabled),
  },
  { additionalProperties: false },
);

const PatchItemBody = Type.Object(
  {
    name: Type.Optional(fieldSchemas.name),
    spec: Type.Optional(nullable(fieldSchemas.spec)),
    unit: Type.Optional(nullable(fieldSchemas.unit)),
    taxCode: Type.Optional(fieldSchemas.taxCode),
    taxRate: Type.Optional(fieldSchemas.taxRate),
    unitPrice: Type.Optional(nullable(fieldSchemas.unitPrice)),
    taxInclusive: Type.Optional(fieldSchemas.taxInclusive),
    enabled: Type.Optional(fieldSchemas.enabled),
  },
  { additionalProperties: false },
);

export const CatalogueItemView = Type.Object({
  id: Type.String(),
  sellerTaxId: Type.String(),
  name: Type.String(),
  spec: Type.Union([Type.String(), Type.Null()]),
  unit: Type.Union([Type.String(), Type.Null()]),
  taxCode: Type.String(),
  /** 商品和服务分类简称 of the code (printed as *简称*), null if the code left the table. */
  shortName: Type.Union([Type.String(), Type.Null()]),
  taxRate: Type.String(),
  unitPrice: Type.Union([Type.String(), Type.Null()]),
  taxInclusive: Type.Boolean(),
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) });

const ListQuery = Type.Object({
  sellerTaxId: Type.Optional(SellerTaxId),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: '名称包含，或编码前缀' })),
  enabled: Type.Optional(Type.Boolean()),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

const ImportBody = Type.Object(
  {
    sellerTaxId: SellerTaxId,
    csv: Type.String({ minLength: 1, maxLength: 1_000_000, description: 'CSV 文本（UTF-8，首行为表头）' }),
    dryRun: Type.Optional(Type.Boolean({ description: '只检查不导入' })),
  },
  { additionalProperties: false },
);

const ImportReply = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  dryRun: Type.Boolean(),
});

const TaxCodeOption = Type.Object({
  code: Type.String(),
  name: Type.String(),
  shortName: Type.String(),
  defaultRate: Type.String(),
  allowedRates: Type.Array(Type.String()),
});

const toView = (item: CatalogueItem, taxCodes: TaxCodeTable) => ({
  id: item.id,
  sellerTaxId: item.seller_tax_id,
  name: item.name,
  spec: item.spec === '' ? null : item.spec,
  unit: item.unit,
  taxCode: item.tax_code,
  shortName: taxCodes.get(item.tax_code)?.shortName ?? null,
  taxRate: item.tax_rate,
  unitPrice: item.unit_price,
  taxInclusive: item.tax_inclusive === 1,
  enabled: item.enabled === 1,
  createdAt: toIsoCst(item.created_at),
  updatedAt: toIsoCst(item.updated_at),
});

/** Trimmed text; '' (and null) as absent. */
const opt = (value: string | null | undefined) => {
  const text = value?.trim();
  return text ? text : undefined;
};

/** 商品档案: a seller org's products and services, with their tax code, rate and default price. */
export const catalogueRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['catalogue'], security: [{ bearerAuth: [] }] };
  const taxCodes = () => loadTaxCodeTable(deps.db.kysely);
  /** The item of the caller's tenant (404 otherwise); a clerk's only for their seller orgs (403 ORG_NOT_ASSIGNED). */
  const ownItem = async (request: FastifyRequest, id: string) => {
    const item = await getCatalogueItemOrThrow(deps, getAuth(request).tenantId, id);
    assertOrgAllowed(request, item.seller_tax_id);
    return item;
  };

  app.post(
    '/api/v1/catalogue/items',
    {
      config: { permission: 'invoices.issue' },
      schema: {
        ...common,
        summary: '新增商品 (add an item to a seller org’s catalogue)',
        body: CreateItemBody,
        response: responses({ 201: CatalogueItemView }, [400, 401, 403, 409, 422]),
      },
    },
    async (request, reply) => {
      const { sellerTaxId, ...body } = request.body;
      const seller = sellerTaxId.toUpperCase();
      assertOrgAllowed(request, seller);
      const fields: ItemFields = {
        name: body.name.trim(),
        spec: opt(body.spec),
        unit: opt(body.unit),
        taxCode: body.taxCode.trim(),
        taxRate: body.taxRate.trim(),
        unitPrice: opt(body.unitPrice),
        taxInclusive: body.taxInclusive ?? true,
        enabled: body.enabled ?? true,
      };
      const item = await createCatalogueItem(deps, getAuth(request).tenantId, seller, fields, auditMetaOf(request));
      return reply.status(201).send(toView(item, await taxCodes()));
    },
  );

  app.get(
    '/api/v1/catalogue/items',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '商品列表 (newest first; search by name or tax-code prefix)',
        querystring: ListQuery,
        response: responses({ 200: page(CatalogueItemView) }, [400, 401, 403]),
      },
    },
    async (request) => {
      const { sellerTaxId, cursor, limit, ...filters } = request.query;
      const seller = sellerTaxId?.toUpperCase();
      if (seller) assertOrgAllowed(request, seller);
      const scope = orgScope(request);
      const result = await listCatalogueItems(
        deps.db.kysely,
        getAuth(request).tenantId,
        {
          ...filters,
          ...(filters.q ? { q: filters.q.trim() } : {}),
          ...(seller ? { sellerTaxId: seller } : {}),
          ...(scope ? { sellerTaxIds: scope } : {}),
        },
        { limit: limit ?? 50, ...(cursor ? { cursor } : {}) },
      );
      const table = await taxCodes();
      return { items: result.items.map((i) => toView(i, table)), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/api/v1/catalogue/items/export.csv',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '导出商品档案 CSV (one seller org; the import reads it back)',
        querystring: Type.Object({ sellerTaxId: SellerTaxId }),
        produces: ['text/csv'],
        response: responses({ 200: Type.String() }, [400, 401, 403]),
      },
    },
    async (request, reply) => {
      const seller = request.query.sellerTaxId.toUpperCase();
      assertOrgAllowed(request, seller);
      const items = await findCatalogueItemsOfSeller(deps.db.kysely, getAuth(request).tenantId, seller);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="catalogue-${seller}.csv"`)
        .send(catalogueCsv(items));
    },
  );

  app.post(
    '/api/v1/catalogue/items/import',
    {
      config: { permission: 'invoices.issue' },
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        ...common,
        summary: '导入商品档案 CSV (all-or-nothing; 422 lists every invalid row)',
        description:
          '每一行都按开票规则检查；任何一行有错则不导入任何商品，返回 CATALOGUE_IMPORT_INVALID，details.rows 逐行列出错误。名称与规格型号相同的商品被更新，其余新增。',
        body: ImportBody,
        response: responses({ 200: ImportReply }, [400, 401, 403, 409, 422]),
      },
    },
    async (request) => {
      const seller = request.body.sellerTaxId.toUpperCase();
      assertOrgAllowed(request, seller);
      return importCatalogueCsv(deps, getAuth(request).tenantId, seller, request.body.csv, {
        dryRun: request.body.dryRun ?? false,
        meta: auditMetaOf(request),
      });
    },
  );

  app.get(
    '/api/v1/catalogue/items/:id',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '查询商品',
        params: IdParams,
        response: responses({ 200: CatalogueItemView }, [400, 401, 403, 404]),
      },
    },
    async (request) => toView(await ownItem(request, request.params.id), await taxCodes()),
  );

  app.patch(
    '/api/v1/catalogue/items/:id',
    {
      config: { permission: 'invoices.issue' },
      schema: {
        ...common,
        summary: '修改商品 (null clears spec, unit or unitPrice)',
        params: IdParams,
        body: PatchItemBody,
        response: responses({ 200: CatalogueItemView }, [400, 401, 403, 404, 409, 422]),
      },
    },
    async (request) => {
      const before = await ownItem(request, request.params.id);
      const body = request.body;
      const patch: Partial<ItemFields> = {};
      if (body.name !== undefined) patch.name = body.name.trim();
      if (body.spec !== undefined) patch.spec = opt(body.spec);
      if (body.unit !== undefined) patch.unit = opt(body.unit);
      if (body.taxCode !== undefined) patch.taxCode = body.taxCode.trim();
      if (body.taxRate !== undefined) patch.taxRate = body.taxRate.trim();
      if (body.unitPrice !== undefined) patch.unitPrice = opt(body.unitPrice);
      if (body.taxInclusive !== undefined) patch.taxInclusive = body.taxInclusive;
      if (body.enabled !== undefined) patch.enabled = body.enabled;
      const after = await updateCatalogueItem(deps, before, patch, auditMetaOf(request));
      return toView(after, await taxCodes());
    },
  );

  app.delete(
    '/api/v1/catalogue/items/:id',
    {
      config: { permission: 'invoices.issue' },
      schema: {
        ...common,
        summary: '删除商品',
        params: IdParams,
        response: responses({ 204: Type.Null() }, [400, 401, 403, 404]),
      },
    },
    async (request, reply) => {
      await deleteCatalogueItem(deps, await ownItem(request, request.params.id), auditMetaOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/catalogue/tax-codes',
    {
      config: { permission: 'invoices.read' },
      schema: {
        ...common,
        summary: '税收分类编码选择 (search by code prefix or name; with the rates each code allows)',
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 40, description: '编码前缀，或名称/简称包含的文字' }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
        }),
        response: responses({ 200: Type.Object({ items: Type.Array(TaxCodeOption) }) }, [400, 401]),
      },
    },
    async (request) => {
      const { q, limit = 20 } = request.query;
      const needle = q.trim();
      const byCode = /^\d+$/.test(needle);
      const items = [];
      for (const e of (await taxCodes()).values()) {
        if (e.isSummary) continue;
        const hit = byCode ? e.code.startsWith(needle) : e.name.includes(needle) || e.shortName.includes(needle);
        if (!hit) continue;
        const { code, name, shortName, defaultRate } = e;
        items.push({ code, name, shortName, defaultRate, allowedRates: [...taxRatesForCode(e)] });
        if (items.length >= limit) break;
      }
      return { items };
    },
  );
};
