import { describe, expect, it } from 'vitest';
import { defineErrors, listErrorCodes } from './app-error.js';

describe('defineErrors', () => {
  it('lets a module repeat an identical declaration but refuses a second meaning for a code', () => {
    const def = { statusCode: 418, message: '测试', description: 'test only' };
    const { TEST_ONLY_CODE } = defineErrors({ TEST_ONLY_CODE: def });
    expect(defineErrors({ TEST_ONLY_CODE: def }).TEST_ONLY_CODE).toEqual(TEST_ONLY_CODE);
    expect(() => defineErrors({ TEST_ONLY_CODE: { ...def, message: '别的意思' } })).toThrow(/declared twice/);
    expect(() => defineErrors({ TEST_ONLY_CODE: { ...def, statusCode: 400 } })).toThrow(/declared twice/);
    expect(listErrorCodes().filter((c) => c.code === 'TEST_ONLY_CODE')).toEqual([TEST_ONLY_CODE]);
  });

  it('refuses codes that are not UPPER_SNAKE', () => {
    expect(() => defineErrors({ badCode: { statusCode: 400, message: 'x', description: 'x' } })).toThrow(/UPPER_SNAKE/);
  });
});
