import { POSTER_SIZES, type PosterSize, renderQrPosterPdf } from '../scan/index.js';

export { POSTER_SIZES, type PosterSize };

export interface ReservationPosterInput {
  /** The reservation link `/r/{key}` the QR code carries. */
  url: string;
  sellerName: string;
  qrName: string;
  size: PosterSize;
}

const BLUE = [22, 93, 200] as const;

/**
 * 预约开票 counter poster: the scan module's QR poster layout with a blue band ("扫码预约开票"), the seller and the
 * QR's name, and the reservation's three steps.
 */
export function renderReservationPosterPdf(input: ReservationPosterInput): Buffer {
  return renderQrPosterPdf(
    {
      url: input.url,
      size: input.size,
      accent: BLUE,
      title: '扫码预约开票',
      subtitle: '先提交抬头 · 柜台凭序号开具',
      heading: input.sellerName,
      subheading: input.qrName,
      steps: [
        '1. 用微信、支付宝或手机相机扫描上方二维码',
        '2. 填写发票抬头和手机号或邮箱，提交后记下您的序号',
        '3. 到柜台报序号，开具后发票发送到您的手机或邮箱',
      ],
    },
    { title: `扫码预约开票 ${input.sellerName}`, idSeed: `reservation-poster:${input.size}:${input.url}` },
  );
}
