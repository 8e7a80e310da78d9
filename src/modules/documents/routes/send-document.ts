import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { InvoiceDocumentFile } from '../get-document.js';

/** OpenAPI shape of a file answer (the bytes are sent as-is, never serialised). */
export const FileReply = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'PDF, OFD or XML file' });

/**
 * `Content-Disposition` with a plain ASCII `filename` fallback and the exact UTF-8 name in `filename*` (RFC 6266 /
 * RFC 5987), so Chinese file names survive every browser and mail client.
 */
export function contentDisposition(fileName: string, inline: boolean): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Sends a stored file with its type, name, a strong ETag (the SHA-256: content never changes for an issued
 * invoice) and caching headers; answers 304 when the client already has it.
 */
export function sendDocument(
  request: FastifyRequest,
  reply: FastifyReply,
  file: InvoiceDocumentFile,
  cacheControl: string,
): FastifyReply {
  const etag = `"${file.sha256}"`;
  void reply.header('etag', etag).header('cache-control', cacheControl).header('x-content-type-options', 'nosniff');
  const match = request.headers['if-none-match'];
  if (match?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.status(304).send();
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', contentDisposition(file.fileName, file.contentType === 'application/pdf'))
    .send(file.bytes);
}
