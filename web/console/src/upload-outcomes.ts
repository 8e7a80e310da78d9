/**
 * What became of each uploaded file, from an upload's answer (upload.ts): the items each file gave and the Chinese
 * line UploadResult shows. No imports: unit-tested on its own (test/console/upload-outcomes.test.ts).
 */

/** What became of a file (collection's IntakeFileStatus). */
export type UploadedFileStatus = 'ok' | 'failed' | 'archive' | 'ocr_pending';

/** One posted file's outcome. */
export interface UploadedFile {
  /** The name the user chose (the server's when it answers more files than were posted). */
  fileName: string;
  status: UploadedFileStatus;
  /**
   * Items read from this file (`ok`; `ocr_pending`: what its QR gave so far); for the only ZIP of an upload, the items
   * of its entries; null when it cannot be told (several ZIPs in one upload).
   */
  itemCount: number | null;
  /** Why it could not be read (`failed`). */
  error?: { code: string; message: string };
  /** Why it waits (`ocr_pending`): read again automatically once OCR is back. */
  pending?: { code: string; message: string };
}

/** The answer of an upload: the items (new or known already) and each file's outcome. */
export interface UploadAnswer<T> {
  items: T[];
  files: UploadedFile[];
}

/** A file of the server's answer (the received-invoices and the folder answers differ only in fileId / fileName). */
export interface AnsweredFile {
  fileName?: string;
  sha256?: string;
  status: UploadedFileStatus;
  error?: { code: string; message: string };
  pending?: { code: string; message: string };
}

/** Each answered file with its name and how many of the items came from it (items carry their file's sha256). */
export function outcomesOf(
  items: ReadonlyArray<{ sha256: string | null }>,
  answered: readonly AnsweredFile[],
  posted: ReadonlyArray<{ name: string }>,
): UploadedFile[] {
  const count = (sha256: string | undefined) =>
    sha256 === undefined ? 0 : items.filter((i) => i.sha256 === sha256).length;
  // A ZIP's items carry its entries' digests: what no other file of the upload gave is the ZIP's, if it is the only one.
  const archives = answered.filter((f) => f.status === 'archive').length;
  const ownShas = new Set(answered.filter((f) => f.status !== 'archive').map((f) => f.sha256));
  const inArchive = items.filter((i) => !ownShas.has(i.sha256 ?? undefined)).length;
  return answered.map((f, i) => ({
    fileName: posted[i]?.name ?? f.fileName ?? `文件 ${i + 1}`,
    status: f.status,
    itemCount: f.status === 'archive' ? (archives === 1 ? inArchive : null) : count(f.sha256),
    ...(f.error ? { error: f.error } : {}),
    ...(f.pending ? { pending: f.pending } : {}),
  }));
}

/** One line of Chinese for a file's outcome (what UploadResult shows beside its name). */
export function outcomeText(f: UploadedFile): string {
  switch (f.status) {
    case 'ok':
      return `已识别 ${f.itemCount ?? 0} 张`;
    case 'failed':
      return `识别失败：${f.error?.message ?? '无法识别'}`;
    case 'archive':
      return f.itemCount === null ? '压缩包' : `压缩包，识别出 ${f.itemCount} 张`;
    case 'ocr_pending':
      return `待识别：${f.pending?.message ?? 'OCR 暂不可用'}，OCR 恢复后自动重新识别${
        f.itemCount ? `（已从二维码识别 ${f.itemCount} 张）` : ''
      }`;
    default:
      return f.status;
  }
}
