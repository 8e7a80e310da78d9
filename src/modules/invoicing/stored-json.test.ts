import { describe, expect, it } from 'vitest';
import { StoredJsonError } from '../../platform/stored-json.js';
import { TEST_TAX_CODES, validDraft } from '../../tax/test-fixtures.js';
import { validateInvoiceDraft } from '../../tax/validate-invoice-draft.js';
import {
  buyerJson,
  computedInvoiceJson,
  decodeComputedInvoice,
  decodeInvoiceRequest,
  decodeRedRequest,
  decodeStoredBuyer,
  decodeStoredSeller,
  invoiceRequestJson,
  redRequestJson,
  sellerJson,
} from './stored-json.js';

function computed() {
  const result = validateInvoiceDraft(validDraft(), { taxCodes: TEST_TAX_CODES });
  if (!result.ok) throw new Error('fixture draft is invalid');
  return result.invoice;
}

const request = {
  kind: '82' as const,
  seller: { taxId: '91110000600037341L' },
  buyer: { name: '北京测试科技有限公司', taxId: '91330100MA2H3LL62A', email: 'a@example.com' },
  lines: [{ name: '软件开发服务', taxCode: '3040201010000000000', amount: '100.00', taxRate: '0.06' }],
  remark: '备注',
};

describe('invoices JSON columns', () => {
  it('decode what the writers store', () => {
    const invoice = computed();
    expect(decodeComputedInvoice(computedInvoiceJson.encode(invoice))).toEqual(invoice);
    expect(decodeInvoiceRequest(invoiceRequestJson.encode(request as never))).toEqual(request);
    const red = {
      ...request,
      redSerialNo: 'R-1',
      reason: '01',
      redLines: [{ blueLineNo: 1, amount: '-100.00', tax: '-6.00', amountFen: -10000, taxFen: -600 }],
    };
    expect(decodeRedRequest(redRequestJson.encode(red as never))).toEqual(red);
    const seller = {
      taxId: '91110000600037341L',
      name: '销方',
      address: null,
      phone: null,
      bankName: null,
      bankAccount: null,
      regionCode: '110000',
    };
    expect(decodeStoredSeller(sellerJson.encode(seller))).toEqual(seller);
    expect(decodeStoredBuyer(buyerJson.encode({ name: '个人', naturalPerson: true }))).toEqual({
      name: '个人',
      naturalPerson: true,
    });
  });

  it('refuse a corrupt row, naming the column', () => {
    const invoice = computed();
    const badLine = { ...invoice, lines: [{ ...invoice.lines[0], amount: 100 }] };
    expect(() => decodeComputedInvoice(JSON.stringify(badLine))).toThrow(StoredJsonError);
    expect(() => decodeComputedInvoice(JSON.stringify(badLine))).toThrow(
      'stored JSON in invoices.computed_json has an unexpected shape: /lines/0/amount',
    );
    expect(() => decodeComputedInvoice(JSON.stringify({ ...invoice, kind: '99' }))).toThrow(/invoices\.computed_json/);
    expect(() => decodeInvoiceRequest(JSON.stringify({ ...request, lines: 'x' }))).toThrow(/invoices\.request_json/);
    expect(() => decodeRedRequest(JSON.stringify(request))).toThrow(/invoices\.request_json.*redSerialNo/);
    expect(() => decodeStoredSeller('{"name":"销方"}')).toThrow(/invoices\.seller_json/);
    expect(() => decodeStoredBuyer('[]')).toThrow(/invoices\.buyer_json/);
    expect(() => decodeStoredBuyer('not json')).toThrow('stored JSON in invoices.buyer_json is not valid JSON');
  });
});
