/**
 * 拍照识别 on phones: the rear camera (getUserMedia) read by zxing-wasm in the browser — the reader's wasm served by
 * our own server (the kiosk's /k/assets/zxing_reader.wasm, never a CDN) — and an invoice QR (`01,…`) sent to
 * POST /api/v1/assistant/page/qr. Where no camera opens, or the QR cannot be read, 上传照片 uploads the picture
 * instead (read on the server).
 */
import { Alert, Button, Modal, Space } from 'antd';
import { useEffect, useRef, useState } from 'react';
import type { ReadResult } from 'zxing-wasm/reader';
import { type AssistantItem, errorMessage, pageApi } from './assistant-api';
import { PhotoButton } from './item-parts';

/** The reader's wasm as the kiosk serves it (src/modules/counter/h5/kiosk-pages.ts KIOSK_ASSETS). */
export const READER_WASM_URL = '/k/assets/zxing_reader.wasm';
/** An invoice QR payload (tax-rules §3): version 01, the type code, … — anything else is named as not an invoice. */
const INVOICE_QR = /^01,\d{2},/;
const OPTS = { formats: ['QRCode' as const], maxNumberOfSymbols: 1, tryHarder: true };
/** The camera closes after this long without a hit. */
const CAMERA_MS = 120_000;

type Reader = typeof import('zxing-wasm/reader');
let reader: Promise<Reader> | null = null;
function loadReader(): Promise<Reader> {
  reader ??= import('zxing-wasm/reader').then(async (z) => {
    await z.prepareZXingModule({
      overrides: {
        locateFile: (file: string, prefix: string) => (file.endsWith('.wasm') ? READER_WASM_URL : prefix + file),
      },
      fireImmediately: true,
    });
    return z;
  });
  return reader;
}

export default function CameraScanner({
  onClose,
  onItems,
  onPhoto,
}: {
  onClose: () => void;
  onItems: (items: AssistantItem[]) => void;
  onPhoto: (files: File[]) => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState('正在打开摄像头…');
  const [failed, setFailed] = useState(false);
  const [found, setFound] = useState(0);
  // The latest callback (the effect runs once, for the camera's whole life).
  const itemsTo = useRef(onItems);
  itemsTo.current = onItems;

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer = 0;
    let stopped = false;
    const seen = new Set<string>();
    const until = Date.now() + CAMERA_MS;
    const canvas = document.createElement('canvas');
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      for (const t of stream?.getTracks() ?? []) t.stop();
      stream = null;
    };
    const hit = async (results: ReadResult[]) => {
      for (const r of results) {
        const text = r.text?.trim();
        if (!text || seen.has(text)) continue;
        seen.add(text);
        if (!INVOICE_QR.test(text)) {
          setStatus('这不是发票上的二维码，请对准发票右上角的二维码');
          continue;
        }
        setStatus('已识别，正在查询发票…');
        try {
          const res = await pageApi.qr(text.slice(0, 500));
          itemsTo.current(res.items);
          setFound((n) => n + res.items.length);
          setStatus('已添加。可以继续扫描下一张发票');
        } catch (err) {
          setStatus(errorMessage(err));
        }
      }
    };
    const tick = async (z: Reader) => {
      if (stopped) return;
      if (Date.now() > until) {
        stop();
        setStatus('已关闭摄像头；需要时请重新打开');
        return;
      }
      const v = video.current;
      if (v && v.videoWidth > 0) {
        canvas.width = v.videoWidth;
        canvas.height = v.videoHeight;
        const g = canvas.getContext('2d', { willReadFrequently: true });
        if (g) {
          g.drawImage(v, 0, 0);
          const results = await z.readBarcodes(g.getImageData(0, 0, canvas.width, canvas.height), OPTS).catch(() => []);
          await hit(results);
        }
      }
      if (!stopped) timer = window.setTimeout(() => void tick(z), 150);
    };
    if (!navigator.mediaDevices?.getUserMedia || typeof WebAssembly !== 'object') {
      setFailed(true);
      setStatus('此浏览器无法打开摄像头，请上传发票照片');
      return stop;
    }
    navigator.mediaDevices
      .getUserMedia({
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      })
      .then(async (s) => {
        if (stopped) {
          for (const t of s.getTracks()) t.stop();
          return;
        }
        stream = s;
        if (video.current) {
          video.current.srcObject = s;
          void video.current.play().catch(() => undefined);
        }
        setStatus('正在启动识别…');
        const z = await loadReader();
        if (stopped) return;
        setStatus('请将发票上的二维码对准摄像头');
        void tick(z);
      })
      .catch(() => {
        stop();
        setFailed(true);
        setStatus('无法打开摄像头，请上传发票照片');
      });
    return stop;
  }, []);

  return (
    <Modal
      open
      title="拍照识别"
      width="100vw"
      className="asst-modal-mobile"
      onCancel={onClose}
      footer={null}
      destroyOnHidden
    >
      {!failed && <video ref={video} className="asst-camera" muted playsInline autoPlay data-testid="camera-view" />}
      <p className="asst-camera-msg" role="status" aria-live="polite" data-testid="camera-msg">
        {status}
      </p>
      {failed && (
        <Alert type="warning" showIcon message="可以用手机相机拍摄发票，再上传照片识别" style={{ marginBottom: 12 }} />
      )}
      <Space direction="vertical" style={{ width: '100%' }}>
        <PhotoButton
          onFiles={(files) => {
            onPhoto(files);
            onClose();
          }}
        />
        <Button size="large" block type={found > 0 ? 'primary' : 'default'} onClick={onClose} data-testid="camera-done">
          {found > 0 ? `完成（已添加 ${found} 张）` : '关闭'}
        </Button>
      </Space>
    </Modal>
  );
}
