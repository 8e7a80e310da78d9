/** A stable, documented error code: upper snake case, never renamed once shipped. */
export interface ErrorCode {
  readonly code: string;
  readonly statusCode: number;
  /** Default Chinese message shown to API clients. */
  readonly message: string;
  /** One-line English description for docs/errors.md. */
  readonly description: string;
}

const registry = new Map<string, ErrorCode>();

/**
 * Declares a module's error codes. Each module keeps them in its own `*.errors.ts` file; this registry is what
 * docs/errors.md is checked against.
 */
export function defineErrors<const T extends Record<string, Omit<ErrorCode, 'code'>>>(
  defs: T,
): { readonly [K in keyof T]: ErrorCode } {
  const out: Record<string, ErrorCode> = {};
  for (const [code, def] of Object.entries(defs)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw new Error(`error code ${code} is not UPPER_SNAKE`);
    const existing = registry.get(code);
    // One code, one meaning: a second module declaring it would silently replace the first one's message.
    if (existing && (existing.statusCode !== def.statusCode || existing.message !== def.message)) {
      throw new Error(`error code ${code} is declared twice; import the first declaration instead`);
    }
    const entry: ErrorCode = Object.freeze({ code, ...def });
    registry.set(code, entry);
    out[code] = entry;
  }
  return out as { readonly [K in keyof T]: ErrorCode };
}

/** Every code declared so far (modules must have been imported). */
export function listErrorCodes(): ErrorCode[] {
  return [...registry.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/** The one application error. Known errors carry a code, an HTTP status, a Chinese message and optional details. */
export class AppError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    errorCode: ErrorCode,
    message?: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message ?? errorCode.message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = errorCode.code;
    this.statusCode = errorCode.statusCode;
    this.details = details;
    this.headers = options?.headers;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
