/**
 * Classifies a 纳税人识别号 following tax-rules §7.5: 18 chars → USCC (§7.3) unless it is a valid 18-digit
 * 身份证 (natural person); 15/17/20 chars → legacy formats, checked on format only. The optional
 * 组织机构代码 inner check (§7.4) only produces a warning.
 */
import { isValidResidentId } from './resident-id.js';
import { checkUsccOrgCode, isValidUscc } from './uscc.js';

/** Kinds of tax id. */
export type TaxIdClass = 'uscc' | 'legacy' | 'resident_id';

/** Warnings of {@link classifyTaxId}. */
export type TaxIdWarning = 'ORG_CODE_CHECK_FAILED';

/** Result of {@link classifyTaxId}. */
export type TaxIdClassification =
  | { readonly ok: true; readonly kind: TaxIdClass; readonly warnings: readonly TaxIdWarning[] }
  | { readonly ok: false; readonly reason: 'format' | 'check_char' };

/** Options of {@link classifyTaxId}. */
export interface ClassifyTaxIdOptions {
  /** Accept a valid 18-digit 身份证 that is not a valid USCC (tax-rules §7.5). Default true. */
  readonly allowResidentId?: boolean;
}

/**
 * Classifies an exact tax id (no trimming or case folding: callers must send uppercase, as the platform does).
 * Unlike {@link checkTaxId} in uscc.ts it accepts natural persons' 身份证 numbers and reports warnings.
 */
export function classifyTaxId(code: string, options: ClassifyTaxIdOptions = {}): TaxIdClassification {
  if (!/^[A-Z0-9]{15}$|^[A-Z0-9]{17,18}$|^[A-Z0-9]{20}$/.test(code)) return { ok: false, reason: 'format' };
  if (code.length !== 18) return { ok: true, kind: 'legacy', warnings: [] };
  if (isValidUscc(code)) {
    const warnings: TaxIdWarning[] = checkUsccOrgCode(code) === false ? ['ORG_CODE_CHECK_FAILED'] : [];
    return { ok: true, kind: 'uscc', warnings };
  }
  if ((options.allowResidentId ?? true) && isValidResidentId(code))
    return { ok: true, kind: 'resident_id', warnings: [] };
  return { ok: false, reason: /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code) ? 'check_char' : 'format' };
}
