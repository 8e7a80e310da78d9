/**
 * The catalogue's CSV file (导入/导出): one header row naming the columns (Chinese or English, any order), then one
 * item per row. Pure: the caller passes the text (its size capped by the route) and gets every row or its errors.
 */
import { csvCell } from '../../platform/table-export.js';
import { normalizeTaxRate, parseCsvRecords } from '../../tax/index.js';
import type { CatalogueItem } from './catalogue.tables.js';
import type { FieldError, ItemFields } from './item-rules.js';

type Column = keyof ItemFields;

const HEADER_ALIASES: Readonly<Record<Column, readonly string[]>> = {
  name: ['名称', '商品名称', '项目名称', '货物或应税劳务、服务名称', 'name'],
  spec: ['规格型号', '规格', 'spec'],
  unit: ['单位', '计量单位', 'unit'],
  taxCode: ['税收分类编码', '商品和服务税收分类编码', '编码', 'taxcode'],
  taxRate: ['税率', '税率/征收率', '征收率', 'taxrate'],
  unitPrice: ['单价', '默认单价', 'unitprice'],
  taxInclusive: ['含税', '单价含税', '含税标志', 'taxinclusive'],
  enabled: ['启用', '状态', 'enabled'],
};

/** The export's header (the import reads it back). */
export const CSV_COLUMNS: readonly [Column, string][] = [
  ['name', '名称'],
  ['spec', '规格型号'],
  ['unit', '单位'],
  ['taxCode', '税收分类编码'],
  ['taxRate', '税率'],
  ['unitPrice', '单价'],
  ['taxInclusive', '含税'],
  ['enabled', '启用'],
];

/** At most this many item rows per file. */
export const CSV_MAX_ROWS = 5000;
/** Longest field kept for checking; longer ones are refused by the item rules anyway. */
const FIELD_CAP = 300;

const TRUE_WORDS = new Set(['是', '含税', '启用', 'true', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['否', '不含税', '停用', '禁用', 'false', 'no', 'n', '0']);

export interface CsvRow {
  /** 1-based line of the row in the file. */
  line: number;
  fields: ItemFields | null;
  errors: FieldError[];
}

export type CsvParse = { ok: true; rows: CsvRow[] } | { ok: false; message: string };

/** A cell as the export wrote it: leading tab (Excel text guard) and `'` (formula guard) removed, trimmed. */
function cellText(raw: string | undefined): string {
  const text = (raw ?? '').slice(0, FIELD_CAP).trim();
  return /^'[=+\-@]/.test(text) ? text.slice(1) : text;
}

function bool(raw: string, fallback: boolean): boolean | null {
  if (raw === '') return fallback;
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return null;
}

/** Reads the file into rows of item fields; a row whose cells cannot be read carries its errors instead. */
export function parseCatalogueCsv(text: string): CsvParse {
  const records = parseCsvRecords(text);
  const header = records.shift();
  if (!header) return { ok: false, message: '文件为空：第一行须为表头（名称、税收分类编码、税率……）' };
  const index = new Map<Column, number>();
  header.fields.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    for (const [column, aliases] of Object.entries(HEADER_ALIASES) as [Column, readonly string[]][]) {
      if (aliases.includes(name) && !index.has(column)) index.set(column, i);
    }
  });
  const missing = (['name', 'taxCode', 'taxRate'] as const).filter((c) => !index.has(c));
  if (missing.length > 0) {
    const names = missing.map((c) => CSV_COLUMNS.find(([k]) => k === c)![1]);
    return { ok: false, message: `表头缺少列：${names.join('、')}` };
  }
  if (records.length === 0) return { ok: false, message: '文件没有商品行' };
  if (records.length > CSV_MAX_ROWS)
    return { ok: false, message: `一次最多导入 ${CSV_MAX_ROWS} 行，文件有 ${records.length} 行` };
  const rows = records.map(({ line, fields }): CsvRow => {
    const cell = (c: Column) => {
      const i = index.get(c);
      return i === undefined ? '' : cellText(fields[i]);
    };
    const errors: FieldError[] = [];
    const rateText = cell('taxRate');
    const rate = rateText === '' ? null : normalizeTaxRate(rateText);
    if (rate === null)
      errors.push({ field: 'taxRate', message: `税率 ${rateText.slice(0, 20) || '（空）'} 无效，如 6% 或 0.06` });
    const taxInclusive = bool(cell('taxInclusive'), true);
    if (taxInclusive === null) errors.push({ field: 'taxInclusive', message: '含税须填 是 或 否' });
    const enabled = bool(cell('enabled'), true);
    if (enabled === null) errors.push({ field: 'enabled', message: '启用须填 是 或 否' });
    const optional = (c: Column) => cell(c) || undefined;
    return {
      line,
      errors,
      fields:
        errors.length > 0
          ? null
          : {
              name: cell('name'),
              spec: optional('spec'),
              unit: optional('unit'),
              taxCode: cell('taxCode'),
              taxRate: rate!,
              unitPrice: optional('unitPrice'),
              taxInclusive: taxInclusive!,
              enabled: enabled!,
            },
    };
  });
  return { ok: true, rows };
}

/** The export: UTF-8 with BOM (Excel), the {@link CSV_COLUMNS} header, one row per item. */
export function catalogueCsv(items: readonly CatalogueItem[]): string {
  const lines = [CSV_COLUMNS.map(([, label]) => csvCell(label)).join(',')];
  for (const item of items) {
    const values: Record<Column, string> = {
      name: item.name,
      spec: item.spec,
      unit: item.unit ?? '',
      taxCode: item.tax_code,
      taxRate: item.tax_rate,
      unitPrice: item.unit_price ?? '',
      taxInclusive: item.tax_inclusive === 1 ? '是' : '否',
      enabled: item.enabled === 1 ? '是' : '否',
    };
    lines.push(CSV_COLUMNS.map(([key]) => csvCell(values[key])).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
