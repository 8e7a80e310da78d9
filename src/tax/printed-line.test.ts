import { describe, expect, it } from 'vitest';
import { printedLine } from './printed-line.js';
import { softwareLine, TEST_TAX_CODES, validDraft } from './test-fixtures.js';
import { validateInvoiceDraft } from './validate-invoice-draft.js';

function firstLine(overrides: Parameters<typeof softwareLine>[0] = {}) {
  const result = validateInvoiceDraft(validDraft({ lines: [softwareLine(overrides)] }), { taxCodes: TEST_TAX_CODES });
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  return result.invoice.lines[0]!;
}

describe('printedLine', () => {
  it('prints the rendered name, the rate label and null for the columns the line leaves empty', () => {
    expect(printedLine(firstLine())).toEqual({
      name: '*信息技术服务*软件开发服务',
      taxCode: '3040201010000000000',
      spec: null,
      unit: null,
      quantity: null,
      unitPrice: null,
      amount: '100.00',
      taxRate: '0.06',
      taxRateLabel: '6%',
    });
  });

  it('keeps spec, unit, quantity and unit price as given', () => {
    const line = printedLine(firstLine({ spec: 'V2', unit: '套', quantity: '2', unitPrice: '50' }));
    expect(line).toMatchObject({ spec: 'V2', unit: '套', quantity: '2', amount: '100.00' });
    expect(line.unitPrice).toMatch(/^50/);
  });
});
