import { redactSecrets } from '../log-redaction.js';

/** `last_error` keeps at most this many characters. */
export const LAST_ERROR_MAX_CHARS = 2000;

/**
 * An absolute file path (POSIX `/srv/app/x.js`, `file:///…`, Windows `C:\…`) that starts a word or follows a quote
 * or bracket; URLs (`http://host/path`) are left alone, their slashes follow a `:` or another slash.
 */
const FILE_PATH_RE = /(^|[\s'"(=[,])(?:file:\/\/)?(?:\/|[A-Za-z]:\\)[^\s'"()[\],]*[^\s'"()[\],.:]/g;

/** A stack frame line (`    at fn (/srv/app/x.js:1:2)`). */
const FRAME_RE = /^\s*at\s/;

/**
 * What an API response, the CLI and the monitor may show of a job error: the error code (or name) and the message,
 * without stack frames, with server file paths replaced by `…` and link tokens and signatures cut to a prefix. Also applied to `last_error` rows written by
 * older versions, which kept the first stack frames.
 */
export function publicJobError(text: string | null): string | null {
  if (text === null) return null;
  const kept = text
    .split('\n')
    .filter((line) => !FRAME_RE.test(line))
    .join('\n')
    .replace(FILE_PATH_RE, '$1…');
  const redacted = redactSecrets(kept);
  return redacted.length > LAST_ERROR_MAX_CHARS ? `${redacted.slice(0, LAST_ERROR_MAX_CHARS - 1)}…` : redacted;
}

/**
 * Turns whatever a handler threw into `last_error`: the error code (AppError) or name, and the message, truncated to
 * 2,000 characters. No stack: the worker logs the whole error (with its stack) when the attempt fails.
 */
export function formatJobError(err: unknown): string {
  let text: string;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const label = typeof code === 'string' && code !== '' ? `${err.name} ${code}` : err.name;
    text = `${label}: ${err.message}`;
  } else {
    text = `non-error thrown: ${typeof err === 'string' ? err : safeJson(err)}`;
  }
  return publicJobError(text) ?? '';
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
