import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { responses } from '../../../platform/http/schemas.js';
import { getAuth } from '../../auth/index.js';
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
      const { setting, secret } = await createSetting(deps, tenantId, { ...rest, preset: (preset ?? null) as Preset });
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
      const items = await listSettings(deps, getAuth(request).tenantId);
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
    async (request) =>
      toSettingView(deps, await getSettingOrThrow(deps, getAuth(request).tenantId, request.params.key)),
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
      return toSettingView(deps, await updateSetting(deps, getAuth(request).tenantId, request.params.key, patch));
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
      const { setting, secret } = await rotateSettingSecret(deps, getAuth(request).tenantId, request.params.key);
      return { ...toSettingView(deps, setting), secret };
    },
  );
};
