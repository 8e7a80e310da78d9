import { createQrMatrix, type DrawOp, measureText, type PageDrawing, renderDrawingPdf } from '../documents/index.js';

/** Paper sizes of the counter poster (portrait, mm). */
export const POSTER_SIZES = { a4: [210, 297], a5: [148, 210] } as const;
export type PosterSize = keyof typeof POSTER_SIZES;

export interface ReservationPosterInput {
  /** The reservation link `/r/{key}` the QR code carries. */
  url: string;
  sellerName: string;
  qrName: string;
  size: PosterSize;
}

const BLUE = [22, 93, 200] as const;
const WHITE = [255, 255, 255] as const;
const INK = [33, 33, 33] as const;
const GREY = [110, 110, 110] as const;

/**
 * 预约开票 counter poster: a band with "扫码预约开票", the seller and the QR's name, the QR code (vector, quiet zone
 * kept clear, framed), three steps and the link in text. A5 is A4 at 148/210 (the scan poster's layout).
 */
export function reservationPosterDrawing(input: ReservationPosterInput): PageDrawing {
  const [width, height] = POSTER_SIZES[input.size];
  const k = width / 210;
  const ops: DrawOp[] = [];
  const centered = (text: string, y: number, size: number, color: readonly [number, number, number], bold = false) => {
    let s = size;
    while (s > 3 * k && measureText(text, s) > width - 24 * k) s *= 0.92;
    ops.push({ kind: 'text', x: (width - measureText(text, s)) / 2, y, size: s, text, color, bold });
  };
  const band = 46 * k;
  ops.push({ kind: 'line', x1: 0, y1: band / 2, x2: width, y2: band / 2, width: band, color: BLUE });
  centered('扫码预约开票', 26 * k, 17 * k, WHITE, true);
  centered('先提交抬头 · 柜台凭序号开具', 38 * k, 6 * k, WHITE);
  centered(input.sellerName, 62 * k, 8.5 * k, INK, true);
  centered(input.qrName, 73 * k, 6 * k, GREY);
  const qr = createQrMatrix(input.url);
  const qrSize = 100 * k;
  const qrX = (width - qrSize) / 2;
  const qrY = 98 * k;
  ops.push({ kind: 'qr', x: qrX, y: qrY, size: qrSize, count: qr.count, modules: qr.modules });
  const pad = Math.max(7 * k, (qrSize / qr.count) * 4);
  const [l, t, r, b] = [qrX - pad, qrY - pad, qrX + qrSize + pad, qrY + qrSize + pad];
  ops.push({
    kind: 'path',
    width: 0.6 * k,
    color: BLUE,
    commands: [
      ['M', l, t],
      ['L', r, t],
      ['L', r, b],
      ['L', l, b],
      ['L', l, t],
    ],
  });
  const steps = [
    '1. 用微信、支付宝或手机相机扫描上方二维码',
    '2. 填写发票抬头和手机号或邮箱，提交后记下您的序号',
    '3. 到柜台报序号，开具后发票发送到您的手机或邮箱',
  ];
  const stepSize = 5.6 * k;
  const stepX = Math.max(18 * k, (width - Math.max(...steps.map((s) => measureText(s, stepSize)))) / 2);
  steps.forEach((text, i) => {
    ops.push({ kind: 'text', x: stepX, y: b + 15 * k + i * 10 * k, size: stepSize, text, color: INK });
  });
  const footer = height - 14 * k;
  ops.push({
    kind: 'line',
    x1: 16 * k,
    y1: footer - 9 * k,
    x2: width - 16 * k,
    y2: footer - 9 * k,
    width: 0.3 * k,
    color: GREY,
  });
  centered(input.url, footer - 2 * k, 3.6 * k, GREY);
  centered('电子发票与纸质发票具有同等法律效力', footer + 5 * k, 3.6 * k, GREY);
  return { width, height, ops };
}

export function renderReservationPosterPdf(input: ReservationPosterInput): Buffer {
  return renderDrawingPdf([reservationPosterDrawing(input)], {
    title: `扫码预约开票 ${input.sellerName}`,
    idSeed: `reservation-poster:${input.size}:${input.url}`,
  });
}
