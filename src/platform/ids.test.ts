import { describe, expect, it } from 'vitest';
import { newId, randomToken, toBase62 } from './ids.js';

describe('newId', () => {
  it('sorts in creation order even when the clock stands still or steps back', () => {
    const ids = [
      ...Array.from({ length: 5000 }, () => newId('x', 1_700_000_000_000)),
      newId('x', 1_600_000_000_000),
      newId('x', 1_700_000_000_001),
    ];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('randomToken', () => {
  it('has a fixed length for the requested entropy', () => {
    expect(randomToken(128)).toHaveLength(22);
    expect(randomToken(256)).toHaveLength(43);
    expect(toBase62(new Uint8Array([0, 61]))).toBe('z');
  });
});
