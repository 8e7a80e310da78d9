// Rewrites docs/errors.md from the error-code registry: `npm run docs:errors`.
import fs from 'node:fs';
import path from 'node:path';
import { loadAllErrorCodes, renderErrorsDoc } from '../src/platform/errors/errors-doc.js';

const root = path.resolve(import.meta.dirname, '..');
const codes = await loadAllErrorCodes(path.join(root, 'src'));
fs.writeFileSync(path.join(root, 'docs/errors.md'), renderErrorsDoc(codes));
process.stdout.write(`docs/errors.md: ${codes.length} codes\n`);
