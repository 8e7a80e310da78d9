import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toIsoCst } from '../../../platform/clock.js';
import type { Deps } from '../../../platform/deps.js';
import { responses } from '../../../platform/http/schemas.js';
import { getAuth } from '../../auth/index.js';
import type { SandboxChannel } from '../sandbox/create-sandbox-channel.js';
import { chinaDateParts, chinaMonthStart } from '../sandbox/numbering.js';
import {
  LedgerPage,
  LedgerQuery,
  PutQuotaBody,
  PutSettingsBody,
  QuotaQuery,
  QuotaView,
  SettingsView,
  TaxIdParams,
} from './sandbox.schemas.js';

/** Options of {@link sandboxRoutes}. */
export interface SandboxRoutesOptions {
  deps: Deps;
  sandbox: SandboxChannel;
  /**
   * The tenant's seller org with this tax id, or its 404 (orgs' `getOrg`, passed in by the wiring: channels sit below
   * orgs, which bind channel accounts through them, so channels do not import orgs).
   */
  getOrg: (tenantId: string, taxId: string) => Promise<{ tax_id: string }>;
}

/**
 * Admin API of the simulated tax platform: seller quotas, simulation settings, and the ledger it holds. Register
 * inside the authenticated context; every call is scoped to the caller's tenant.
 */
export const sandboxRoutes: FastifyPluginAsyncTypebox<SandboxRoutesOptions> = async (
  app,
  { deps, sandbox, getOrg },
) => {
  const common = { tags: ['sandbox'], security: [{ bearerAuth: [] }] };
  const scopeOf = (request: Parameters<typeof getAuth>[0]) => ({ tenantId: getAuth(request).tenantId });
  const monthOrNow = (month: string | undefined) => month ?? chinaDateParts(deps.clock.now()).month;

  app.get(
    '/api/v1/sandbox/quotas/:taxId',
    {
      config: { permission: 'system.read' },
      schema: {
        ...common,
        summary: '查询销方本月授信额度（沙箱）',
        params: TaxIdParams,
        querystring: QuotaQuery,
        response: responses({ 200: QuotaView }),
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const org = await getOrg(scope.tenantId, request.params.taxId);
      return sandbox.getQuota(scope, org.tax_id, chinaMonthStart(monthOrNow(request.query.month)));
    },
  );

  app.put(
    '/api/v1/sandbox/quotas/:taxId',
    {
      config: { permission: 'system.manage' },
      schema: {
        ...common,
        summary: '设置销方月度授信额度（沙箱）',
        params: TaxIdParams,
        body: PutQuotaBody,
        response: responses({ 200: QuotaView }),
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const org = await getOrg(scope.tenantId, request.params.taxId);
      return sandbox.setQuota(scope, org.tax_id, monthOrNow(request.body.month), request.body.total);
    },
  );

  app.get(
    '/api/v1/sandbox/settings',
    {
      config: { permission: 'system.read' },
      schema: { ...common, summary: '沙箱设置', response: responses({ 200: SettingsView }, [401]) },
    },
    async (request) => sandbox.getSettings(scopeOf(request)),
  );

  app.put(
    '/api/v1/sandbox/settings',
    {
      config: { permission: 'system.manage' },
      schema: {
        ...common,
        summary: '修改沙箱设置（延迟、故障注入、红字确认单购方、额度）',
        description: '只修改给出的字段；给出 rules 时整体替换规则并重置其 times 计数。',
        body: PutSettingsBody,
        response: responses({ 200: SettingsView }, [400, 401, 422]),
      },
    },
    async (request) => sandbox.updateSettings(scopeOf(request), request.body),
  );

  app.get(
    '/api/v1/sandbox/ledger',
    {
      config: { permission: 'system.read' },
      schema: {
        ...common,
        summary: '模拟税局已开具的发票（沙箱台账）',
        querystring: LedgerQuery,
        response: responses({ 200: LedgerPage }, [400, 401]),
      },
    },
    async (request) => {
      const result = await sandbox.listLedger(scopeOf(request), request.query);
      return { ...result, items: result.items.map((e) => ({ ...e, issuedAt: toIsoCst(e.issuedAt) })) };
    },
  );
};
