/** The layout files of an invoice, as the national platform delivers them. */
export const DOCUMENT_FORMATS = ['pdf', 'ofd', 'xml'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** Content-Type per format. OFD has no IANA registration; `application/ofd` is what Chinese platforms send. */
export const CONTENT_TYPES: Readonly<Record<DocumentFormat, string>> = {
  pdf: 'application/pdf',
  ofd: 'application/ofd',
  xml: 'application/xml; charset=utf-8',
};

/** True when `value` is one of {@link DOCUMENT_FORMATS}. */
export function isDocumentFormat(value: unknown): value is DocumentFormat {
  return typeof value === 'string' && (DOCUMENT_FORMATS as readonly string[]).includes(value);
}

/** Download file name: `{发票号码}.{ext}`. */
export function documentFileName(invoiceNumber: string, format: DocumentFormat): string {
  return `${invoiceNumber}.${format}`;
}
