import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { responses } from '../../../platform/http/schemas.js';
import { auditSnapshot, REDACTED, withAuditDeps } from '../../audit/index.js';
import { assertOrgAllowed, auditMetaOf, getAuth, orgScope } from '../../auth/index.js';
import type { Preset } from '../preset.js';
import { toSettingView } from '../setting-view.js';
import {
  createSetting,
  getSettingOrThrow,
  listSettings,
  rotateSettingSecret,
  updateSetting,
} from '../settings.service.js';
import { CreateSettingBody, KeyParams, PatchSettingBody, SettingView, SettingWithSecret } from './scan.schemas.js';

/** 动态二维码设置: one key per seller org and scan type; the key's secret signs merchant-assembled links. */
export const scanSettingsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['scan'], security: [{ bearerAuth: [] }] };
  // A clerk's request about another seller org's setting: 403 ORG_NOT_ASSIGNED.
  const scopedSetting = async (request: FastifyRequest, key: string) => {
    const setting = await getSettingOrThrow(deps, getAuth(request).tenantId, key);
    assertOrgAllowed(request, setting.seller_tax_id);
    return setting;
  };

  app.post(
    '/api/v1/scan/settings',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '新建动态二维码设置 (create a QR setting; the secret is shown once)',
        body: CreateSettingBody,
        response: responses({ 201: SettingWithSecret }, [400, 401, 422]),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      const { preset, ...rest } = request.body;
      assertOrgAllowed(request, rest.sellerTaxId.toUpperCase());
      const { setting, secret } = await withAuditDeps(
        deps,
        auditMetaOf(request),
        (d) => createSetting(d, tenantId, { ...rest, preset: (preset ?? null) as Preset }),
        (r) => ({
          action: 'scan.settings.create',
          target: { type: 'scan_setting', id: r.setting.key },
          after: auditSnapshot(r.setting),
        }),
      );
      return reply.status(201).send({ ...toSettingView(deps, setting), secret });
    },
  );

  app.get(
    '/api/v1/scan/settings',
    {
      config: { permission: 'scan.read' },
      schema: {
        ...common,
        summary: '动态二维码设置列表',
        response: responses({ 200: Type.Object({ items: Type.Array(SettingView) }) }),
      },
    },
    async (request) => {
      const scope = orgScope(request);
      const items = (await listSettings(deps, getAuth(request).tenantId)).filter(
        (s) => scope === null || scope.includes(s.seller_tax_id),
      );
      return { items: items.map((s) => toSettingView(deps, s)) };
    },
  );

  app.get(
    '/api/v1/scan/settings/:key',
    {
      config: { permission: 'scan.read' },
      schema: {
        ...common,
        summary: '查询动态二维码设置',
        params: KeyParams,
        response: responses({ 200: SettingView }),
      },
    },
    async (request) => toSettingView(deps, await scopedSetting(request, request.params.key)),
  );

  app.patch(
    '/api/v1/scan/settings/:key',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '修改动态二维码设置 (enabled=false 停用)',
        params: KeyParams,
        body: PatchSettingBody,
        response: responses({ 200: SettingView }, [400, 401, 404, 422]),
      },
    },
    async (request) => {
      const { preset, ...rest } = request.body;
      const patch = { ...rest, ...(preset === undefined ? {} : { preset: preset as Preset | null }) };
      const tenantId = getAuth(request).tenantId;
      await scopedSetting(request, request.params.key);
      const { after } = await withAuditDeps(
        deps,
        auditMetaOf(request),
        async (d) => ({
          before: await getSettingOrThrow(d, tenantId, request.params.key),
          after: await updateSetting(d, tenantId, request.params.key, patch),
        }),
        (r) => ({
          action: 'scan.settings.update',
          target: { type: 'scan_setting', id: r.after.key },
          before: auditSnapshot(r.before),
          after: auditSnapshot(r.after),
        }),
      );
      return toSettingView(deps, after);
    },
  );

  app.post(
    '/api/v1/scan/settings/:key/rotate-secret',
    {
      config: { permission: 'scan.manage' },
      schema: {
        ...common,
        summary: '轮换签名密钥 (old merchant-signed links stop working)',
        params: KeyParams,
        response: responses({ 200: SettingWithSecret }),
      },
    },
    async (request) => {
      await scopedSetting(request, request.params.key);
      const { setting, secret } = await withAuditDeps(
        deps,
        auditMetaOf(request),
        (d) => rotateSettingSecret(d, getAuth(request).tenantId, request.params.key),
        (r) => ({
          action: 'scan.settings.rotate_secret',
          target: { type: 'scan_setting', id: r.setting.key },
          diff: { secret: { from: REDACTED, to: REDACTED } },
        }),
      );
      return { ...toSettingView(deps, setting), secret };
    },
  );
};
