import { InboxOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Input, Modal, Select, Space } from 'antd';
import { type ReactNode, useRef, useState } from 'react';
import { errorMessage, get } from '../../api';
import { UploadResult } from '../../components/UploadResult';
import { type UploadAnswer, uploadFiles } from '../../upload';
import type { RulesView } from './ReceivedRulesPage';
import type { ReceivedInvoice } from './received-api';

const RECEIVED = '/api/v1/received-invoices';

const ACCEPT = '.pdf,.ofd,.xml,.zip,.jpg,.jpeg,.png';

/** A drop target for several files (drag and drop, or click to choose); antd's Upload would bring its progress bars. */
export function DropZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  return (
    <button
      type="button"
      data-testid="upload-dropzone"
      onClick={() => input.current?.click()}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        onFiles([...e.dataTransfer.files]);
      }}
      style={{
        width: '100%',
        padding: '24px 16px',
        textAlign: 'center',
        cursor: 'pointer',
        background: over ? '#fff1f0' : '#fafafa',
        border: `1px dashed ${over ? '#c8161d' : '#d9d9d9'}`,
        borderRadius: 4,
      }}
    >
      <InboxOutlined style={{ fontSize: 40, color: '#c8161d' }} />
      <p style={{ margin: '8px 0 4px', fontSize: 16 }}>点击或将发票文件拖到此处</p>
      <p style={{ margin: 0, color: 'rgba(0,0,0,0.45)' }}>
        支持 PDF、OFD、XML、JPG、PNG 及其 ZIP 压缩包，可一次选择多个文件
      </p>
      <input
        ref={input}
        type="file"
        multiple
        accept={ACCEPT}
        hidden
        data-testid="upload-input"
        onChange={(e) => {
          onFiles([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </button>
  );
}

/** Props of {@link FilesUploadModal}. */
interface FilesUploadModalProps<T> {
  open: boolean;
  title: string;
  /** Posts the chosen files (upload.ts's uploadFiles with the page's path and fields). */
  upload: (files: File[]) => Promise<UploadAnswer<T>>;
  /** After an upload, while the result shows (refresh the lists behind the modal). */
  onUploaded?: (answer: UploadAnswer<T>) => Promise<unknown> | undefined;
  /** Closed: with the last upload's answer, or without one (cancelled). */
  onClose: (answer?: UploadAnswer<T>) => void;
  /** The upload button's data-testid. */
  submitTestId: string;
  /** Fields under the file list (the receiving org, a note). */
  children?: ReactNode;
}

/**
 * An upload of several files in a modal: choose or drop them, upload, and see what became of each (UploadResult:
 * 已识别 / 识别失败 / 压缩包 / 待识别) until 完成 closes it or 继续上传 brings the drop zone back.
 */
export function FilesUploadModal<T>({
  open,
  title,
  upload,
  onUploaded,
  onClose,
  submitTestId,
  children,
}: FilesUploadModalProps<T>) {
  const [files, setFiles] = useState<File[]>([]);
  const [result, setResult] = useState<UploadAnswer<T> | null>(null);
  const send = useMutation({
    mutationFn: () => upload(files),
    onSuccess: async (res) => {
      setFiles([]);
      setResult(res);
      await onUploaded?.(res);
    },
  });
  const close = () => {
    onClose(result ?? undefined);
    setResult(null);
    send.reset();
  };
  return (
    <Modal
      title={title}
      open={open}
      onCancel={close}
      destroyOnHidden
      footer={
        result ? (
          <Space>
            <Button
              data-testid="upload-again"
              onClick={() => {
                setResult(null);
                send.reset();
              }}
            >
              继续上传
            </Button>
            <Button type="primary" data-testid="upload-done" onClick={close}>
              完成
            </Button>
          </Space>
        ) : (
          <Space>
            <Button onClick={close}>取消</Button>
            <Button
              type="primary"
              data-testid={submitTestId}
              disabled={files.length === 0}
              loading={send.isPending}
              onClick={() => send.mutate()}
            >
              上传 {files.length > 0 ? `${files.length} 个文件` : ''}
            </Button>
          </Space>
        )
      }
    >
      {result ? (
        <UploadResult files={result.files} itemCount={result.items.length} />
      ) : (
        <Space direction="vertical" style={{ width: '100%' }}>
          <DropZone onFiles={(added) => setFiles((prev) => [...prev, ...added])} />
          {files.length > 0 && (
            <ul data-testid="upload-files" style={{ margin: 0, paddingLeft: 18 }}>
              {files.map((f, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: two dropped files may share a name; the list only grows or loses one
                <li key={`${i}-${f.name}`}>
                  {f.name}{' '}
                  <Button size="small" type="link" onClick={() => setFiles((prev) => prev.filter((_, j) => j !== i))}>
                    移除
                  </Button>
                </li>
              ))}
            </ul>
          )}
          {children}
          {send.error && <Alert type="error" showIcon message={errorMessage(send.error)} />}
        </Space>
      )}
    </Modal>
  );
}

/** 上传发票 (收票): several PDF/OFD/XML/image/ZIP files, optionally which of the tenant's orgs received them. */
export function UploadModal({ open, onClose }: { open: boolean; onClose: (items?: ReceivedInvoice[]) => void }) {
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const [buyerTaxId, setBuyerTaxId] = useState<string | undefined>();
  // The tenant's orgs (which one received the files; empty: read from each invoice's buyer).
  const orgs = useQuery({
    queryKey: ['/api/v1/received-rules', 'orgs'],
    queryFn: () => get<RulesView>('/api/v1/received-rules'),
    staleTime: 60_000,
    enabled: open,
  });
  return (
    <FilesUploadModal<ReceivedInvoice>
      open={open}
      title="上传发票"
      submitTestId="upload-submit"
      upload={(files) => uploadFiles<ReceivedInvoice>(RECEIVED, files, { note, buyerTaxId })}
      onUploaded={async () => {
        setNote('');
        await queryClient.invalidateQueries({ queryKey: [RECEIVED] });
        await queryClient.invalidateQueries({ queryKey: ['/api/v1/received-files'] });
      }}
      onClose={(answer) => onClose(answer?.items)}
    >
      <Select
        allowClear
        style={{ width: '100%' }}
        placeholder="收票企业（可选；不选则按发票上的购买方税号）"
        value={buyerTaxId}
        onChange={setBuyerTaxId}
        options={(orgs.data?.buyerOrgs ?? []).map((o) => ({ value: o.taxId, label: `${o.name}（${o.taxId}）` }))}
      />
      <Input placeholder="备注（可选）" maxLength={200} value={note} onChange={(e) => setNote(e.target.value)} />
    </FilesUploadModal>
  );
}
