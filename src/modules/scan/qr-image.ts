import QRCode from 'qrcode';

/** QR image formats served for links. */
export type QrFormat = 'png' | 'svg';

/**
 * A QR image of a link, sized for a 58 mm receipt: error correction M, 2-module quiet zone; PNG at 6 px a module.
 * Short links (`/s/{17 chars}`) fit a version 3–4 symbol.
 */
export async function renderQr(text: string, format: QrFormat): Promise<{ body: Buffer | string; type: string }> {
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 };
  if (format === 'svg') {
    return { body: await QRCode.toString(text, { ...options, type: 'svg' }), type: 'image/svg+xml' };
  }
  return { body: await QRCode.toBuffer(text, { ...options, type: 'png', scale: 6 }), type: 'image/png' };
}
