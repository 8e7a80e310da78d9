/**
 * Pure CSV import of the full 税收分类编码 table (tax-rules §6). The caller reads the file and passes its text.
 * RFC 4180 quoting; header names in Chinese or English; rates such as "13%", "0.13", "13%、9%", "免税", "不征税".
 */
import { isTaxCodeFormatValid, type TaxCodeEntry } from './tax-codes.js';
import { normalizeTaxRate } from './tax-rates.js';

/** A row that could not be imported (1-based line number of the record's start). */
export interface TaxCodeCsvError {
  readonly line: number;
  readonly message: string;
}

/** Result of {@link parseTaxCodeCsv}. */
export interface TaxCodeCsvResult {
  readonly entries: readonly TaxCodeEntry[];
  readonly errors: readonly TaxCodeCsvError[];
}

type Column = 'code' | 'name' | 'shortName' | 'rate' | 'summary';

const HEADER_ALIASES: Readonly<Record<Column, readonly string[]>> = {
  code: ['code', '编码', '税收分类编码', '商品和服务税收分类编码', '合并编码'],
  name: ['name', '名称', '货物和劳务名称', '商品和服务名称'],
  shortName: ['shortname', '简称', '商品和服务分类简称', '分类简称'],
  rate: ['rate', 'defaultrate', '税率', '增值税税率', '税率/征收率'],
  summary: ['summary', 'issummary', '汇总项'],
};

/** Splits CSV text into records of fields, with the 1-based line where each record starts. */
export function parseCsvRecords(text: string): Array<{ line: number; fields: string[] }> {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: Array<{ line: number; fields: string[] }> = [];
  const state = { fields: [] as string[], field: '', quoted: false, line: 1, recordLine: 1 };
  const endRecord = () => {
    state.fields.push(state.field);
    if (state.fields.some((f) => f !== '')) records.push({ line: state.recordLine, fields: state.fields });
    state.fields = [];
    state.field = '';
  };
  for (let i = 0; i < source.length; i++) {
    const char = source[i] as string;
    if (state.quoted) {
      if (char === '"' && source[i + 1] === '"') i++;
      else if (char === '"') {
        state.quoted = false;
        continue;
      }
      if (char === '\n') state.line++;
      state.field += char;
    } else if (char === '"') {
      state.quoted = true;
    } else if (char === ',') {
      state.fields.push(state.field);
      state.field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && source[i + 1] === '\n') i++;
      endRecord();
      state.line++;
      state.recordLine = state.line;
    } else {
      state.field += char;
    }
  }
  endRecord();
  return records;
}

/** Parses the code table CSV. The header row must name at least the code, name and 简称 columns. */
export function parseTaxCodeCsv(text: string): TaxCodeCsvResult {
  const [header, ...rows] = parseCsvRecords(text);
  if (!header) return { entries: [], errors: [{ line: 1, message: '文件为空' }] };
  const columns = mapHeader(header.fields);
  const missing = (['code', 'name', 'shortName'] as const).filter((c) => columns[c] === undefined);
  if (missing.length > 0)
    return { entries: [], errors: [{ line: header.line, message: `缺少列：${missing.join(', ')}` }] };
  const entries: TaxCodeEntry[] = [];
  const errors: TaxCodeCsvError[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const cell = (c: Column) => (columns[c] === undefined ? '' : (row.fields[columns[c]] ?? '').trim());
    const result = toEntry(cell('code'), cell('name'), cell('shortName'), cell('rate'), cell('summary'));
    if (typeof result === 'string') errors.push({ line: row.line, message: result });
    else if (seen.has(result.code)) errors.push({ line: row.line, message: `编码 ${result.code} 重复` });
    else {
      seen.add(result.code);
      entries.push(result);
    }
  }
  return { entries, errors };
}

function mapHeader(fields: readonly string[]): Partial<Record<Column, number>> {
  const columns: Partial<Record<Column, number>> = {};
  fields.forEach((raw, index) => {
    const name = raw.trim().toLowerCase();
    for (const [column, aliases] of Object.entries(HEADER_ALIASES) as Array<[Column, readonly string[]]>) {
      if (columns[column] === undefined && aliases.includes(name)) columns[column] = index;
    }
  });
  return columns;
}

function toEntry(code: string, name: string, shortName: string, rate: string, summary: string): TaxCodeEntry | string {
  if (!isTaxCodeFormatValid(code)) return `编码 "${code}" 不是 19 位税收分类编码`;
  if (!name) return `编码 ${code} 缺少名称`;
  if (!shortName) return `编码 ${code} 缺少简称`;
  const isSummary = ['是', 'y', 'yes', 'true', '1'].includes(summary.toLowerCase());
  const parsed = parseRateCell(rate);
  if (parsed === null) return `编码 ${code} 的税率 "${rate}" 无法识别`;
  return { code, name, shortName, ...parsed, ...(isSummary ? { isSummary } : {}) };
}

/** "13%、9%" → first rate; "免税"/"不征税" → rate 0 with flag 03/04; empty → "0". */
function parseRateCell(cell: string): Pick<TaxCodeEntry, 'defaultRate' | 'defaultPolicyFlag'> | null {
  const first = cell.split(/[、,，;；/\s]+/).find((part) => part !== '') ?? '';
  if (first === '') return { defaultRate: '0' };
  if (first === '免税') return { defaultRate: '0', defaultPolicyFlag: '03' };
  if (first === '不征税') return { defaultRate: '0', defaultPolicyFlag: '04' };
  const rate = normalizeTaxRate(first);
  return rate === null ? null : { defaultRate: rate };
}
