import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ErrorCode, listErrorCodes } from './app-error.js';
import { type FailureCodeSet, listFailureCodeSets } from './failure-codes.js';

/** Imports every `*.errors.ts` under `srcDir` so the registries hold every declared error and failure code. */
export async function loadAllErrorCodes(srcDir: string): Promise<ErrorCode[]> {
  const files = fs
    .readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.errors.ts'))
    .sort();
  for (const file of files) await import(pathToFileURL(path.join(srcDir, file)).href);
  return listErrorCodes();
}

/** Renders docs/errors.md from the registry (generated; `npm run docs:errors` rewrites it, a test checks it). */
export function renderErrorsDoc(codes: ErrorCode[], failures: FailureCodeSet[] = listFailureCodeSets()): string {
  const rows = codes.map((c) => `| \`${c.code}\` | ${c.statusCode} | ${c.message} | ${c.description} |`);
  return [
    '# Error codes',
    '',
    '<!-- Generated from the `*.errors.ts` files by `npm run docs:errors`; a test fails when this file is stale. -->',
    '',
    'Every error answer has the body `{"error":{"code","message","details?","requestId"}}`. `code` is stable and',
    'never renamed; `message` is Chinese text for people and may change; `details` carries machine-readable context',
    '(for `VALIDATION_FAILED`, `details.errors` is a list of `{path, message}` with JSON pointers such as',
    '`/body/lines/0/amount`). Quote the `requestId` (also in the `X-Request-Id` header) when reporting a problem.',
    '',
    '| code | HTTP | message | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
    ...(failures.length === 0 ? [] : renderFailureCodes(failures)),
  ].join('\n');
}

/** Codes recorded on a resource whose background work failed (not HTTP answers): one table per field. */
function renderFailureCodes(failures: FailureCodeSet[]): string[] {
  return [
    '## Failure codes',
    '',
    'Codes a resource records when its background work fails; the request that started the work was answered long',
    'before. Like error codes, they are stable and never renamed.',
    '',
    ...failures.flatMap((set) => [
      `### ${set.field}`,
      '',
      set.note,
      '',
      '| code | meaning |',
      '|---|---|',
      ...set.codes.map((c) => `| \`${c.code}\` | ${c.description} |`),
      '',
    ]),
  ];
}
