/**
 * Collects field values from one or more readers (embedded XML, OFD tags, text layer, QR) with their source and
 * confidence, keeps the most trusted value of each field, and notes where sources disagree.
 */
import { RECEIVED_INVOICE_KIND_NAMES, type ReceivedInvoiceKind } from '../tax/index.js';
import type {
  FieldSource,
  ParsedField,
  ParsedFormat,
  ParsedInvoice,
  ParsedLine,
  ParsedPassenger,
  ParseWarning,
} from './types.js';

export type ScalarField = Exclude<ParsedField, 'lines' | 'passenger'>;

interface Held {
  value: string;
  source: FieldSource;
  confidence: number;
}

const LABELS: Readonly<Record<ParsedField, string>> = {
  kind: '票种',
  code: '发票代码',
  number: '发票号码',
  issueDate: '开票日期',
  checkCode: '校验码',
  'seller.name': '销售方名称',
  'seller.taxId': '销售方纳税人识别号',
  'buyer.name': '购买方名称',
  'buyer.taxId': '购买方纳税人识别号',
  'totals.amount': '合计金额',
  'totals.tax': '合计税额',
  'totals.total': '价税合计',
  lines: '项目明细',
  remark: '备注',
  passenger: '乘客信息',
};

/** Chinese label of a field, for messages. */
export const fieldLabel = (f: ParsedField): string => LABELS[f];

export class InvoiceDraft {
  private readonly values = new Map<ScalarField, Held>();
  private linesHeld: { lines: ParsedLine[]; source: FieldSource; confidence: number } | null = null;
  private passengerHeld: { value: ParsedPassenger; source: FieldSource; confidence: number } | null = null;
  readonly warnings: ParseWarning[] = [];
  amountInWords: string | null = null;
  isRed = false;
  qrPayload: string | null = null;
  private readonly disagreements = new Set<ScalarField>();

  constructor(readonly format: ParsedFormat) {}

  /** Offers a value; the higher confidence wins, a different value from another source is remembered as a conflict. */
  set(field: ScalarField, value: string | null | undefined, source: FieldSource, confidence: number): void {
    if (value == null || value === '') return;
    const held = this.values.get(field);
    if (!held) {
      this.values.set(field, { value, source, confidence });
      return;
    }
    if (held.value !== value && held.source !== source && field !== 'remark') this.disagreements.add(field);
    if (confidence > held.confidence) this.values.set(field, { value, source, confidence });
  }

  get(field: ScalarField): string | null {
    return this.values.get(field)?.value ?? null;
  }

  /** The fields whose held value came from `source`, with that value. */
  heldFrom(source: FieldSource): Array<[ScalarField, string]> {
    return [...this.values].filter(([, h]) => h.source === source).map(([f, h]) => [f, h.value]);
  }

  /** Replaces the confidence of a held value read from `source` (OCR: the score of the field's own characters). */
  setConfidence(field: ScalarField, source: FieldSource, confidence: number): void {
    const held = this.values.get(field);
    if (held && held.source === source) held.confidence = confidence;
  }

  sourceOf(field: ScalarField): FieldSource | null {
    return this.values.get(field)?.source ?? null;
  }

  setLines(lines: ParsedLine[], source: FieldSource, confidence: number): void {
    if (lines.length === 0) return;
    if (!this.linesHeld || confidence > this.linesHeld.confidence) this.linesHeld = { lines, source, confidence };
  }

  get lines(): readonly ParsedLine[] {
    return this.linesHeld?.lines ?? [];
  }

  setPassenger(value: ParsedPassenger, source: FieldSource, confidence: number): void {
    if (!this.passengerHeld || confidence > this.passengerHeld.confidence)
      this.passengerHeld = { value, source, confidence };
  }

  warn(warning: ParseWarning): void {
    if (!this.warnings.some((w) => w.code === warning.code && w.field === warning.field)) this.warnings.push(warning);
  }

  /** True when a structured source gave every key field (the text layer then adds nothing). */
  isComplete(): boolean {
    const key: ScalarField[] = ['number', 'issueDate', 'totals.total', 'seller.name', 'kind'];
    return key.every((f) => (this.values.get(f)?.confidence ?? 0) >= 0.9) && this.lines.length > 0;
  }

  /** True when the draft holds at least an invoice number or both a date and a total. */
  hasSubstance(): boolean {
    if (this.get('number') !== null || (this.get('issueDate') !== null && this.get('totals.total') !== null))
      return true;
    // A recognised ticket or invoice form with some figures (specimens, placeholder numbers) is still an invoice.
    const kind = this.get('kind');
    return kind !== null && kind !== 'other' && (this.get('totals.total') ?? this.get('totals.tax')) !== null;
  }

  finish(): ParsedInvoice {
    for (const field of this.disagreements) {
      const held = this.values.get(field);
      this.warn({
        code: 'SOURCES_DISAGREE',
        field,
        message: `${fieldLabel(field)}在文件的不同部分不一致，采用${held?.source ?? ''}中的值`,
      });
    }
    const kind = (this.get('kind') ?? 'other') as ReceivedInvoiceKind;
    const fieldSources: Partial<Record<ParsedField, FieldSource>> = {};
    const confidence: Partial<Record<ParsedField, number>> = {};
    for (const [field, held] of this.values) {
      fieldSources[field] = held.source;
      confidence[field] = round2(held.confidence);
    }
    if (this.linesHeld) {
      fieldSources.lines = this.linesHeld.source;
      confidence.lines = round2(this.linesHeld.confidence);
    }
    if (this.passengerHeld) {
      fieldSources.passenger = this.passengerHeld.source;
      confidence.passenger = round2(this.passengerHeld.confidence);
    }
    const key: ScalarField[] = ['number', 'issueDate', 'totals.total'];
    const overall = Math.min(...key.map((f) => this.values.get(f)?.confidence ?? 0));
    return {
      format: this.format,
      kind,
      kindName: RECEIVED_INVOICE_KIND_NAMES[kind] ?? RECEIVED_INVOICE_KIND_NAMES.other,
      code: this.get('code'),
      number: this.get('number'),
      issueDate: this.get('issueDate'),
      checkCode: this.get('checkCode'),
      seller: { name: this.get('seller.name'), taxId: this.get('seller.taxId') },
      buyer: { name: this.get('buyer.name'), taxId: this.get('buyer.taxId') },
      totals: { amount: this.get('totals.amount'), tax: this.get('totals.tax'), total: this.get('totals.total') },
      amountInWords: this.amountInWords,
      lines: this.lines,
      remark: this.get('remark'),
      isRed: this.isRed,
      passenger: this.passengerHeld?.value ?? null,
      qrPayload: this.qrPayload,
      fieldSources,
      confidence,
      overallConfidence: round2(overall),
      warnings: this.warnings,
    };
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;
