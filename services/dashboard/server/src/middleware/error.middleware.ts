import { AppError, badRequest, type ErrorKind, type Logger, toAppError } from '@ollama-gateway/runtime';
import type { NextFunction, Request, Response } from 'express';

const DEFAULT_CODES: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request',
  authentication: 'unauthenticated',
  permission: 'forbidden',
  not_found: 'not_found',
  rate_limit: 'rate_limited',
  quota: 'rate_limited',
  upstream: 'bad_gateway',
  unavailable: 'unavailable',
  internal: 'internal',
};

/** Body-parser and Postgres input failures as 4xx errors instead of 500s. */
function known(error: unknown): AppError | undefined {
  const e = error as { type?: string; code?: string; message?: string } | null;
  if (e?.type === 'entity.parse.failed')
    return badRequest('The body is not valid JSON.', { code: 'invalid_request' });
  if (e?.type === 'entity.too.large')
    return new AppError(413, 'invalid_request', 'The request body is too large.', {
      code: 'invalid_request',
    });
  // 22023 invalid_parameter_value: a time zone Intl knows but this Postgres does not.
  if (e?.code === '22023' && /time zone/i.test(e.message ?? ''))
    return badRequest('tz: this time zone is not known to the database', {
      code: 'invalid_request',
      param: 'tz',
    });
  return undefined;
}

/** `{ error: { message, code } }` with the error's status; 5xx causes are logged, never shown. */
export function errorMiddleware(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = known(error) ?? toAppError(error);
    if (appError.status >= 500)
      logger.error({ err: appError.cause ?? appError, method: req.method, path: req.path }, appError.message);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (appError.retryAfterSeconds !== undefined)
      res.setHeader('retry-after', String(appError.retryAfterSeconds));
    res.setHeader('cache-control', 'no-store');
    res
      .status(appError.status)
      .json({ error: { message: appError.message, code: appError.code ?? DEFAULT_CODES[appError.kind] } });
  };
}
