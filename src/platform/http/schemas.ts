import { type TSchema, Type } from 'typebox';

/** The error body every 4xx/5xx answer carries. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({
        description: 'Stable upper-snake code, see docs/errors.md',
        examples: ['VALIDATION_FAILED'],
      }),
      message: Type.String({ description: 'Chinese message for people' }),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      requestId: Type.String(),
    }),
  },
  { $id: 'ErrorResponse', title: 'ErrorResponse' },
);

const errorRef = Type.Ref('ErrorResponse');

/**
 * A route's `response` map: the success schemas plus the shared error body for the client and server errors the
 * route can produce, so the OpenAPI document shows them and serialization never leaks internal fields.
 */
export function responses<T extends Record<number, TSchema>>(success: T, errorStatuses: number[] = [400, 401, 404]) {
  const out: Record<number, TSchema> = { ...success };
  for (const status of [...errorStatuses, 500]) out[status] = errorRef;
  return out as T & Record<number, TSchema>;
}

/**
 * The body limit of the routes that carry invoice lines (issue, change, red, scan order): up to 2000 lines of up to
 * about 2 KB each (300-character names, specs, units) do not fit the global 1 MiB, so these take 4 MiB — or
 * `BODY_LIMIT_BYTES` when that is larger. Every other JSON route keeps `BODY_LIMIT_BYTES`.
 */
export function linesBodyLimit(bodyLimitBytes: number): number {
  return Math.max(bodyLimitBytes, 4 * 1024 * 1024);
}

/** A money amount as a decimal string with at most 2 decimals, e.g. "117.00" (never a JSON number). */
export const Money = Type.String({
  maxLength: 19,
  pattern: '^-?\\d{1,15}(\\.\\d{1,2})?$',
  description: 'Decimal string, yuan',
  examples: ['117.00'],
});

/** ISO 8601 timestamp with offset, e.g. 2025-01-01T08:00:00.000+08:00. */
export const IsoTime = Type.String({
  description: 'ISO 8601 with offset (+08:00)',
  examples: ['2025-01-01T08:00:00.000+08:00'],
});

export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Opaque cursor from nextCursor' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
};

export function page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}
