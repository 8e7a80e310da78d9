import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/**
 * The codec of one JSON shape stored in a text column: `decode` parses and checks the text against the shape's
 * TypeBox schema, so a corrupt or foreign row fails with an error naming its table and column instead of being
 * cast into a wrong value; `encode` writes it. Each module declares the codecs of its own tables' JSON columns.
 */
export interface StoredJson<T> {
  /** `table.column`, for messages. */
  readonly column: string;
  decode(text: string): T;
  encode(value: T): string;
}

/** Thrown by {@link StoredJson.decode} for a row that does not hold the declared shape (an internal error: 500). */
export class StoredJsonError extends Error {
  override readonly name = 'StoredJsonError';
}

/** Declares the codec of `table.column` holding JSON of `schema`'s shape. */
export function storedJson<S extends TSchema>(column: string, schema: S): StoredJson<Static<S>> {
  const validator = Compile(schema);
  return {
    column,
    decode(text) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new StoredJsonError(`stored JSON in ${column} is not valid JSON`);
      }
      if (!validator.Check(value)) {
        const [first] = validator.Errors(value);
        const where = first ? `${first.instancePath || '/'} ${first.message}` : 'does not match its schema';
        throw new StoredJsonError(`stored JSON in ${column} has an unexpected shape: ${where}`);
      }
      return value as Static<S>;
    },
    encode: (value) => JSON.stringify(value),
  };
}
