/**
 * validateInvoiceDraft: checks a draft as strictly as the tax platform would, collecting every violation, and
 * returns the normalised invoice (lines, totals, 大写) when there is none. Pure: no I/O, no clock.
 */
import { checkLength } from './field-checks.js';
import type { ComputedInvoice, ComputedInvoiceLine, InvoiceDraft } from './invoice-draft.js';
import { getInvoiceKindInfo, type InvoiceKindInfo, isInvoiceKind } from './invoice-kinds.js';
import { hasRequiredRedRemark } from './red-letter.js';
import { checkDiscountLines } from './validate-discounts.js';
import { type CheckedLine, checkLine } from './validate-line.js';
import { checkBuyer, checkSeller } from './validate-parties.js';
import { checkTotals } from './validate-totals.js';
import {
  type ResolvedValidateOptions,
  resolveValidateOptions,
  type ValidateInvoiceOptions,
} from './validation-options.js';
import { type TaxWarning, type Violation, violation } from './violations.js';

/** Result of {@link validateInvoiceDraft}; warnings never block. */
export type InvoiceValidationResult =
  | { readonly ok: true; readonly invoice: ComputedInvoice; readonly warnings: readonly TaxWarning[] }
  | { readonly ok: false; readonly violations: readonly Violation[]; readonly warnings: readonly TaxWarning[] };

/** Validates a draft and computes the invoice. See TAX_VIOLATION_CODES for every possible code. */
export function validateInvoiceDraft(
  draft: InvoiceDraft,
  options: ValidateInvoiceOptions = {},
): InvoiceValidationResult {
  const out: Violation[] = [];
  const warnings: TaxWarning[] = [];
  const isRed = draft.isRed === true;
  const kindInfo = isInvoiceKind(draft.kind) ? getInvoiceKindInfo(draft.kind) : null;
  if (!kindInfo)
    out.push(violation('INVOICE_KIND_INVALID', '/kind', `票种代码 ${JSON.stringify(draft.kind)} 不在支持范围内`));
  const resolved = resolveValidateOptions(options, kindInfo?.kind ?? null);
  checkSeller(out, warnings, draft, resolved);
  const buyer = checkBuyer(out, warnings, draft, kindInfo, resolved);
  checkRemark(out, draft, kindInfo, isRed, resolved);
  const lines = checkLines(out, draft, resolved, isRed);
  const listRequired = kindInfo?.medium === 'paper' && lines.length > resolved.paperLinesWithoutList;
  if (listRequired) {
    warnings.push({
      code: 'LIST_REQUIRED',
      path: '/lines',
      message: `纸质发票明细 ${lines.length} 行，超过 ${resolved.paperLinesWithoutList} 行需开具销货清单`,
    });
  }
  const computed = lines.map((l) => l.computed);
  if (out.length > 0 || !kindInfo || computed.some((c) => c === null)) return { ok: false, violations: out, warnings };
  const totals = checkTotals(out, draft, computed as readonly ComputedInvoiceLine[], lines, resolved);
  if (out.length > 0 || !totals) return { ok: false, violations: out, warnings };
  const invoice: ComputedInvoice = {
    kind: kindInfo.kind,
    kindName: kindInfo.name,
    isSpecial: kindInfo.isSpecial,
    isDigital: kindInfo.isDigital,
    isRed,
    seller: draft.seller,
    buyer: { ...draft.buyer, ...buyer },
    lines: computed as readonly ComputedInvoiceLine[],
    totals,
    ...(draft.remark === undefined ? {} : { remark: draft.remark }),
    listRequired,
  };
  return { ok: true, invoice, warnings };
}

function checkLines(
  out: Violation[],
  draft: InvoiceDraft,
  options: ResolvedValidateOptions,
  isRed: boolean,
): CheckedLine[] {
  const draftLines = Array.isArray(draft.lines) ? draft.lines : [];
  if (draftLines.length === 0) {
    out.push(violation('LINES_REQUIRED', '/lines', '发票至少需要一行明细'));
    return [];
  }
  if (draftLines.length > options.maxLines) {
    const message = `明细行数 ${draftLines.length} 超过上限 ${options.maxLines}`;
    out.push(violation('TOO_MANY_LINES', '/lines', message, { max: options.maxLines, count: draftLines.length }));
    return [];
  }
  const checked = draftLines.map((line, index) => checkLine(out, line, index, options, isRed));
  checkDiscountLines(
    out,
    checked.map((c) => c.discountFacts),
  );
  return checked;
}

function checkRemark(
  out: Violation[],
  draft: InvoiceDraft,
  kind: InvoiceKindInfo | null,
  isRed: boolean,
  options: ResolvedValidateOptions,
): void {
  checkLength(
    out,
    draft.remark,
    isRed ? 'redRemark' : 'remark',
    '/remark',
    isRed ? '红字发票备注' : '备注',
    options.lengthUnit,
  );
  if (isRed && kind && options.requireRedRemark && !hasRequiredRedRemark(kind.kind, draft.remark)) {
    out.push(
      violation('RED_REMARK_MISSING', '/remark', '红字发票备注须注明被红冲蓝字发票信息（如“被红冲蓝字数电票号码：…”）'),
    );
  }
}
