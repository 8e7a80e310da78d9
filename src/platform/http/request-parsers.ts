import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { VALIDATION_FAILED } from '../errors/platform.errors.js';
import { assertCleanText, decodeUtf8Strict, findForbiddenText } from './request-text.js';

type JsonParser = (request: FastifyRequest, body: string, done: (err: Error | null, value?: unknown) => void) => void;

/** A JSON body of nothing but JSON whitespace (or no bytes at all). */
const BLANK_JSON = /^[ \t\n\r]*$/;

/**
 * Installs the one `application/json` parser (replacing Fastify's, whose prototype-poisoning protection it keeps)
 * and the text check on path parameters and querystrings:
 * - a body that is not valid UTF-8 is `INVALID_ENCODING` (Fastify would decode it with U+FFFD and store that);
 * - an empty body is `{}` (many clients send `content-type: application/json` with no body on action endpoints);
 * - a control character or lone surrogate in any string, anywhere, is `VALIDATION_FAILED` naming the field.
 */
export function installRequestParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error') as JsonParser;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = decodeUtf8Strict(body as Buffer);
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    if (BLANK_JSON.test(text)) {
      done(null, {});
      return;
    }
    parseJson(request, text, (err, value) => {
      if (err) {
        done(err, undefined);
        return;
      }
      try {
        assertCleanText(value, '/body');
      } catch (textErr) {
        done(textErr as Error, undefined);
        return;
      }
      done(null, value);
    });
  });

  // Path parameters and querystrings are decoded by Fastify (`%00` becomes NUL); refuse the same characters there.
  app.addHook('preValidation', async (request) => {
    const errors = [
      ...findForbiddenText(request.params, '/params'),
      ...findForbiddenText(request.query, '/querystring'),
    ];
    if (errors.length > 0) throw new AppError(VALIDATION_FAILED, undefined, { errors });
  });
}
