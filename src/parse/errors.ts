/**
 * Why a file could not be parsed, as values with stable codes. The HTTP layer maps them to 4xx answers
 * (src/modules/collection/collection.errors.ts); the messages are Chinese, for people.
 */

export const PARSE_FAILURE_CODES = [
  'NOT_AN_INVOICE',
  'ENCRYPTED',
  'CORRUPT',
  'UNSUPPORTED_TYPE',
  'TOO_LARGE',
  'ZIP_LIMIT',
  'NO_TEXT_LAYER',
  'IMAGE_TOO_LARGE',
] as const;

export type ParseFailureCode = (typeof PARSE_FAILURE_CODES)[number];

/** A file the parser refuses, with a stable code and a Chinese message. */
export class ParseFailure extends Error {
  override readonly name = 'ParseFailure';
  constructor(
    readonly code: ParseFailureCode,
    message: string,
  ) {
    super(message);
  }
}

/** True when `err` is a {@link ParseFailure}. */
export function isParseFailure(err: unknown): err is ParseFailure {
  return err instanceof ParseFailure;
}
