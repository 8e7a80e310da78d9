/**
 * 选择发票 (selectUrl / mobileSelectUrl): the employee brings invoices (files dropped, picked or pasted; on phones the
 * camera reads the QR, or a photo is uploaded; or picked from the folder), sees each one's fields, verification and
 * check against the bill's company (blocked ones cannot be chosen), sets the amount to claim, and 导入单据 pushes the
 * chosen ones to the expense system.
 */
import { CameraOutlined, FolderOpenOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Empty, Input, Result, Space, Spin, Table, type TableColumnsType } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { UploadResult } from '../components/UploadResult';
import { yuan } from '../format';
import type { UploadedFile } from '../upload';
import { type AssistantItem, errorMessage, isEventEnded, type PageInfo, pageApi, toFen } from './assistant-api';
import {
  ACCEPT,
  BillHeader,
  CheckReasons,
  CheckTag,
  FileButtons,
  itemFields,
  PhotoButton,
  VerificationTag,
} from './item-parts';

const FolderPicker = lazy(() => import('./FolderPicker'));
const CameraScanner = lazy(() => import('./CameraScanner'));

/** While any shown item is still being verified or checked, it is fetched again this often. */
const REFRESH_MS = 2000;

const isPending = (i: AssistantItem) => i.check.level === 'pending';

interface Upload {
  busy: number;
  /** What became of each file uploaded on this page so far (until the user closes the list), and their items. */
  files: UploadedFile[];
  items: number;
  /** Uploads that failed as a whole, and refreshes that failed. */
  errors: string[];
}

const NO_UPLOAD: Upload = { busy: 0, files: [], items: 0, errors: [] };

