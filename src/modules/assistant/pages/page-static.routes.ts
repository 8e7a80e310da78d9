import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../../platform/deps.js';
import { DEFAULT_CONSOLE_DIST } from '../../console/index.js';
import { DEFAULT_FRAME_ANCESTORS, frameAncestorsOfEvent } from '../events/event-auth.js';

/** The assistant pages' addresses (each with `?eventCode=`): PC and phone, select and view. */
export const ASSISTANT_PAGE_PATHS = [
  '/assistant/select',
  '/assistant/view',
  '/assistant/m/select',
  '/assistant/m/view',
];

/**
 * The assistant pages' CSP — the one builder of it: the console's (docs/console.md#content-security-policy) with two
 * differences — `frame-ancestors` is the event's business system's setting (an expense system may embed the pages in
 * an iframe; none given: `'self'` only), and `'wasm-unsafe-eval'` lets the phone's camera compile zxing-wasm's reader
 * (its wasm fetched from our own /k/assets/, never a CDN). The file previews frame blob: URLs the page made of the
 * file's bytes.
 */
function assistantCsp(frameAncestors: readonly string[]): string {
  const ancestors = frameAncestors.length > 0 ? frameAncestors : DEFAULT_FRAME_ANCESTORS;
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "media-src 'self' blob:",
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${ancestors.join(' ')}`,
  ].join('; ');
}

/** The CSP of the assistant page opened with `eventCode`: the frame-ancestors of the event's business system. */
async function assistantCspOfEvent(deps: Pick<Deps, 'db'>, eventCode: string | undefined): Promise<string> {
  return assistantCsp(await frameAncestorsOfEvent(deps, eventCode));
}

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>发票助手尚未构建</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.6">
<h1>发票助手尚未构建</h1>
<p>服务器找不到发票助手页面（web/console/dist/assistant.html）。请在安装目录运行 <code>npm run build:console</code>。</p>
</body></html>
`;

export interface AssistantPagesOptions {
  deps: Deps;
  /** The console build holding assistant.html (its assets are served under /console/assets/); default the console's. */
  distDir?: string;
}

/**
 * Serves the built assistant.html (a second entry of the console's Vite build) at the four page addresses, with
 * `frame-ancestors` of the event the address's `eventCode` names. Public: the pages authorise their API calls with
 * the event code (X-Event-Code), never with a session. Not cached (the page must not outlive a rebuild).
 */
export const assistantStaticPagesRoutes: FastifyPluginAsync<AssistantPagesOptions> = async (app, { deps, distDir }) => {
  const root = path.resolve(distDir ?? DEFAULT_CONSOLE_DIST);
  const pagePath = path.join(root, 'assistant.html');
  const send = async (request: FastifyRequest<{ Querystring: { eventCode?: string } }>, reply: FastifyReply) => {
    const code = typeof request.query.eventCode === 'string' ? request.query.eventCode : undefined;
    void reply
      .header('content-security-policy', await assistantCspOfEvent(deps, code))
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store');
    let html: string;
    try {
      html = await fs.promises.readFile(pagePath, 'utf8');
    } catch {
      return reply.status(503).type('text/html; charset=utf-8').send(MISSING_BUILD_PAGE);
    }
    return reply.type('text/html; charset=utf-8').send(html);
  };
  for (const url of ASSISTANT_PAGE_PATHS) {
    app.get<{ Querystring: { eventCode?: string } }>(
      url,
      {
        schema: {
          hide: true,
          querystring: {
            type: 'object',
            properties: { eventCode: { type: 'string', maxLength: 200 } },
          },
        },
      },
      send,
    );
  }
};
