/**
 * Test helpers of the parser: the pdf.js CMap directory (tests resolve it; the parser is given it) and the real
 * invoice fixtures with their hand-checked truth (test/fixtures/real-invoices, copied from shared/fixtures).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export const CMAP_URL = `${path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'cmaps')}/`;
export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/real-invoices');

export interface Truth {
  file: string;
  format: 'ofd' | 'pdf' | 'image';
  kind: string;
  invoiceCode: string | null;
  invoiceNumber: string;
  issueDate: string;
  buyerName: string | null;
  buyerTaxId: string | null;
  sellerName: string | null;
  sellerTaxId: string | null;
  amountExclTax: string | null;
  taxAmount: string | null;
  totalInclTax: string | null;
  checkCode: string | null;
  lineItemCount: number | null;
  notes: string | null;
}

export const TRUTH: Truth[] = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'truth.json'), 'utf8'));

export const readFixture = (file: string) => fs.readFileSync(path.join(FIXTURES, file));

/** truth.json kind names → our kind codes. */
export const KIND_CODES: Record<string, string> = {
  增值税电子普通发票: '026',
  '数电票-增值税专用发票': '81',
  '数电票-航空运输电子客票行程单': '61',
};
