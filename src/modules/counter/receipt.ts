import { type Static, Type } from 'typebox';
import { storedJson } from '../../platform/stored-json.js';

/** The thermal receipt (小票) layout of a seller org: paper, header/footer text, which fields are printed. */
export const ReceiptSettings = Type.Object(
  {
    paper: Type.Union([Type.Literal('58'), Type.Literal('80')], { description: '纸宽 58 mm 或 80 mm' }),
    header: Type.String({ maxLength: 100, description: '票头文字' }),
    footer: Type.String({ maxLength: 200, description: '票尾文字' }),
    fields: Type.Object(
      {
        seller: Type.Boolean({ description: '销方名称' }),
        items: Type.Boolean({ description: '商品明细' }),
        amount: Type.Boolean({ description: '金额' }),
        qr: Type.Boolean({ description: '开票二维码' }),
        expiry: Type.Boolean({ description: '二维码有效期' }),
        orderNo: Type.Boolean({ description: '订单号' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ReceiptSettings = Static<typeof ReceiptSettings>;

export const DEFAULT_RECEIPT: ReceiptSettings = {
  paper: '80',
  header: '扫码开发票',
  footer: '请在有效期内扫码填写抬头，发票将发送到您的邮箱。',
  fields: { seller: true, items: true, amount: true, qr: true, expiry: true, orderNo: true },
};

/** Default validity of a 码上开票 QR: one day (a ticket taken home can still be scanned that evening). */
export const DEFAULT_QR_VALIDITY_MINUTES = 1440;

export const receiptJson = storedJson('counter_settings.receipt_json', ReceiptSettings);
