import { describe, expect, it } from 'vitest';
import {
  USAGE_STATUS_NAMES,
  USAGE_STATUSES,
  usageAllowsDelete,
  usageStatusName,
  usageStatusOf,
} from './usage-statuses.js';

describe('usage statuses (报销状态: one list, one set of names, one rule)', () => {
  it('names every status in Chinese', () => {
    expect(USAGE_STATUSES.map((s) => USAGE_STATUS_NAMES[s])).toEqual(['未报销', '已报销', '已入账']);
    expect(usageStatusName('claimed')).toBe('已报销');
    expect(usageStatusName('nope')).toBe('nope');
  });

  it('derives the status from the bindings and the booking', () => {
    expect(usageStatusOf({ booked: false, billCount: 0 })).toBe('unused');
    expect(usageStatusOf({ booked: false, billCount: 1 })).toBe('claimed');
    expect(usageStatusOf({ booked: false, billCount: 3 })).toBe('claimed');
    // A voucher books it: booked, bound or not.
    expect(usageStatusOf({ booked: true, billCount: 0 })).toBe('booked');
    expect(usageStatusOf({ booked: true, billCount: 2 })).toBe('booked');
  });

  it('lets only unused invoices be deleted', () => {
    expect(USAGE_STATUSES.filter(usageAllowsDelete)).toEqual(['unused']);
    expect(usageAllowsDelete('whatever')).toBe(false);
  });
});
