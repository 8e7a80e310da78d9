/**
 * The one upload of invoice files, for the console (收票 `POST /api/v1/received-invoices`, 我的票夹
 * `POST /api/v1/folder/files`) and the assistant pages (`POST /api/v1/assistant/page/files`): posts the files as
 * multipart `file` parts and answers the items with each file's outcome (`files[]`, one per posted file, in order).
 * UploadResult (components/UploadResult.tsx) shows the outcome (upload-outcomes.ts).
 */
import { api, type CallOptions } from './api';
import { type AnsweredFile, outcomesOf, type UploadAnswer } from './upload-outcomes';

export type { UploadAnswer, UploadedFile, UploadedFileStatus } from './upload-outcomes';

/**
 * Posts `files` (and the text `fields` that are not empty) to `path` as multipart; the console's session by default,
 * `options.eventCode` for the assistant pages. A refusal throws the API's ApiError.
 */
export async function uploadFiles<T extends { sha256: string | null }>(
  path: string,
  files: readonly File[],
  fields: Record<string, string | undefined> = {},
  options: CallOptions = {},
): Promise<UploadAnswer<T>> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v) form.append(k, v);
  for (const f of files) form.append('file', f, f.name);
  const res = await api<{ items: T[]; files?: AnsweredFile[] }>('POST', path, form, options);
  return { items: res.items, files: outcomesOf(res.items, res.files ?? [], files) };
}
