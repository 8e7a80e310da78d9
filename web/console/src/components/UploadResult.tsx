/**
 * What became of each uploaded file (upload.ts): 已识别 N 张 / 识别失败：原因 / 压缩包 / 待识别（OCR 恢复后自动重新识别）.
 * Used by the 收票 upload, 我的票夹 and the assistant's select page, so a file that could not be read is never hidden
 * behind a success message.
 */
import { CheckCircleFilled, ClockCircleFilled, CloseCircleFilled, FileZipOutlined } from '@ant-design/icons';
import type { ReactNode } from 'react';
import { outcomeText, type UploadedFile, type UploadedFileStatus } from '../upload-outcomes';

const ICONS: Record<UploadedFileStatus, ReactNode> = {
  ok: <CheckCircleFilled style={{ color: '#52c41a' }} />,
  failed: <CloseCircleFilled style={{ color: '#c8161d' }} />,
  archive: <FileZipOutlined style={{ color: 'rgba(0,0,0,0.45)' }} />,
  ocr_pending: <ClockCircleFilled style={{ color: '#faad14' }} />,
};

const COLORS: Partial<Record<UploadedFileStatus, string>> = { failed: '#c8161d', ocr_pending: '#ad6800' };

/** The upload's files, one line each, under a one-line summary (`itemCount`: the upload's items, when known). */
export function UploadResult({ files, itemCount }: { files: readonly UploadedFile[]; itemCount?: number }) {
  const failed = files.filter((f) => f.status === 'failed').length;
  const pending = files.filter((f) => f.status === 'ocr_pending').length;
  const read = itemCount ?? files.reduce((n, f) => n + (f.itemCount ?? 0), 0);
  return (
    <div data-testid="upload-result">
      <div data-testid="upload-result-summary" style={{ marginBottom: 8 }}>
        共 {files.length} 个文件，识别出 {read} 张发票
        {failed > 0 && <span style={{ color: COLORS.failed }}>，{failed} 个识别失败</span>}
        {pending > 0 && <span style={{ color: COLORS.ocr_pending }}>，{pending} 个待识别</span>}
      </div>
      <ul style={{ margin: 0, padding: 0, listStyle: 'none' }}>
        {files.map((f, i) => (
          <li
            // biome-ignore lint/suspicious/noArrayIndexKey: two files of an upload may share a name; the list is not reordered
            key={`${i}-${f.fileName}`}
            data-testid="upload-result-file"
            data-status={f.status}
            style={{ display: 'flex', gap: 8, alignItems: 'baseline', padding: '2px 0' }}
          >
            <span>{ICONS[f.status]}</span>
            <span style={{ flex: '0 1 auto', maxWidth: '50%', wordBreak: 'break-all' }}>{f.fileName}</span>
            <span
              style={{ flex: '1 1 0', minWidth: 0, textAlign: 'right', color: COLORS[f.status] ?? 'rgba(0,0,0,0.65)' }}
            >
              {outcomeText(f)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
