import { describe, expect, it } from 'vitest';
import { type BlueFacts, checkRedClaim, type RedClaim, remainingOfBlue } from './red-form-rules.js';

const blue: BlueFacts = {
  amountFen: 30_000,
  taxFen: 1_800,
  lines: [
    { lineNo: 1, amountFen: 10_000, taxFen: 600 },
    { lineNo: 2, amountFen: 20_000, taxFen: 1_200 },
  ],
};
const full: RedClaim = {
  amountFen: -30_000,
  taxFen: -1_800,
  lines: [
    { blueLineNo: 1, amountFen: -10_000, taxFen: -600 },
    { blueLineNo: 2, amountFen: -20_000, taxFen: -1_200 },
  ],
};
const partLine2 = (amountFen: number, taxFen: number): RedClaim => ({
  amountFen,
  taxFen,
  lines: [{ blueLineNo: 2, amountFen, taxFen }],
});

describe('checkRedClaim', () => {
  it('accepts a full reversal for every reason', () => {
    for (const reason of ['01', '02', '03', '04'] as const) expect(checkRedClaim(reason, blue, [], full)).toBeNull();
  });

  it('refuses a partial reversal for 01 开票有误 and accepts it for 02', () => {
    expect(checkRedClaim('01', blue, [], partLine2(-5_000, -300))?.code).toBe('RED_PARTIAL_NOT_ALLOWED');
    expect(checkRedClaim('02', blue, [], partLine2(-5_000, -300))).toBeNull();
  });

  it('refuses positive or zero amounts, unknown lines and lines not adding up', () => {
    expect(checkRedClaim('02', blue, [], partLine2(5_000, 300))?.code).toBe('RED_AMOUNT_INVALID');
    expect(checkRedClaim('02', blue, [], partLine2(0, 0))?.code).toBe('RED_AMOUNT_INVALID');
    const unknownLine = { amountFen: -1, taxFen: 0, lines: [{ blueLineNo: 9, amountFen: -1, taxFen: 0 }] };
    expect(checkRedClaim('02', blue, [], unknownLine)?.code).toBe('RED_AMOUNT_INVALID');
    expect(checkRedClaim('02', blue, [], { ...partLine2(-5_000, -300), amountFen: -6_000 })?.code).toBe(
      'RED_AMOUNT_INVALID',
    );
  });

  it('refuses what exceeds the remainder across earlier forms', () => {
    const earlier = [partLine2(-15_000, -900)];
    expect(remainingOfBlue(blue, earlier)).toEqual({ amountFen: 15_000, taxFen: 900 });
    const problem = checkRedClaim('02', blue, earlier, partLine2(-10_000, -600));
    expect(problem?.code).toBe('RED_EXCEEDS_REMAINING');
    expect(problem?.message).toContain('第 2 行');
    expect(checkRedClaim('02', blue, earlier, partLine2(-5_000, -300))).toBeNull();
  });

  it('refuses a claim over the invoice remainder even without lines', () => {
    const problem = checkRedClaim('04', blue, [full], { amountFen: -100, taxFen: 0, lines: [] });
    expect(problem).toEqual({ code: 'RED_EXCEEDS_REMAINING', message: expect.stringContaining('剩余可红冲金额 0.00') });
  });
});
