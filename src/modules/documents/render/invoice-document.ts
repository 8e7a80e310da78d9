/**
 * What a rendered invoice shows: a plain, serialisable snapshot built from the stored invoice (see
 * build-invoice-document.ts) and sent to the render worker. Money, quantities and rates are the strings the tax
 * rules computed; nothing is recomputed while rendering.
 */

export interface DocumentParty {
  readonly name: string;
  readonly taxId: string | null;
  readonly address: string | null;
  readonly phone: string | null;
  readonly bankName: string | null;
  readonly bankAccount: string | null;
}

export interface DocumentLine {
  /** `*简称*名称`. */
  readonly name: string;
  readonly taxCode: string;
  readonly spec: string | null;
  readonly unit: string | null;
  readonly quantity: string | null;
  readonly unitPrice: string | null;
  readonly amount: string;
  /** Canonical rate, e.g. "0.13". */
  readonly taxRate: string;
  /** Printed rate: "13%", "免税", "不征税". */
  readonly taxRateLabel: string;
  readonly tax: string;
  /** Printed tax: the amount or "***". */
  readonly taxLabel: string;
}

export interface InvoiceDocument {
  /** 票种 code (81, 82 …). */
  readonly kind: string;
  /** 电子发票（增值税专用发票） / 电子发票（普通发票）. */
  readonly kindName: string;
  readonly isSpecial: boolean;
  readonly isRed: boolean;
  /** 20-digit 发票号码. */
  readonly number: string;
  /** 开票时间, epoch ms. */
  readonly issuedAt: number;
  readonly seller: DocumentParty;
  /** `name` is the printed name (`xx（个人）` for a natural person). */
  readonly buyer: DocumentParty;
  readonly lines: readonly DocumentLine[];
  readonly totals: {
    readonly amount: string;
    readonly tax: string;
    readonly total: string;
    readonly totalInWords: string;
  };
  /** The invoice remark; red invoices carry the required red remark (tax-rules §8.1). */
  readonly remark: string | null;
  readonly drawer: string | null;
  /** The official QR text (tax-rules §3.1). */
  readonly qrPayload: string;
  /** Red invoices: the blue invoice's number and the confirmation form. */
  readonly red: { readonly blueNumber: string; readonly formNo: string | null } | null;
  /** 主管税务机关 for TaxSupervisionInfo (tax-rules §9.1), derived from the number's province digits. */
  readonly taxBureau: { readonly code: string; readonly name: string };
}

const CHINA_OFFSET_MS = 8 * 3600_000;

/** China Standard Time parts of an epoch-ms instant. */
export function cstParts(epochMs: number): { date: string; time: string; ymd: [string, string, string] } {
  const iso = new Date(epochMs + CHINA_OFFSET_MS).toISOString();
  const date = iso.slice(0, 10);
  return { date, time: iso.slice(11, 19), ymd: [date.slice(0, 4), date.slice(5, 7), date.slice(8, 10)] };
}

/** 开票日期 as printed: `2025年06月01日`. */
export function printedDate(epochMs: number): string {
  const [y, m, d] = cstParts(epochMs).ymd;
  return `${y}年${m}月${d}日`;
}
