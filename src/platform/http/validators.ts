import { Ajv, type Format, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { FastifyInstance } from 'fastify';
import { EMAIL_MAX_LENGTH } from '../text/email-address.js';

const COMMON: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };

/**
 * The longest value each string format the request schemas use can take. With `allErrors` ajv runs a `format` even
 * when `maxLength` has already failed, so the format checks the length itself first: a megabyte never reaches the
 * format's pattern, however that pattern behaves.
 */
const FORMAT_MAX_LENGTHS = { email: EMAIL_MAX_LENGTH, uri: 2048, date: 10, 'date-time': 64 } as const;

function lengthFirst(name: keyof typeof FORMAT_MAX_LENGTHS): Format {
  const format = fullFormats[name];
  const max = FORMAT_MAX_LENGTHS[name];
  const check =
    format instanceof RegExp
      ? (s: string) => format.test(s)
      : typeof format === 'function'
        ? (s: string) => Boolean(format(s))
        : (s: string) => Boolean((format as { validate: (s: string) => boolean }).validate(s));
  return { type: 'string', validate: (s: string) => s.length <= max && check(s) };
}

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...COMMON, ...options });
  addFormats.default(ajv);
  for (const name of Object.keys(FORMAT_MAX_LENGTHS) as (keyof typeof FORMAT_MAX_LENGTHS)[]) {
    ajv.addFormat(name, lengthFirst(name));
  }
  return ajv;
}

/**
 * Bodies are validated strictly (no type coercion: an amount sent as a JSON number is refused, amounts are decimal
 * strings); querystrings, params and headers arrive as text and are coerced to the schema's types.
 */
export function installValidators(app: FastifyInstance): void {
  const bodyAjv = createAjv({ coerceTypes: false });
  const textAjv = createAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema));
}