export default function SelectPage({ info, mobile }: { info: PageInfo; mobile: boolean }) {
  const [items, setItems] = useState<AssistantItem[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const [upload, setUpload] = useState<Upload>(NO_UPLOAD);
  const [picking, setPicking] = useState(false);
  const [scanning, setScanning] = useState(false);
  const [importing, setImporting] = useState(false);
  const [importError, setImportError] = useState<string | null>(null);
  const [imported, setImported] = useState<number | null>(null);

  /** New or refreshed items replace those with the same id; new ones that can be imported are chosen at once. */
  const merge = useCallback((incoming: AssistantItem[], choose: boolean) => {
    setItems((prev) => {
      const byId = new Map(prev.map((i) => [i.id, i]));
      const added: AssistantItem[] = [];
      for (const i of incoming) {
        if (byId.has(i.id)) byId.set(i.id, i);
        else added.push(i);
      }
      return [...prev.map((i) => byId.get(i.id) ?? i), ...added];
    });
    // Brought in = chosen (the user may untick it); only those that can be imported count (`picked`), so one still
    // pending is taken as soon as its checks settle, and a blocked one never.
    if (choose)
      setChosen((prev) => {
        const next = new Set(prev);
        for (const i of incoming) next.add(i.id);
        return next;
      });
  }, []);

  const addFiles = useCallback(
    async (files: File[]) => {
      if (files.length === 0) return;
      setUpload((u) => ({ ...u, busy: u.busy + files.length }));
      try {
        const res = await pageApi.upload(files);
        merge(res.items, true);
        setUpload((u) => ({
          ...u,
          busy: u.busy - files.length,
          files: [...u.files, ...res.files],
          items: u.items + res.items.length,
        }));
      } catch (err) {
        setUpload((u) => ({ ...u, busy: u.busy - files.length, errors: [...u.errors, errorMessage(err)] }));
      }
    },
    [merge],
  );

  // Paste (Ctrl+V) of files or a screenshot anywhere on the page.
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length > 0) {
        e.preventDefault();
        void addFiles(files);
      }
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [addFiles]);

  // Items still pending are fetched again until verification and the checks have settled.
  const pendingIds = useMemo(() => items.filter(isPending).map((i) => i.id), [items]);
  const pendingKey = pendingIds.join(',');
  useEffect(() => {
    if (!pendingKey) return;
    const timer = setTimeout(() => {
      pageApi.items(pendingKey.split(',')).then(
        (res) => merge(res.items, false),
        (err: unknown) => {
          if (!isEventEnded(err)) setUpload((u) => ({ ...u, errors: [...u.errors.slice(-4), errorMessage(err)] }));
        },
      );
    }, REFRESH_MS);
    return () => clearTimeout(timer);
  }, [pendingKey, merge]);

  const amountOf = (i: AssistantItem) => amounts[i.id] ?? i.claim.remaining;
  const amountError = (i: AssistantItem): string | null => {
    const fen = toFen(amountOf(i));
    const max = toFen(i.claim.remaining);
    if (fen === null || fen <= 0n) return '请输入大于 0 的金额（最多两位小数）';
    if (max !== null && fen > max) return `不能超过可报销金额 ${yuan(i.claim.remaining)}`;
    return null;
  };
  const selectable = (i: AssistantItem) =>
    i.check.importable && i.check.level !== 'block' && i.check.level !== 'pending';
  const picked = items.filter((i) => chosen.has(i.id) && selectable(i));
  const invalid = picked.some((i) => amountError(i) !== null);
  const totalFen = picked.reduce((s, i) => s + (toFen(amountOf(i)) ?? 0n), 0n);

  const toggle = (id: string, on: boolean) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const remove = (id: string) => {
    setItems((prev) => prev.filter((i) => i.id !== id));
    toggle(id, false);
  };

  const doImport = async () => {
    setImporting(true);
    setImportError(null);
    try {
      const res = await pageApi.import(
        picked.map((i) => {
          const amount = amountOf(i).trim();
          return amount === i.claim.remaining ? { invoiceId: i.id } : { invoiceId: i.id, amount };
        }),
      );
      setImported(res.count);
    } catch (err) {
      setImportError(refusalText(err));
    } finally {
      setImporting(false);
    }
  };

  if (imported !== null) {
    return (
      <div className="asst-page">
        <Result
          status="success"
          title={`已导入 ${imported} 张发票`}
          subTitle="发票已发送到报销单，请回到报销单继续填写。本页面可以关闭。"
          data-testid="import-done"
          extra={
            <Button size={mobile ? 'large' : 'middle'} onClick={() => setImported(null)}>
              继续添加发票
            </Button>
          }
        />
      </div>
    );
  }

  const bring = (
    <div className={mobile ? 'asst-bring asst-bring-mobile' : 'asst-bring'}>
      {mobile ? (
        <>
          <Button
            type="primary"
            size="large"
            block
            icon={<CameraOutlined />}
            onClick={() => setScanning(true)}
            data-testid="camera-open"
          >
            拍照识别
          </Button>
          <PhotoButton onFiles={(f) => void addFiles(f)} />
        </>
      ) : (
        <DropZone onFiles={(f) => void addFiles(f)} />
      )}
      <Button
        size="large"
        block={mobile}
        icon={<FolderOpenOutlined />}
        onClick={() => setPicking(true)}
        data-testid="folder-open"
      >
        从票夹选择
      </Button>
    </div>
  );

  const columns: TableColumnsType<AssistantItem> = [
    {
      title: '选择',
      key: 'chosen',
      width: 56,
      fixed: 'left',
      render: (_, i) => (
        <Checkbox
          aria-label={`选择发票 ${i.number ?? i.id}`}
          checked={chosen.has(i.id) && selectable(i)}
          disabled={!selectable(i)}
          onChange={(e) => toggle(i.id, e.target.checked)}
        />
      ),
    },
    { title: '票种', dataIndex: 'kindName', width: 140 },
    { title: '发票号码', dataIndex: 'number', width: 180, render: (v: string | null) => v ?? '—' },
    { title: '开票日期', dataIndex: 'issueDate', width: 110, render: (v: string | null) => v ?? '—' },
    { title: '销售方', key: 'seller', ellipsis: true, render: (_, i) => i.seller.name ?? '—' },
    { title: '购买方', key: 'buyer', ellipsis: true, render: (_, i) => i.buyer.name ?? '—' },
    {
      title: '价税合计',
      key: 'total',
      align: 'right',
      width: 120,
      render: (_, i) => (i.totals.total ? yuan(i.totals.total) : '—'),
    },
    {
      title: '查验 / 检查',
      key: 'check',
      width: 200,
      render: (_, i) => (
        <>
          <VerificationTag status={i.verification.status} />
          <CheckTag item={i} />
          <CheckReasons item={i} />
        </>
      ),
    },
    {
      title: '本次报销金额',
      key: 'amount',
      width: 170,
      // The amount and the actions stay in view when the table scrolls sideways (narrow windows, iframes).
      fixed: 'right',
      render: (_, i) => (
        <AmountInput
          item={i}
          value={amountOf(i)}
          error={chosen.has(i.id) && selectable(i) ? amountError(i) : null}
          onChange={(v) => setAmounts((a) => ({ ...a, [i.id]: v }))}
          disabled={!selectable(i)}
        />
      ),
    },
    {
      title: '操作',
      key: 'ops',
      width: 150,
      fixed: 'right',
      render: (_, i) => (
        <Space size={4} wrap>
          <FileButtons inv={i} />
          <Button size="small" type="link" onClick={() => remove(i.id)}>
            移除
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <div className="asst-page">
      <BillHeader info={info} mobile={mobile} title="发票助手 · 选择发票" />
      {bring}
      {upload.busy > 0 && (
        <div className="asst-busy" data-testid="uploading">
          <Spin size="small" /> 正在识别 {upload.busy} 个文件…
        </div>
      )}
      {upload.files.length > 0 && (
        <Alert
          type={upload.files.some((f) => f.status === 'failed' || f.status === 'ocr_pending') ? 'warning' : 'success'}
          closable
          onClose={() => setUpload((u) => ({ ...u, files: [], items: 0 }))}
          message={<UploadResult files={upload.files} itemCount={upload.items} />}
          style={{ marginBottom: 12 }}
        />
      )}
      {upload.errors.length > 0 && (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => setUpload((u) => ({ ...u, errors: [] }))}
          message="请求未完成，请重试"
          description={
            <ul className="asst-reasons">
              {upload.errors.map((e, n) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the list only grows, or is cleared at once
                <li key={n}>{e}</li>
              ))}
            </ul>
          }
          style={{ marginBottom: 12 }}
        />
      )}
      {items.length === 0 ? (
        <Empty
          className="asst-empty"
          description={
            mobile ? '拍照识别发票二维码，或上传发票照片' : '拖入、选择或粘贴（Ctrl+V）发票文件，或从票夹选择'
          }
        />
      ) : mobile ? (
        <div className="asst-cards" data-testid="items">
          {items.map((i) => (
            <Card
              key={i.id}
              size="small"
              className={i.check.level === 'block' ? 'asst-card asst-card-block' : 'asst-card'}
              data-testid="item"
              title={
                <Checkbox
                  checked={chosen.has(i.id) && selectable(i)}
                  disabled={!selectable(i)}
                  onChange={(e) => toggle(i.id, e.target.checked)}
                >
                  {i.kindName}
                </Checkbox>
              }
              extra={
                <Button type="link" onClick={() => remove(i.id)}>
                  移除
                </Button>
              }
            >
              <dl className="asst-fields">
                {itemFields(i)
                  .slice(1)
                  .map((f) => (
                    <div key={f.label}>
                      <dt>{f.label}</dt>
                      <dd>{f.value}</dd>
                    </div>
                  ))}
              </dl>
              <div>
                <VerificationTag status={i.verification.status} />
                <CheckTag item={i} />
              </div>
              <CheckReasons item={i} />
              {selectable(i) && (
                <div className="asst-card-amount">
                  <span>本次报销金额</span>
                  <AmountInput
                    item={i}
                    size="large"
                    value={amountOf(i)}
                    error={chosen.has(i.id) && selectable(i) ? amountError(i) : null}
                    onChange={(v) => setAmounts((a) => ({ ...a, [i.id]: v }))}
                  />
                </div>
              )}
            </Card>
          ))}
        </div>
      ) : (
        <Table<AssistantItem>
          rowKey="id"
          size="middle"
          data-testid="items"
          columns={columns}
          dataSource={items}
          pagination={false}
          rowClassName={(i) => (i.check.level === 'block' ? 'asst-row-block' : '')}
          scroll={{ x: 1300 }}
        />
      )}
      {importError && (
        <Alert type="error" showIcon message={importError} style={{ marginTop: 12 }} data-testid="import-error" />
      )}
      <div className={mobile ? 'asst-footer asst-footer-mobile' : 'asst-footer'}>
        <span data-testid="chosen-summary">
          已选 <b>{picked.length}</b> 张，报销金额 <b>{yuan(fenText(totalFen))}</b>
        </span>
        <Button
          type="primary"
          size="large"
          block={mobile}
          disabled={picked.length === 0 || invalid}
          loading={importing}
          onClick={() => void doImport()}
          data-testid="import"
        >
          导入单据
        </Button>
      </div>
      {picking && (
        <Suspense fallback={null}>
          <FolderPicker
            mobile={mobile}
            shown={new Set(items.map((i) => i.id))}
            onClose={(added) => {
              setPicking(false);
              if (added.length > 0) merge(added, true);
            }}
          />
        </Suspense>
      )}
      {scanning && (
        <Suspense fallback={null}>
          <CameraScanner
            onClose={() => setScanning(false)}
            onItems={(found) => merge(found, true)}
            onPhoto={(files) => void addFiles(files)}
          />
        </Suspense>
      )}
    </div>
  );
}

