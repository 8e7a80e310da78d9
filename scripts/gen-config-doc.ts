// Rewrites the variable table in docs/configuration.md and .env.example: `npm run docs:config`.
import fs from 'node:fs';
import path from 'node:path';
import { renderConfigTable, renderEnvExample } from '../src/platform/config/config-doc.js';

const root = path.resolve(import.meta.dirname, '..');
const docPath = path.join(root, 'docs/configuration.md');
const doc = fs.readFileSync(docPath, 'utf8');
const start = doc.indexOf('<!-- config-table -->');
const end = doc.indexOf('<!-- /config-table -->');
if (start < 0 || end < 0) throw new Error('docs/configuration.md lacks the config-table markers');
fs.writeFileSync(docPath, `${doc.slice(0, start)}<!-- config-table -->\n${renderConfigTable()}\n${doc.slice(end)}`);
fs.writeFileSync(path.join(root, '.env.example'), renderEnvExample());
process.stdout.write('docs/configuration.md and .env.example updated\n');
