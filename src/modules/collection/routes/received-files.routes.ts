import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { chinaDayStart, DAY_MS, toIsoCst } from '../../../platform/clock.js';
import type { Database } from '../../../platform/db/database.js';
import type { Deps } from '../../../platform/deps.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { PageQuery, page, responses } from '../../../platform/http/schemas.js';
import { actorDisplayNames, actorNameOf, getAuth } from '../../auth/index.js';
import { RECEIVED_FILE_NOT_FOUND } from '../collection.errors.js';
import { RECEIVED_FILE_STATUSES, RECEIVED_SOURCES, type ReceivedFile } from '../collection.tables.js';
import {
  findChildFiles,
  findFileById,
  findFilesByIds,
  findLiveItemsOfFiles,
  listReceivedFiles,
} from '../received.repo.js';
import { type ReceivedInvoiceView, toReceivedInvoiceViews } from '../received-view.js';
import { archiveEntriesJson } from '../stored-json.js';
import { IdParams, ReceivedFileView } from './received.schemas.js';
import { OriginalFileReply, sendReceivedFile } from './send-received-file.js';

const date = (description: string) => Type.Optional(Type.String({ maxLength: 10, format: 'date', description }));

const FilesQuery = Type.Object({
  source: Type.Optional(Type.Enum(RECEIVED_SOURCES)),
  status: Type.Optional(Type.Enum(RECEIVED_FILE_STATUSES)),
  createdFrom: date('收到日期起 (YYYY-MM-DD, 北京时间)'),
  createdTo: date('收到日期止 (YYYY-MM-DD, 含)'),
  ...PageQuery,
});

const fileError = (f: ReceivedFile) => (f.error_code ? { code: f.error_code, message: f.error_message ?? '' } : null);

/** Views of files with their items (an archive's items are those of its entries). */
async function toFileViews(db: Kysely<Database>, tenantId: string, files: readonly ReceivedFile[]) {
  const children = await findChildFiles(
    db,
    tenantId,
    files.filter((f) => f.parse_status === 'archive').map((f) => f.id),
  );
  // Entries that were already files of their own (uploaded before, or in another ZIP) are named by the archive.
  const entryIds = new Map<string, string[]>();
  for (const f of files) {
    if (f.entries_json) {
      entryIds.set(
        f.id,
        archiveEntriesJson
          .decode(f.entries_json)
          .map((e) => e.fileId)
          .filter((id): id is string => id !== null),
      );
    }
  }
  for (const child of children) {
    const list = entryIds.get(child.parent_id ?? '') ?? [];
    if (!list.includes(child.id)) list.push(child.id);
    entryIds.set(child.parent_id ?? '', list);
  }
  const allIds = [...files.map((f) => f.id), ...[...entryIds.values()].flat()];
  // An entry's status is its file's as it is now (an entry that waited for OCR is read again later).
  const known = new Set(children.map((c) => c.id));
  const others = await findFilesByIds(
    db,
    tenantId,
    [...entryIds.values()].flat().filter((id) => !known.has(id)),
  );
  const entryFiles = new Map([...children, ...others].map((f) => [f.id, f]));
  const items = await findLiveItemsOfFiles(db, tenantId, [...new Set(allIds)]);
  // Who brought the files and their items, looked up once for both.
  const lookup = actorDisplayNames(db, tenantId, [
    ...files.map((f) => f.brought_by),
    ...items.map((i) => i.brought_by),
  ]);
  const [views, names] = await Promise.all([
    toReceivedInvoiceViews(db, tenantId, items, [...files, ...children], lookup),
    lookup,
  ]);
  const byFile = new Map<string, ReceivedInvoiceView[]>();
  items.forEach((item, i) => {
    const list = byFile.get(item.file_id ?? '') ?? [];
    list.push(views[i]!);
    byFile.set(item.file_id ?? '', list);
  });
  return files.map((f) => ({
    id: f.id,
    sha256: f.sha256,
    size: Number(f.size),
    fileName: f.file_name,
    contentType: f.content_type,
    format: f.format,
    source: f.source,
    sourceRef: f.source_ref,
    broughtBy: f.brought_by,
    broughtByName: actorNameOf(names, f.brought_by),
    buyerOrgId: f.buyer_org_id,
    note: f.note,
    status: f.parse_status,
    error: fileError(f),
    entries: f.entries_json
      ? archiveEntriesJson.decode(f.entries_json).map((e) => {
          const entry = e.fileId ? entryFiles.get(e.fileId) : undefined;
          return entry
            ? { ...e, status: entry.parse_status, error: fileError(entry) }
            : { ...e, status: e.fileId ? null : ('failed' as const) };
        })
      : null,
    items: [f.id, ...(entryIds.get(f.id) ?? [])].flatMap((id) => byFile.get(id) ?? []),
    createdAt: toIsoCst(Number(f.created_at)),
  }));
}

/** 收票箱: every file that came in (uploads, mail attachments, API), with its outcome and its items. */
export const receivedFilesRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const common = { tags: ['collection'], security: [{ bearerAuth: [] }] };
  const db = deps.db.kysely;

  app.get(
    '/api/v1/received-files',
    {
      config: { permission: 'received.read' },
      schema: {
        ...common,
        summary: '收票箱 (files received, newest first, failed parses included)',
        description:
          'Top-level files (a ZIP is one file; its entries are listed in `entries` and their invoices in `items`). ' +
          '`status`: ok (read), failed (kept with its `error`), archive (a ZIP), ocr_pending (needs OCR, which was ' +
          'temporarily unavailable: read again later, `error` says why; items read from its QR may be there already).',
        querystring: FilesQuery,
        response: responses({ 200: page(ReceivedFileView) }),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const { cursor, limit, source, status, createdFrom, createdTo } = request.query;
      const result = await listReceivedFiles(
        db,
        tenantId,
        {
          ...(source ? { source } : {}),
          ...(status ? { status } : {}),
          ...(createdFrom ? { createdFrom: chinaDayStart(createdFrom) } : {}),
          ...(createdTo ? { createdBefore: chinaDayStart(createdTo) + DAY_MS } : {}),
        },
        { ...(cursor ? { cursor } : {}), limit: limit ?? 50 },
      );
      return { items: await toFileViews(db, tenantId, result.items), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/api/v1/received-files/:id',
    {
      config: { permission: 'received.read' },
      schema: {
        ...common,
        summary: '收到的文件 (one file, its outcome and its items)',
        params: IdParams,
        response: responses({ 200: ReceivedFileView }),
      },
    },
    async (request) => {
      const { tenantId } = getAuth(request);
      const file = await findFileById(db, tenantId, request.params.id);
      if (!file) throw new AppError(RECEIVED_FILE_NOT_FOUND);
      const [view] = await toFileViews(db, tenantId, [file]);
      return view!;
    },
  );

  app.get(
    '/api/v1/received-files/:id/file',
    {
      config: { permission: 'received.read' },
      schema: {
        ...common,
        summary: '原始文件 (a received file, unchanged, also when it could not be read)',
        params: IdParams,
        produces: ['application/octet-stream'],
        response: responses({ 200: OriginalFileReply }),
      },
    },
    async (request, reply) => {
      const { tenantId } = getAuth(request);
      const file = await findFileById(db, tenantId, request.params.id);
      if (!file) throw new AppError(RECEIVED_FILE_NOT_FOUND);
      return sendReceivedFile(deps, request, reply, file);
    },
  );
};
