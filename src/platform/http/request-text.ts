/**
 * The rules every piece of client text meets before any module sees it, the same on SQLite and PostgreSQL:
 * bodies are valid UTF-8, and no string (value or key, in a body, a querystring or a path parameter) carries a
 * control character or a lone surrogate. TAB, LF and CR are allowed (multi-line fields such as remarks); a field
 * that must be a single line says so in its own schema.
 */
import { AppError } from '../errors/app-error.js';
import { INVALID_ENCODING, VALIDATION_FAILED } from '../errors/platform.errors.js';

/** C0 controls except TAB/LF/CR, DEL, C1 controls, and surrogates that are not part of a pair. */
const FORBIDDEN_TEXT = new RegExp(
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]' +
    '|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]',
);

/** Field message for a string with a forbidden character (the `message` of a `VALIDATION_FAILED` field error). */
const FORBIDDEN_TEXT_MESSAGE = '不能包含控制字符或无效的 Unicode 字符';

/** At most this many offending fields are reported; the first ones are enough to fix the request. */
const MAX_REPORTED = 20;

export interface FieldError {
  path: string;
  message: string;
}

export function hasForbiddenText(text: string): boolean {
  return FORBIDDEN_TEXT.test(text);
}

const pointerToken = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The JSON pointers (under `base`, e.g. `/body`) of every string in `value` — object keys included — that carries a
 * forbidden character.
 */
export function findForbiddenText(value: unknown, base: string): FieldError[] {
  const out: FieldError[] = [];
  const walk = (v: unknown, path: string): void => {
    if (out.length >= MAX_REPORTED) return;
    if (typeof v === 'string') {
      if (hasForbiddenText(v)) out.push({ path, message: FORBIDDEN_TEXT_MESSAGE });
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, `${path}/${i}`);
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        const child = `${path}/${pointerToken(key)}`;
        if (hasForbiddenText(key) && out.length < MAX_REPORTED)
          out.push({ path: child, message: FORBIDDEN_TEXT_MESSAGE });
        walk(item, child);
      }
    }
  };
  walk(value, base);
  return out;
}

/** Throws `VALIDATION_FAILED` naming each offending field when `value` carries forbidden text. */
export function assertCleanText(value: unknown, base: string): void {
  const errors = findForbiddenText(value, base);
  if (errors.length > 0) throw new AppError(VALIDATION_FAILED, undefined, { errors });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a body as UTF-8, refusing (`INVALID_ENCODING`) any invalid sequence instead of turning it into U+FFFD. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new AppError(INVALID_ENCODING);
  }
}

const decodeFormComponent = (text: string): string => {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    // A malformed %-escape, or escapes that do not form valid UTF-8.
    throw new AppError(INVALID_ENCODING);
  }
};

/**
 * Parses an `application/x-www-form-urlencoded` body strictly: valid UTF-8 bytes, valid UTF-8 %-escapes (where
 * `URLSearchParams` would silently substitute U+FFFD), and clean text. A repeated name keeps its last value.
 */
export function parseFormBody(bytes: Uint8Array): Record<string, string> {
  const text = decodeUtf8Strict(bytes);
  const fields: Record<string, string> = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeFormComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = decodeFormComponent(eq < 0 ? '' : pair.slice(eq + 1));
    Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
  }
  assertCleanText(fields, '/body');
  return fields;
}
