import { createQrMatrix, type DrawOp, measureText, type PageDrawing, renderDrawingPdf } from '../documents/index.js';

/** Paper sizes of the table-tent poster (portrait, mm). */
export const POSTER_SIZES = { a4: [210, 297], a5: [148, 210] } as const;
export type PosterSize = keyof typeof POSTER_SIZES;

export interface PosterInput {
  /** The static link `/q/{key}` the QR code carries. */
  url: string;
  sellerName: string;
  /** The setting's name (门店、收费站), printed under the seller when set. */
  settingName: string | null;
  /** The consumer types the amount (a preset line without amount). */
  entersAmount: boolean;
  size: PosterSize;
}

const RED = [200, 22, 29] as const;
const WHITE = [255, 255, 255] as const;
const INK = [33, 33, 33] as const;
const GREY = [110, 110, 110] as const;

type Rgb = readonly [number, number, number];

/** What a QR poster says: the scan-to-invoice 台卡 and the counter's reservation poster share one layout. */
export interface QrPosterLayout {
  /** The link the QR code carries (also printed in the footer for those who type it). */
  url: string;
  size: PosterSize;
  /** The band's colour. */
  accent: Rgb;
  /** The band's headline and the line under it. */
  title: string;
  subtitle: string;
  /** Under the band: the seller, and a second, smaller line when set. */
  heading: string;
  subheading: string | null;
  /** The numbered steps under the QR code. */
  steps: readonly string[];
}

/**
 * A QR poster: a coloured band with the headline, the seller, the QR code (vector, quiet zone kept clear, framed just
 * outside it), the steps and the link itself. Everything scales with the paper: A5 is A4 at 148/210.
 */
function qrPosterDrawing(layout: QrPosterLayout): PageDrawing {
  const [width, height] = POSTER_SIZES[layout.size];
  const k = width / 210;
  const ops: DrawOp[] = [];
  const centered = (text: string, y: number, size: number, color: Rgb, bold = false) => {
    let s = size;
    // Long names shrink to fit the margins rather than run off the page.
    while (s > 3 * k && measureText(text, s) > width - 24 * k) s *= 0.92;
    ops.push({ kind: 'text', x: (width - measureText(text, s)) / 2, y, size: s, text, color, bold });
  };

  // The band: a stroke as wide as the band is tall.
  const band = 46 * k;
  ops.push({ kind: 'line', x1: 0, y1: band / 2, x2: width, y2: band / 2, width: band, color: layout.accent });
  centered(layout.title, 26 * k, 17 * k, WHITE, true);
  centered(layout.subtitle, 38 * k, 6 * k, WHITE);

  centered(layout.heading, 62 * k, 8.5 * k, INK, true);
  if (layout.subheading) centered(layout.subheading, 73 * k, 6 * k, GREY);

  const qr = createQrMatrix(layout.url);
  const qrSize = 100 * k;
  const qrX = (width - qrSize) / 2;
  const qrY = 98 * k;
  ops.push({ kind: 'qr', x: qrX, y: qrY, size: qrSize, count: qr.count, modules: qr.modules });
  // A thin frame just outside the quiet zone (4 modules).
  const pad = Math.max(7 * k, (qrSize / qr.count) * 4);
  const [l, t, r, b] = [qrX - pad, qrY - pad, qrX + qrSize + pad, qrY + qrSize + pad];
  ops.push({
    kind: 'path',
    width: 0.6 * k,
    color: layout.accent,
    commands: [
      ['M', l, t],
      ['L', r, t],
      ['L', r, b],
      ['L', l, b],
      ['L', l, t],
    ],
  });

  const stepsTop = b + 15 * k;
  const stepSize = 5.6 * k;
  const stepX = Math.max(18 * k, (width - Math.max(...layout.steps.map((s) => measureText(s, stepSize)))) / 2);
  layout.steps.forEach((text, i) => {
    ops.push({ kind: 'text', x: stepX, y: stepsTop + i * 10 * k, size: stepSize, text, color: INK });
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
  centered(layout.url, footer - 2 * k, 3.6 * k, GREY);
  centered('电子发票与纸质发票具有同等法律效力', footer + 5 * k, 3.6 * k, GREY);
  return { width, height, ops };
}

/** A QR poster as a one-page PDF (same input, same bytes); `idSeed` keeps the PDF's id stable. */
export function renderQrPosterPdf(layout: QrPosterLayout, meta: { title: string; idSeed: string }): Buffer {
  return renderDrawingPdf([qrPosterDrawing(layout)], meta);
}

/**
 * 台卡: the printable poster of a setting's static QR code (码上开票) — a red band with "扫码开具发票", the seller and
 * the setting's name, the QR code, three steps and the link.
 */
function staticPosterLayout(input: PosterInput): QrPosterLayout {
  return {
    url: input.url,
    size: input.size,
    accent: RED,
    title: '扫码开具发票',
    subtitle: '数电发票 · 自助开票',
    heading: input.sellerName,
    subheading: input.settingName,
    steps: [
      '1. 打开微信、支付宝或手机相机，扫描上方二维码',
      input.entersAmount
        ? '2. 输入消费金额，填写发票抬头（个人或单位名称、税号）'
        : '2. 填写发票抬头（个人或单位名称、税号）',
      '3. 提交后即可下载电子发票，也可发送到邮箱',
    ],
  };
}

/** The poster as a one-page PDF (same input, same bytes). */
export function renderPosterPdf(input: PosterInput): Buffer {
  return renderQrPosterPdf(staticPosterLayout(input), {
    title: `扫码开具发票 ${input.sellerName}`,
    idSeed: `poster:${input.size}:${input.url}`,
  });
}
