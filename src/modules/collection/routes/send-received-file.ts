import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { RECEIVED_FILE_NOT_FOUND } from '../collection.errors.js';
import type { ReceivedFile } from '../collection.tables.js';
import { receivedBlobs } from '../received-blobs.js';

/** OpenAPI shape of a file answer (the bytes as they came in). */
export const OriginalFileReply = Type.Unsafe<Buffer>({
  type: 'string',
  format: 'binary',
  description: 'the file exactly as it was received',
});

/** `Content-Disposition` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987). */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Sends a received file's original bytes: always as an attachment (a received file is untrusted: never rendered
 * inline from our origin), `nosniff`, a strong ETag (its SHA-256), 304 when the client has it.
 */
export async function sendReceivedFile(
  deps: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  file: ReceivedFile,
): Promise<FastifyReply> {
  const etag = `"${file.sha256}"`;
  void reply
    .header('etag', etag)
    .header('cache-control', 'private, max-age=31536000, immutable')
    .header('x-content-type-options', 'nosniff');
  const match = request.headers['if-none-match'];
  if (match?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.status(304).send();
  const bytes = await receivedBlobs(deps).get(file.sha256);
  if (!bytes) throw new AppError(RECEIVED_FILE_NOT_FOUND, '文件内容不在存储中（BLOB_STORE 是否在各节点共享？）');
  return reply
    .header('content-type', file.content_type)
    .header('content-disposition', contentDisposition(file.file_name))
    .send(bytes);
}
