import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAllErrorCodes, renderErrorsDoc } from '../../src/platform/errors/errors-doc.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('docs/errors.md', () => {
  it('lists every declared error code (run `npm run docs:errors` after adding one)', async () => {
    const codes = await loadAllErrorCodes(path.join(root, 'src'));
    expect(codes.map((c) => c.code)).toEqual(
      expect.arrayContaining(['VALIDATION_FAILED', 'AUTH_TOKEN_INVALID', 'ORG_NOT_FOUND']),
    );
    const doc = fs.readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
    expect(doc).toBe(renderErrorsDoc(codes));
  });
});
