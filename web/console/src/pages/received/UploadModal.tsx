import { InboxOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Input, Modal, Select, Space } from 'antd';
import { useRef, useState } from 'react';
import { errorMessage, get } from '../../api';
import { useToast } from '../../toast';
import type { RulesView } from './ReceivedRulesPage';
import { type ReceivedInvoice, uploadReceivedFiles } from './received-api';

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

/** 上传发票: drag several PDF/OFD/XML/image/ZIP files in, optionally say which of the tenant's orgs received them. */
export function UploadModal({ open, onClose }: { open: boolean; onClose: (items?: ReceivedInvoice[]) => void }) {
  const queryClient = useQueryClient();
  const message = useToast();
  const [files, setFiles] = useState<File[]>([]);
  const [note, setNote] = useState('');
  const [buyerTaxId, setBuyerTaxId] = useState<string | undefined>();
  // The tenant's orgs (which one received the files; empty: read from each invoice's buyer).
  const orgs = useQuery({
    queryKey: ['/api/v1/received-rules', 'orgs'],
    queryFn: () => get<RulesView>('/api/v1/received-rules'),
    staleTime: 60_000,
    enabled: open,
  });
  const upload = useMutation({
    mutationFn: () => uploadReceivedFiles(files, { note, buyerTaxId: buyerTaxId ?? '' }),
    onSuccess: async (res) => {
      void message.success(`已接收 ${files.length} 个文件，识别出 ${res.items.length} 张发票`);
      await queryClient.invalidateQueries({ queryKey: ['/api/v1/received-invoices'] });
      await queryClient.invalidateQueries({ queryKey: ['/api/v1/received-files'] });
      setFiles([]);
      setNote('');
      onClose(res.items);
    },
  });
  return (
    <Modal
      title="上传发票"
      open={open}
      onCancel={() => onClose()}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={() => onClose()}>取消</Button>
          <Button
            type="primary"
            data-testid="upload-submit"
            disabled={files.length === 0}
            loading={upload.isPending}
            onClick={() => upload.mutate()}
          >
            上传 {files.length > 0 ? `${files.length} 个文件` : ''}
          </Button>
        </Space>
      }
    >
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
        <Select
          allowClear
          style={{ width: '100%' }}
          placeholder="收票企业（可选；不选则按发票上的购买方税号）"
          value={buyerTaxId}
          onChange={setBuyerTaxId}
          options={(orgs.data?.buyerOrgs ?? []).map((o) => ({ value: o.taxId, label: `${o.name}（${o.taxId}）` }))}
        />
        <Input placeholder="备注（可选）" maxLength={200} value={note} onChange={(e) => setNote(e.target.value)} />
        {upload.error && <Alert type="error" showIcon message={errorMessage(upload.error)} />}
      </Space>
    </Modal>
  );
}
