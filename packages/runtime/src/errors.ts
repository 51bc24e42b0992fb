/**
 * The AppError family: every expected failure is one of these, with an HTTP status and a stable machine code.
 * Each dialect renders them in its own error shape (OpenAI, Anthropic, Ollama); nothing else reaches a client.
 */
export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'rate_limit'
  | 'quota'
  | 'upstream'
  | 'unavailable'
  | 'internal';

export interface AppErrorOptions {
  /** The request field at fault, e.g. `messages` (OpenAI's `param`). */
  param?: string | null;
  /** Stable machine-readable code, e.g. `model_not_found`, `invalid_api_key`. */
  code?: string | null;
  /** Seconds after which a retry may succeed (429/503); rendered as `retry-after`. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly param: string | null;
  readonly code: string | null;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly status: number,
    readonly kind: ErrorKind,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const badRequest = (message: string, options?: AppErrorOptions) =>
  new AppError(400, 'invalid_request', message, options);
export const unauthorized = (message: string, options?: AppErrorOptions) =>
  new AppError(401, 'authentication', message, options);
export const forbidden = (message: string, options?: AppErrorOptions) =>
  new AppError(403, 'permission', message, options);
export const notFound = (message: string, options?: AppErrorOptions) =>
  new AppError(404, 'not_found', message, options);
export const tooManyRequests = (message: string, options?: AppErrorOptions) =>
  new AppError(429, 'rate_limit', message, options);
export const upstreamError = (message: string, options?: AppErrorOptions) =>
  new AppError(502, 'upstream', message, options);
export const serviceUnavailable = (message: string, options?: AppErrorOptions) =>
  new AppError(503, 'unavailable', message, options);

/** Any thrown value as an AppError; unknown errors become a generic 500 that reveals nothing internal. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError(500, 'internal', 'The server had an error while processing your request.', {
    cause: error,
  });
}
