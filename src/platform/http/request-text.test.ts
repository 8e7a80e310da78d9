import { describe, expect, it } from 'vitest';
import { findForbiddenText, hasForbiddenText, parseFormBody } from './request-text.js';

describe('request text rules', () => {
  it('refuses C0 (but TAB, LF, CR), DEL, C1 and lone surrogates; keeps pairs and ordinary text', () => {
    for (const bad of ['a\u0000', '\u0008', '\u000b', '\u001f', '\u007f', '\u0085', '\u009f', '\ud800', 'x\udc00y']) {
      expect(hasForbiddenText(bad), JSON.stringify(bad)).toBe(true);
    }
    for (const good of ['北京测试科技有限公司', 'a\tb\r\nc', '😀', '\u00a0', '']) {
      expect(hasForbiddenText(good), JSON.stringify(good)).toBe(false);
    }
  });

  it('names every offending value and key by its JSON pointer', () => {
    expect(findForbiddenText({ a: ['ok', 'b\u0000'], 'k/~\u0001': 'v' }, '/body').map((e) => e.path)).toEqual([
      '/body/a/1',
      '/body/k~1~0\u0001',
    ]);
  });

  it('parses form bodies strictly: invalid UTF-8 in bytes or escapes is INVALID_ENCODING', () => {
    expect(parseFormBody(Buffer.from('name=%E5%8C%97+%E4%BA%AC&x=1&x=2&flag'))).toEqual({
      name: '北 京',
      x: '2',
      flag: '',
    });
    expect(() => parseFormBody(Buffer.from('name=%FF'))).toThrow(expect.objectContaining({ code: 'INVALID_ENCODING' }));
    expect(() => parseFormBody(Buffer.from([0x61, 0x3d, 0xc3, 0x28]))).toThrow(
      expect.objectContaining({ code: 'INVALID_ENCODING' }),
    );
    expect(() => parseFormBody(Buffer.from('name=a%00b'))).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});
