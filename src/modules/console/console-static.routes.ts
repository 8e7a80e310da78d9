import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors/app-error.js';
import { NOT_FOUND } from '../../platform/errors/platform.errors.js';
import { CONSOLE_SECURITY_HEADERS, IMMUTABLE_CACHE } from './console-security.js';

/** Where `npm run build:console` writes the console (web/console/dist in the package). */
export const DEFAULT_CONSOLE_DIST = fileURLToPath(new URL('../../../web/console/dist', import.meta.url));

export interface ConsoleStaticOptions {
  deps: Deps;
  /** The built console; default {@link DEFAULT_CONSOLE_DIST}. */
  distDir?: string;
}

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>控制台尚未构建</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.6">
<h1>控制台尚未构建</h1>
<p>服务器找不到控制台的构建文件（web/console/dist/index.html）。请在安装目录运行 <code>npm run build:console</code>（<code>npm install</code> 会自动构建），然后刷新本页。</p>
<p>The console has not been built: run <code>npm run build:console</code> in the installation directory (<code>npm install</code> builds it), then reload.</p>
</body></html>
`;

/**
 * Serves the console's build under /console/: hashed assets cached for a year, index.html revalidated every time,
 * every other path under /console/ answered with index.html (client-side routes), strict security headers on all.
 * A missing build is logged once at start and answered with a 503 page saying how to build it.
 */
export const consoleStaticRoutes: FastifyPluginAsync<ConsoleStaticOptions> = async (app, { deps, distDir }) => {
  const root = path.resolve(distDir ?? DEFAULT_CONSOLE_DIST);
  const indexPath = path.join(root, 'index.html');
  if (!fs.existsSync(indexPath)) {
    deps.logger.error(
      { consoleDist: root },
      'console build missing: /console/ answers 503 until `npm run build:console` writes web/console/dist',
    );
  }
  await app.register(fastifyStatic, { root, serve: false });

  const secure = (reply: FastifyReply) => {
    for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS)) void reply.header(name, value);
    return reply;
  };
  const sendIndex = (reply: FastifyReply) => {
    // Read per request: a rebuild while the server runs is picked up, and a deleted build is reported.
    if (!fs.existsSync(indexPath)) {
      return secure(reply)
        .status(503)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(MISSING_BUILD_PAGE);
    }
    return secure(reply).header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  };

  app.get('/console', { schema: { hide: true } }, async (_request, reply) => secure(reply).redirect('/console/', 302));
  app.get('/console/*', { schema: { hide: true } }, async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    const file = rest === '' ? null : path.resolve(root, rest);
    const served = file?.startsWith(root + path.sep) && !rest.split('/').some((p) => p.startsWith('.')) && isFile(file);
    if (rest.startsWith('assets/')) {
      // A missing hashed asset is a 404 (never index.html: a stale page must not get HTML for a script).
      if (!served) throw new AppError(NOT_FOUND);
      return secure(reply).header('cache-control', IMMUTABLE_CACHE).sendFile(rest, root, { cacheControl: false });
    }
    if (served) return secure(reply).header('cache-control', 'no-cache').sendFile(rest, root, { cacheControl: false });
    return sendIndex(reply);
  });
};

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
