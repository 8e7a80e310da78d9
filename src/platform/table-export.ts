/**
 * Streamed table exports (CSV and XLSX) of any list: the caller gives its columns and an async iterable of row
 * pages (keyset pages read one at a time), and gets the file's bytes chunk by chunk, so an export of any size holds
 * one page in memory. The XLSX file is written part by part into a streaming zip (fflate), its one sheet with inline
 * strings (no shared-string table to hold). Text cells stay text (invoice numbers, tax ids); money cells are numbers
 * with 2 decimals. Used by the invoice pool (销项) and the received-invoice pool (进项).
 */
import { strToU8, Zip, ZipDeflate } from 'fflate';

export type ExportFormat = 'csv' | 'xlsx';

/** A column: its header, its value, and how the XLSX sheet types it (`text`, or `money`: a number with 2 decimals). */
export interface ExportColumn<R> {
  readonly header: string;
  readonly type: 'text' | 'money';
  readonly width: number;
  value(row: R): string;
}

/** The export file's bytes, chunk by chunk (one chunk per page and a few for the XLSX frame). */
export function tableExportChunks<R>(
  format: ExportFormat,
  columns: readonly ExportColumn<R>[],
  pages: AsyncIterable<R[]>,
  sheetName = 'Sheet1',
): AsyncIterable<Uint8Array> {
  return format === 'csv' ? csvChunks(columns, pages) : xlsxChunks(columns, sheetName, pages);
}

// ---- CSV ----

/** Long digit strings (invoice numbers, codes, numeric ids) that a spreadsheet would turn into rounded numbers. */
const LONG_DIGITS = /^\d{12,}$/;

/**
 * One CSV cell, always quoted. A value starting with = + - @ (a minus not followed by a digit), tab or CR gets a `'`
 * prefix so a spreadsheet never evaluates it (CSV injection); a long digit string gets a leading tab so Excel opens
 * it as text instead of rounding it to 15 digits (strip leading tabs when reading the file by machine).
 */
export function csvCell(value: string): string {
  let safe = value;
  if (/^[=+@\t\r]/.test(value) || (value.startsWith('-') && !/^-\d/.test(value))) safe = `'${value}`;
  else if (LONG_DIGITS.test(value)) safe = `\t${value}`;
  return `"${safe.replace(/"/g, '""')}"`;
}

function csvLine(values: readonly string[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

async function* csvChunks<R>(
  columns: readonly ExportColumn<R>[],
  pages: AsyncIterable<R[]>,
): AsyncGenerator<Uint8Array> {
  // UTF-8 BOM: Excel then reads the file as UTF-8 (Chinese text), other tools ignore it.
  yield Buffer.from(`\uFEFF${csvLine(columns.map((c) => c.header))}`, 'utf8');
  for await (const rows of pages) {
    yield Buffer.from(rows.map((r) => csvLine(columns.map((c) => c.value(r)))).join(''), 'utf8');
  }
}

// ---- XLSX (SpreadsheetML in a streaming zip) ----

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

const STATIC_PARTS: ReadonlyArray<readonly [string, string]> = [
  [
    '[Content_Types].xml',
    `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
      '</Types>',
  ],
  [
    '_rels/.rels',
    `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
      `<Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  ],
  [
    'xl/workbook.xml',
    `${XML_HEAD}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
      '<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
  ],
  [
    'xl/_rels/workbook.xml.rels',
    `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
      `<Relationship Id="rId1" Type="${NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
      `<Relationship Id="rId2" Type="${NS_REL}/styles" Target="styles.xml"/></Relationships>`,
  ],
  [
    // Cell styles: 0 default, 1 text (number format "@": an edited cell stays text), 2 money ("#,##0.00"),
    // 3 the bold header.
    'xl/styles.xml',
    `${XML_HEAD}<styleSheet xmlns="${NS_MAIN}">` +
      '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      '<cellXfs count="4">' +
      '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
      '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
      '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
      '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>' +
      '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
  ],
];

const STYLE_TEXT = 1;
const STYLE_MONEY = 2;
const STYLE_HEADER = 3;

/** Spreadsheet column letters: A … Z, AA … */
function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** Text for XML: the five entities escaped, characters XML 1.0 cannot carry dropped. */
export function xmlText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

function textCell(ref: string, value: string, style: number): string {
  return value === ''
    ? `<c r="${ref}" s="${style}"/>`
    : `<c r="${ref}" s="${style}" t="inlineStr"><is><t xml:space="preserve">${xmlText(value)}</t></is></c>`;
}

function sheetRow(rowNo: number, cells: string[]): string {
  return `<row r="${rowNo}">${cells.join('')}</row>`;
}

function xlsxRow<R>(columns: readonly ExportColumn<R>[], letters: readonly string[], rowNo: number, row: R): string {
  return sheetRow(
    rowNo,
    columns.map((c, i) => {
      const ref = `${letters[i]}${rowNo}`;
      const value = c.value(row);
      // Money: the exact decimal (≤ 15 significant digits, which a spreadsheet's number holds exactly), shown with 2 decimals.
      return c.type === 'money' && value !== ''
        ? `<c r="${ref}" s="${STYLE_MONEY}"><v>${value}</v></c>`
        : textCell(ref, value, STYLE_TEXT);
    }),
  );
}

async function* xlsxChunks<R>(
  columns: readonly ExportColumn<R>[],
  sheetName: string,
  pages: AsyncIterable<R[]>,
): AsyncGenerator<Uint8Array> {
  const letters = columns.map((_, i) => columnLetter(i));
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, data) => {
    if (err) failure = err;
    else out.push(data);
  });
  const drain = function* () {
    if (failure) throw failure;
    while (out.length > 0) yield out.shift()!;
  };
  const mtime = new Date('2000-01-01T00:00:00Z');
  for (const [name, content] of STATIC_PARTS) {
    const part = new ZipDeflate(name, { level: 6 });
    part.mtime = mtime;
    zip.add(part);
    part.push(strToU8(content.replace('{sheet}', xmlText(sheetName))), true);
  }
  const sheet = new ZipDeflate('xl/worksheets/sheet1.xml', { level: 6 });
  sheet.mtime = mtime;
  zip.add(sheet);
  const cols = columns
    .map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`)
    .join('');
  sheet.push(
    strToU8(
      `${XML_HEAD}<worksheet xmlns="${NS_MAIN}"><sheetViews><sheetView workbookViewId="0">` +
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
        `<cols>${cols}</cols><sheetData>` +
        sheetRow(
          1,
          columns.map((c, i) => textCell(`${letters[i]}1`, c.header, STYLE_HEADER)),
        ),
    ),
  );
  yield* drain();
  let rowNo = 1;
  for await (const rows of pages) {
    sheet.push(strToU8(rows.map((r) => xlsxRow(columns, letters, ++rowNo, r)).join('')));
    yield* drain();
  }
  sheet.push(strToU8('</sheetData></worksheet>'), true);
  zip.end();
  yield* drain();
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
