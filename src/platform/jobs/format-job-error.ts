/** `last_error` keeps at most this many characters. */
export const LAST_ERROR_MAX_CHARS = 2000;

/** Stack lines kept after the message. */
const STACK_LINES = 8;

/** Turns whatever a handler threw into `last_error`: the message plus the first stack lines, truncated to ~2 KB. */
export function formatJobError(err: unknown): string {
  let text: string;
  if (err instanceof Error) {
    const head = `${err.name}: ${err.message}`;
    const frames = (err.stack ?? '')
      .split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .slice(0, STACK_LINES);
    text = [head, ...frames].join('\n');
  } else {
    text = `non-error thrown: ${typeof err === 'string' ? err : safeJson(err)}`;
  }
  return text.length > LAST_ERROR_MAX_CHARS ? `${text.slice(0, LAST_ERROR_MAX_CHARS - 1)}…` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
