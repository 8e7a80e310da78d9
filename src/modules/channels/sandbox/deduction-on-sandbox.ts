/**
 * 抵扣勾选 on the simulated platform (docs/deduction.md#sandbox): a platform-wide ledger of selected invoices (one row
 * per invoice, whoever selected it) and confirmed periods per buyer tax id. A selection is refused when another
 * buyer — or another tenant, or another item of the same invoice — holds the invoice, or when the period is
 * confirmed; a confirmed period's selections count as deducted and can no longer be unselected. Each write is one
 * conditional statement, outside any transaction.
 */
import type {
  DeductionChannel,
  DeductionHolding,
  DeductionInvoiceRef,
  DeductionItemResult,
  DeductionPeriodStatus,
  DeductionScope,
} from '../deduction-channel.js';
import { deductionKey } from '../deduction-channel.js';
import {
  confirmDeductionPeriod,
  findDeductionHoldings,
  findDeductionPeriod,
  selectDeduction,
  sumDeductionPeriod,
  unselectDeduction,
} from './deduction.repo.js';
import { deductionFacts, injectFailure, startCall, timeoutAfterCommitError } from './failure-injection.js';
import type { SandboxContext } from './sandbox-context.js';

const buyerOf = (scope: DeductionScope) => scope.buyerTaxId.toUpperCase();

async function explainRefusal(
  ctx: SandboxContext,
  scope: DeductionScope,
  period: string,
  invoice: DeductionInvoiceRef,
  ref: string,
): Promise<DeductionItemResult> {
  const buyer = buyerOf(scope);
  const [holding] = await findDeductionHoldings(ctx.db, [deductionKey(invoice)]);
  if (holding && (holding.tenant_id !== scope.tenantId || holding.ref !== ref || holding.buyer_tax_id !== buyer)) {
    return {
      ok: false,
      ref,
      refusal: 'held_elsewhere',
      message:
        holding.confirmed_at === null
          ? '该发票已被其他购买方（或其他记录）勾选'
          : '该发票已被其他购买方（或其他记录）抵扣',
    };
  }
  if (holding && holding.period !== period) {
    return {
      ok: false,
      ref,
      refusal: 'other_period',
      message:
        holding.confirmed_at === null
          ? `该发票已在所属期 ${holding.period} 勾选，请先撤销`
          : `该发票已在所属期 ${holding.period} 抵扣`,
    };
  }
  if (await findDeductionPeriod(ctx.db, buyer, period)) {
    return { ok: false, ref, refusal: 'period_confirmed', message: `所属期 ${period} 已确认勾选，不能再修改` };
  }
  return { ok: false, ref, refusal: 'not_selected', message: '该发票未在此所属期勾选' };
}

async function periodStatus(
  ctx: SandboxContext,
  scope: DeductionScope,
  period: string,
): Promise<DeductionPeriodStatus> {
  const buyer = buyerOf(scope);
  const confirmed = await findDeductionPeriod(ctx.db, buyer, period);
  const sum = await sumDeductionPeriod(ctx.db, buyer, period);
  return {
    buyerTaxId: buyer,
    period,
    state: confirmed ? 'confirmed' : 'open',
    confirmedAt: confirmed ? Number(confirmed.confirmed_at) : null,
    ...sum,
  };
}

/**
 * A deduction write under the tenant's `deduction` failure rules: a transient or permanent rule fails it before
 * anything is written; `timeout_after_commit` lets it write, then answers with the timeout error.
 */
async function write<T>(ctx: SandboxContext, tenantId: string, kind: string | undefined, run: () => Promise<T>) {
  const settings = await startCall(ctx, tenantId);
  const late = await injectFailure(ctx, tenantId, settings, deductionFacts(kind), { random: false });
  const result = await run();
  if (late) throw timeoutAfterCommitError(late);
  return result;
}

/** The sandbox's {@link DeductionChannel}. */
export function createSandboxDeduction(ctx: SandboxContext): DeductionChannel {
  return {
    provider: 'sandbox',
    select: (scope, period, items) =>
      write(ctx, scope.tenantId, items[0]?.invoice.kind, async () => {
        const results: DeductionItemResult[] = [];
        for (const item of items) {
          const selected = await selectDeduction(
            ctx.db,
            {
              key: deductionKey(item.invoice),
              kind: item.invoice.kind,
              code: item.invoice.code ?? '',
              number: item.invoice.number,
              buyerTaxId: buyerOf(scope),
              period,
              tenantId: scope.tenantId,
              ref: item.ref,
              actor: scope.actor,
              taxFen: item.taxFen,
            },
            ctx.clock.now(),
          );
          results.push(
            selected
              ? { ok: true, ref: item.ref, created: selected.revision === 0 }
              : await explainRefusal(ctx, scope, period, item.invoice, item.ref),
          );
        }
        return results;
      }),
    unselect: (scope, period, items) =>
      write(ctx, scope.tenantId, items[0]?.invoice.kind, async () => {
        const results: DeductionItemResult[] = [];
        for (const item of items) {
          const gone = await unselectDeduction(ctx.db, {
            key: deductionKey(item.invoice),
            tenantId: scope.tenantId,
            ref: item.ref,
            buyerTaxId: buyerOf(scope),
            period,
          });
          results.push(
            gone
              ? { ok: true, ref: item.ref, created: false }
              : await explainRefusal(ctx, scope, period, item.invoice, item.ref),
          );
        }
        return results;
      }),
    confirm: (scope, period) =>
      write(ctx, scope.tenantId, undefined, async () => {
        await confirmDeductionPeriod(
          ctx.db,
          { buyerTaxId: buyerOf(scope), period, tenantId: scope.tenantId, actor: scope.actor },
          ctx.clock.now(),
        );
        return periodStatus(ctx, scope, period);
      }),
    periodStatus: async (scope, period) => {
      await startCall(ctx, scope.tenantId);
      return periodStatus(ctx, scope, period);
    },
    holdings: async (scope, invoices) => {
      await startCall(ctx, scope.tenantId);
      const rows = await findDeductionHoldings(ctx.db, [...new Set(invoices.map(deductionKey))]);
      const map = new Map<string, DeductionHolding>();
      for (const r of rows) {
        const mine = r.tenant_id === scope.tenantId;
        map.set(r.invoice_key, {
          invoice: { kind: r.kind, code: r.code || null, number: r.number },
          buyerTaxId: r.buyer_tax_id,
          period: r.period,
          status: r.confirmed_at === null ? 'selected' : 'deducted',
          mine,
          ref: mine ? r.ref : null,
        });
      }
      return map;
    },
  };
}