function AmountInput(props: {
  item: AssistantItem;
  value: string;
  error: string | null;
  onChange: (v: string) => void;
  disabled?: boolean;
  size?: 'large' | 'middle';
}) {
  return (
    <div>
      <Input
        aria-label={`报销金额 ${props.item.number ?? ''}`}
        prefix="¥"
        inputMode="decimal"
        maxLength={15}
        size={props.size ?? 'middle'}
        value={props.value}
        disabled={props.disabled}
        status={props.error ? 'error' : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.error ? (
        <div className="asst-field-error">{props.error}</div>
      ) : (
        <div className="asst-hint">可报销 {yuan(props.item.claim.remaining)}</div>
      )}
    </div>
  );
}

/** A drop target for many files (drag and drop, or click to choose); Ctrl+V on the page pastes too. */
function DropZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  return (
    <button
      type="button"
      data-testid="dropzone"
      className={over ? 'asst-drop asst-drop-over' : 'asst-drop'}
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
    >
      <InboxOutlined style={{ fontSize: 36, color: '#c8161d' }} />
      <span className="asst-drop-title">点击选择、拖入或粘贴（Ctrl+V）发票文件</span>
      <span className="asst-hint">支持 PDF、OFD、XML、JPG、PNG 及其 ZIP 压缩包，可一次多个</span>
      <input
        ref={input}
        type="file"
        multiple
        accept={ACCEPT}
        hidden
        data-testid="file-input"
        onChange={(e) => {
          onFiles([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </button>
  );
}

function fenText(fen: bigint): string {
  const neg = fen < 0n;
  const abs = neg ? -fen : fen;
  return `${neg ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Refusals whose message names the first reasons of its `details` list, and how many (import.ts). */
const MESSAGE_NAMES_FIRST: Readonly<Record<string, number>> = { ASSISTANT_NOT_IMPORTABLE: 3 };

/**
 * The refusal of 导入单据: the server's Chinese message, plus the reasons it lists in `details` that the message does
 * not name already — by the error's code (ASSISTANT_NOT_IMPORTABLE names the first three), not by searching the
 * message's text (a reason that is part of another one's text is still said) — each once.
 */
function refusalText(err: unknown): string {
  const base = errorMessage(err);
  const { code, details } = err as { code?: unknown; details?: Record<string, unknown> | null };
  const list = (details?.invoices ?? details?.items) as Array<{ invoiceId?: string; reason?: string }> | undefined;
  if (!Array.isArray(list)) return base;
  const named = typeof code === 'string' ? (MESSAGE_NAMES_FIRST[code] ?? 0) : 0;
  const said = new Set(list.slice(0, named).map((d) => d.reason ?? d.invoiceId ?? ''));
  const more = [...new Set(list.slice(named).map((d) => d.reason ?? d.invoiceId ?? ''))].filter(
    (r) => r && !said.has(r),
  );
  return more.length === 0 ? base : `${base}；${more.join('；')}`;
}
