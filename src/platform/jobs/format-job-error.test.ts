import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { NOT_FOUND } from '../errors/platform.errors.js';
import { formatJobError, LAST_ERROR_MAX_CHARS, publicJobError } from './format-job-error.js';

describe('formatJobError', () => {
  it('keeps the name and message, never the stack', () => {
    const err = new Error('channel timeout');
    expect(err.stack).toContain('format-job-error.test.ts');
    expect(formatJobError(err)).toBe('Error: channel timeout');
  });

  it('names the code of an error that has one', () => {
    expect(formatJobError(new AppError(NOT_FOUND, '发票不存在'))).toBe('AppError NOT_FOUND: 发票不存在');
    expect(formatJobError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toBe(
      'Error ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9',
    );
  });

  it('replaces server file paths in the message', () => {
    expect(formatJobError(new Error("ENOENT: no such file or directory, open '/var/lib/openfapiao/blobs/ab/cd'"))).toBe(
      "Error: ENOENT: no such file or directory, open '…'",
    );
  });

  it('cuts link tokens and signatures to a prefix', () => {
    expect(
      formatJobError(
        new Error('GET https://fapiao.example.com/s/3cD9vQ0aZr8LmT2xY?s=XF2LeZa_6r0gUQ5z failed with 502'),
      ),
    ).toBe('Error: GET https://fapiao.example.com/s/3cD9…?s=XF2L… failed with 502');
  });

  it('describes what is not an Error, truncated', () => {
    expect(formatJobError('plain')).toBe('non-error thrown: plain');
    expect(formatJobError({ a: 1 })).toBe('non-error thrown: {"a":1}');
    expect(formatJobError(new Error('x'.repeat(5000)))).toHaveLength(LAST_ERROR_MAX_CHARS);
  });
});

describe('publicJobError', () => {
  it('drops stack frames and paths, keeps URLs and plain text', () => {
    expect(
      publicJobError('TypeError: x\n    at run (/opt/app/dist/x.js:10:5)\n    at file:///opt/app/dist/y.js:3:1'),
    ).toBe('TypeError: x');
    expect(publicJobError('webhook attempt 2 failed: HTTP 500 from https://erp.example.com/hooks/fapiao')).toBe(
      'webhook attempt 2 failed: HTTP 500 from https://erp.example.com/hooks/fapiao',
    );
    expect(publicJobError('failed at C:\\srv\\app\\x.js:1:2')).toBe('failed at …');
    expect(publicJobError('lease expired (worker crashed?)')).toBe('lease expired (worker crashed?)');
    expect(publicJobError(null)).toBeNull();
  });
});
