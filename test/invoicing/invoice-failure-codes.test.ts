import { describe, expect, it } from 'vitest';
import { ChannelError } from '../../src/modules/channels/index.js';
import {
  channelFailureCode,
  INVOICE_FAILURE_CODES,
  type InvoiceFailureCode,
} from '../../src/modules/invoicing/invoicing.errors.js';
import type { InvoiceStatePatch } from '../../src/modules/invoicing/invoicing.repo.js';
import { listFailureCodeSets } from '../../src/platform/errors/failure-codes.js';

describe('invoice failure codes', () => {
  it('are one declared set, listed for docs/errors.md', () => {
    expect(Object.keys(INVOICE_FAILURE_CODES)).toEqual([
      'SELLER_NOT_BOUND',
      'CHANNEL_UNAVAILABLE',
      'CHANNEL_OUTCOME_UNKNOWN',
      'ISSUE_INTERRUPTED',
      'INTERNAL',
      'RED_FORM_REJECTED',
      'RED_FORM_EXPIRED',
      'RED_FORM_INTERRUPTED',
    ]);
    expect(INVOICE_FAILURE_CODES.ISSUE_INTERRUPTED).toBe('ISSUE_INTERRUPTED');
    const set = listFailureCodeSets().find((s) => s.field === '`failure.code` of an invoice');
    expect(set?.codes.map((c) => c.code)).toEqual(Object.keys(INVOICE_FAILURE_CODES));
  });

  it('record a channel refusal under the channel’s own code', () => {
    expect(channelFailureCode(new ChannelError('permanent', 'QUOTA_EXCEEDED', '额度不足'))).toBe('QUOTA_EXCEEDED');
  });

  it('are what the failure_code column takes (tsc refuses any other string)', () => {
    const declared: InvoiceStatePatch = { failure_code: 'ISSUE_INTERRUPTED' };
    const undeclared: InvoiceStatePatch = {
      // @ts-expect-error an undeclared code: declare it in INVOICE_FAILURE_CODES (invoicing.errors.ts) first
      failure_code: 'ISSUE_CRASHED',
    };
    const code: InvoiceFailureCode = channelFailureCode(new ChannelError('transient', 'CHANNEL_TIMEOUT', '超时'));
    expect([declared.failure_code, undeclared.failure_code, code]).toEqual([
      'ISSUE_INTERRUPTED',
      'ISSUE_CRASHED',
      'CHANNEL_TIMEOUT',
    ]);
  });
});
