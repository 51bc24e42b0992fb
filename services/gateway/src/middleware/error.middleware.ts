import { AppError, badRequest, type Logger, toAppError } from '@ollama-gateway/runtime';
import type { NextFunction, Request, Response } from 'express';
import { dialectOf, errorBodyFor } from '../dialects/dialect.js';
import type { RequestContext } from '../services/request-context.js';

/** Body-parser failures → clear 4xx errors instead of Express's HTML pages. */
function fromBodyParser(error: unknown): AppError | undefined {
  const type = (error as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed')
    return badRequest(
      'We could not parse the JSON body of your request. The OpenAI API expects a JSON payload; check that it is valid JSON.',
      { code: 'invalid_json' },
    );
  if (type === 'entity.too.large')
    return new AppError(413, 'invalid_request', 'The request body is too large.', {
      code: 'request_too_large',
    });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new AppError(415, 'invalid_request', 'Unsupported body encoding: send UTF-8 JSON.', {
      code: 'unsupported_encoding',
    });
  return undefined;
}

/** Renders every error in the caller's dialect; 5xx causes are logged, never shown. */
export function errorMiddleware(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = fromBodyParser(error) ?? toAppError(error);
    const context = res.locals.context as RequestContext | undefined;
    if (context) {
      context.errorCode = appError.code ?? appError.kind;
      context.errorMessage = appError.message;
    }
    if (appError.status >= 500)
      logger.error(
        { requestId: context?.requestId, err: appError.cause ?? appError, path: req.path },
        appError.message,
      );
    if (res.headersSent) {
      res.end();
      return;
    }
    if (appError.retryAfterSeconds !== undefined)
      res.setHeader('retry-after', String(appError.retryAfterSeconds));
    res.status(appError.status).json(errorBodyFor(context?.dialect ?? dialectOf(req.path), appError));
  };
}
