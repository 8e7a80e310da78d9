import { AppError } from './errors/app-error.js';
import { IDEMPOTENCY_CONFLICT } from './errors/platform.errors.js';

/** A stored creation request and the fingerprint (`requestHash`) of its payload. */
export interface StoredRequest {
  readonly request_hash: string;
}

/**
 * The one idempotency comparison: the same client key (serialNo, orderNo, …) with the same payload replays the stored
 * resource; with a different payload it is 409 IDEMPOTENCY_CONFLICT (with the given message and details, or the
 * code's default message).
 */
export function assertSameRequest<T extends StoredRequest>(
  stored: T,
  hash: string,
  conflict: { message?: string; details?: Record<string, unknown> } = {},
): T {
  if (stored.request_hash !== hash) throw new AppError(IDEMPOTENCY_CONFLICT, conflict.message, conflict.details);
  return stored;
}
