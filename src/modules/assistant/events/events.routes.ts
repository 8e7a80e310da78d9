import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { IsoTime, responses } from '../../../platform/http/schemas.js';
import { getAuth } from '../../auth/index.js';
import { PUSH_TYPES } from '../assistant.tables.js';
import { createEvent } from './create-event.js';

const text = (maxLength: number, description: string) => Type.Optional(Type.String({ maxLength, description }));

/** Body of POST /api/v1/assistant/events (docs/assistant.md#event-codes). */
export const CreateEventBody = Type.Object(
  {
    billId: Type.String({ maxLength: 50, pattern: '^[A-Za-z0-9_-]{1,50}$', description: '单据 id (业务系统内唯一)' }),
    resource: Type.String({ maxLength: 50, pattern: '^[A-Za-z0-9_.-]{1,50}$', description: '业务系统编码' }),
    billNo: text(100, '单据编号'),
    billType: text(50, '单据类型'),
    billTaxNo: text(20, '单据公司税号'),
    userId: Type.String({
      maxLength: 64,
      pattern: '^[A-Za-z0-9_.@:-]{1,64}$',
      description: '业务系统的用户 id (员工; 首次出现时创建)',
    }),
    userName: text(50, '员工姓名 (可选; 票夹与转交时显示)'),
    linkKey: Type.String({
      maxLength: 64,
      pattern: '^[A-Za-z0-9_.:-]{1,64}$',
      description: '推送通道的键 (WebSocket / 长轮询按它接收导入)',
    }),
    pushType: Type.Enum(PUSH_TYPES),
    companyInfo: Type.Array(
      Type.Object(
        {
          taxNo: Type.String({ minLength: 1, maxLength: 20, description: '购买方税号' }),
          name: Type.String({ minLength: 1, maxLength: 100, description: '购买方名称' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10, description: '单据期望的购买方 (发票抬头与之不符的不能导入)' },
    ),
  },
  { additionalProperties: false },
);

const EventReply = Type.Object({
  eventCode: Type.String({ description: '事件码 (只返回这一次; 10 分钟内有效)' }),
  expiresAt: IsoTime,
  selectUrl: Type.String(),
  viewUrl: Type.String(),
  mobileSelectUrl: Type.String(),
  mobileViewUrl: Type.String(),
});

/** Event codes for expense systems (bills.manage). */
export const assistantEventsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/api/v1/assistant/events',
    {
      config: { permission: 'bills.manage' },
      schema: {
        tags: ['assistant'],
        security: [{ bearerAuth: [] }],
        summary: '获取事件码 (open the assistant pages for a bill)',
        description:
          'Issues an event code for the bill (resource + billId); a new code for the same bill replaces the previous ' +
          'one. The pages are opened with the URLs answered; the code authorises them (header X-Event-Code) until ' +
          '`expiresAt`.',
        body: CreateEventBody,
        response: responses({ 201: EventReply }, [400, 401, 403, 422]),
      },
    },
    async (request, reply) => {
      const caller = getAuth(request);
      const { created } = await createEvent(deps, caller.tenantId, caller.actorId, request.body);
      return reply.status(201).header('cache-control', 'no-store').send(created);
    },
  );
};
