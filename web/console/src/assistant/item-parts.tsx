/** Small pieces shared by the assistant's select and view pages: status tags, the bill header, file preview. */
import { PictureOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Modal, Space, Spin, Tag } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { yuan } from '../format';
import { type ReceivedInvoice, VERIFICATION_LABELS } from '../pages/received/received-api';
import { type AssistantItem, errorMessage, type PageInfo, pageApi } from './assistant-api';

/** What the upload inputs take (intake reads each; ZIPs are unpacked). */
export const ACCEPT = '.pdf,.ofd,.xml,.zip,.jpg,.jpeg,.png';

export const CHECK_LABELS: Record<string, { text: string; color: string }> = {
  pending: { text: '检查中', color: 'processing' },
  pass: { text: '合规', color: 'success' },
  warn: { text: '有提示', color: 'warning' },
  block: { text: '不可报销', color: 'error' },
};

export function VerificationTag({ status }: { status: string }) {
  const l = VERIFICATION_LABELS[status] ?? { text: status, color: 'default' };
  return <Tag color={l.color}>{l.text}</Tag>;
}

export function CheckTag({ item }: { item: AssistantItem }) {
  const l = CHECK_LABELS[item.check.level] ?? { text: item.check.level, color: 'default' };
  return (
    <Tag color={l.color} data-testid="check-tag">
      {l.text}
    </Tag>
  );
}

/** The reasons of a blocked (red) or warned (orange) item. */
export function CheckReasons({ item }: { item: AssistantItem }) {
  // A passing item that cannot be imported (fully claimed, no total) still says why.
  if (item.check.reasons.length === 0 || (item.check.level === 'pass' && item.check.importable)) return null;
  const block = item.check.level === 'block' || !item.check.importable;
  return (
    <ul className={block ? 'asst-reasons asst-block' : 'asst-reasons asst-warn'} data-testid="check-reasons">
      {item.check.reasons.map((r) => (
        <li key={r}>{r}</li>
      ))}
    </ul>
  );
}

export const invoiceTitle = (inv: ReceivedInvoice) => inv.number ?? inv.fileName ?? '（无号码）';

/** The bill the page was opened for: 单据号, 类型, who, and the company the invoices must be addressed to. */
export function BillHeader({ info, mobile, title }: { info: PageInfo; mobile: boolean; title: string }) {
  const e = info.event;
  return (
    <header className="asst-header">
      <h1>{title}</h1>
      <Descriptions
        size="small"
        column={mobile ? 1 : 3}
        items={[
          { key: 'billNo', label: '单据号', children: <span data-testid="bill-no">{e.billNo ?? e.billId}</span> },
          { key: 'billType', label: '单据类型', children: e.billType ?? '—' },
          ...(info.employee.name ? [{ key: 'employee', label: '报销人', children: info.employee.name }] : []),
          {
            key: 'company',
            label: '报销公司',
            span: mobile ? 1 : 3,
            children:
              e.companyInfo.length === 0
                ? '—'
                : e.companyInfo.map((c) => (
                    <span key={c.taxNo} className="asst-company">
                      {c.name}（{c.taxNo}）
                    </span>
                  )),
          },
        ]}
      />
    </header>
  );
}

/** The fields of an item as label/value pairs (cards on phones, the detail of a row on PCs). */
export function itemFields(inv: ReceivedInvoice) {
  return [
    { label: '票种', value: inv.kindName },
    { label: '发票号码', value: inv.number ?? '—' },
    { label: '开票日期', value: inv.issueDate ?? '—' },
    { label: '销售方', value: inv.seller.name ?? '—' },
    { label: '购买方', value: inv.buyer.name ?? '—' },
    { label: '价税合计', value: inv.totals.total ? yuan(inv.totals.total) : '—' },
  ];
}

type Preview = { url: string; kind: 'pdf' | 'image' | 'other'; fileName: string };

/**
 * 预览: the original file fetched with the event code (a blob URL): PDFs framed, pictures inline, OFD/XML offered as a
 * download. 下载 saves the original.
 */
export function FileButtons({ inv, block }: { inv: ReceivedInvoice; block?: boolean }) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => () => (preview ? URL.revokeObjectURL(preview.url) : undefined), [preview]);
  if (!inv.fileName) return null;
  const load = async (save: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const f = await pageApi.file(inv.id);
      const type = f.blob.type;
      const kind = type === 'application/pdf' ? 'pdf' : type.startsWith('image/') ? 'image' : 'other';
      const url = URL.createObjectURL(f.blob);
      if (save || kind === 'other') {
        const a = document.createElement('a');
        a.href = url;
        a.download = f.fileName;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      } else setPreview({ url, kind, fileName: f.fileName });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  };
  return (
    <>
      <Space size={4} wrap>
        <Button size={block ? 'large' : 'small'} onClick={() => void load(false)} loading={loading}>
          预览
        </Button>
        <Button size={block ? 'large' : 'small'} onClick={() => void load(true)}>
          下载
        </Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} style={{ marginTop: 8 }} />}
      <Modal
        open={preview !== null}
        title={preview?.fileName}
        footer={null}
        width="min(960px, 100vw)"
        onCancel={() => setPreview(null)}
        destroyOnHidden
      >
        {!preview ? (
          <Spin />
        ) : preview.kind === 'pdf' ? (
          <iframe title="发票预览" src={preview.url} className="asst-preview-frame" data-testid="preview-pdf" />
        ) : (
          <img alt="发票图片" src={preview.url} className="asst-preview-image" data-testid="preview-image" />
        )}
      </Modal>
    </>
  );
}

/** 上传照片: the phone's camera app or gallery (capture=environment), then the photo is uploaded and read on the server. */
export function PhotoButton({ onFiles }: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <Button
        size="large"
        block
        icon={<PictureOutlined />}
        onClick={() => input.current?.click()}
        data-testid="photo-open"
      >
        上传照片或文件
      </Button>
      <input
        ref={input}
        type="file"
        accept={`image/*,${ACCEPT}`}
        capture="environment"
        multiple
        hidden
        data-testid="photo-input"
        onChange={(e) => {
          onFiles([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </>
  );
}
