import { describe, expect, it } from 'vitest';
import { chinaDate, chinaDay, chinaDayStart } from './clock.js';

describe('China-date helpers (Asia/Shanghai, UTC+8, no DST)', () => {
  it('dates an instant by the China day, and finds a day’s start and the next one', () => {
    expect(chinaDate(Date.parse('2025-12-31T15:59:59.999Z'))).toBe('2025-12-31');
    expect(chinaDate(Date.parse('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
    expect(chinaDayStart('2026-01-01')).toBe(Date.parse('2026-01-01T00:00:00+08:00'));
    expect(chinaDay(Date.parse('2025-06-01T17:30:00Z'))).toEqual({
      day: '2025-06-02',
      nextStart: Date.parse('2025-06-03T00:00:00+08:00'),
    });
    expect(chinaDay(Date.parse('1969-12-31T20:00:00Z')).day).toBe('1970-01-01');
  });
});
