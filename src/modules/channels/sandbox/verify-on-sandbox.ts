/**
 * 查验 on the simulated platform (tax-rules §4): number (+ 发票代码 for legacy kinds), 开票日期, and the fourth
 * input of the invoice's verification type — 价税合计 for 数电, 不含税金额 for legacy 专票, 校验码后6位 for
 * legacy 普票 (src/tax getVerificationInputs). Not found and mismatch both answer found:false with a reason.
 */

import type { InvoiceKind } from '../../../tax/index.js';
import { getVerificationInputs, parseDecimal, toFen, toVerificationType } from '../../../tax/index.js';
import type { ChannelScope, ChannelVerifyQuery, ChannelVerifyResult } from '../issuing-channel.js';
import { startCall } from './failure-injection.js';
import { findLedgerByNumber } from './ledger.repo.js';
import { type LedgerRow, toLedgerEntry } from './ledger-rows.js';
import { chinaDateParts } from './numbering.js';
import type { SandboxContext } from './sandbox-context.js';

const NOT_FOUND = '查无此票';

/** Verifies an invoice against the tenant's ledger. */
export async function verifyOnSandbox(
  ctx: SandboxContext,
  scope: ChannelScope,
  query: ChannelVerifyQuery,
): Promise<ChannelVerifyResult> {
  await startCall(ctx, scope.tenantId);
  const isDigital = /^\d{20}$/.test(query.number);
  if (!isDigital && !query.code) return { found: false, reason: `${NOT_FOUND}：非数电发票须提供发票代码` };
  const row = await findLedgerByNumber(ctx.db, scope.tenantId, query.number, isDigital ? '' : (query.code ?? ''));
  if (!row) return { found: false, reason: NOT_FOUND };
  const mismatch = mismatchOf(row, query);
  if (mismatch) return { found: false, reason: `发票信息不一致：${mismatch}` };
  const entry = toLedgerEntry(row);
  return {
    found: true,
    invoice: {
      number: entry.number,
      kind: entry.kind,
      issuedAt: entry.issuedAt,
      sellerTaxId: entry.sellerTaxId,
      sellerName: entry.sellerName,
      buyerName: entry.buyerName,
      buyerTaxId: entry.buyerTaxId,
      amount: entry.amount,
      tax: entry.tax,
      total: entry.total,
      status: entry.status,
    },
  };
}

/** The first input that does not match the ledger (Chinese), or null. */
export function mismatchOf(row: LedgerRow, query: ChannelVerifyQuery): string | null {
  if (query.kind && query.kind !== row.kind) return '发票种类不符';
  if (chinaDateParts(Number(row.issued_at)).date !== query.issueDate) return '开票日期不符';
  const spec = getVerificationInputs(toVerificationType(row.kind as InvoiceKind));
  if (spec.fourth === 'check_code_last6') {
    if (!query.checkCodeLast6) return `缺少${spec.fourthLabel}`;
    return row.check_code?.slice(-6) === query.checkCodeLast6 ? null : `${spec.fourthLabel}不符`;
  }
  const given = parseDecimal(query.amount);
  if (!given) return `缺少${spec.fourthLabel}`;
  const expected = spec.fourth === 'total_with_tax' ? Number(row.total_fen) : Number(row.amount_fen);
  return toFen(given) === expected ? null : `${spec.fourthLabel}不符`;
}
