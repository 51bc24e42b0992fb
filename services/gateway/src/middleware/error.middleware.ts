import type { Dialect } from '@ollama-gateway/contracts';
import { AppError, badRequest, type Logger, toAppError } from '@ollama-gateway/runtime';
import type { NextFunction, Request, Response } from 'express';
import { dialectOf, errorBodyFor } from '../dialects/dialect.js';
import type { RequestContext } from '../services/request-context.js';

const OPENAI_PARSE_MESSAGE =
  'We could not parse the JSON body of your request. The OpenAI API expects a JSON payload; check that it is valid JSON.';

/** Whether a raw body is valid JSON after all (express.json's strict mode refuses `null`, `"x"`, `3` as a body). */
function isJsonScalar(raw: unknown): boolean {
  if (typeof raw !== 'string') return false;
  try {
    JSON.parse(raw);
    return true;
  } catch {
    return false;
  }
}

/**
 * Failures of the request itself that Express's body parser and router throw (http-errors with a 4xx `status` and
 * `expose`) → clear 4xx errors in the caller's dialect instead of Express's HTML pages or a generic 500.
 */
function fromRequestError(error: unknown, dialect: Dialect): AppError | undefined {
  const failure = error as {
    type?: string;
    status?: unknown;
    expose?: unknown;
    body?: unknown;
    code?: unknown;
  } | null;
  const type = failure?.type;
  if (type === 'entity.parse.failed') {
    if (isJsonScalar(failure?.body))
      return badRequest('The request body must be a JSON object.', { code: 'invalid_body' });
    return badRequest(dialect === 'openai' ? OPENAI_PARSE_MESSAGE : 'The request body is not valid JSON.', {
      code: 'invalid_json',
    });
  }
  if (type === 'entity.too.large')
    return new AppError(413, 'invalid_request', 'The request body is too large.', {
      code: 'request_too_large',
    });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new AppError(415, 'invalid_request', 'Unsupported body encoding: send UTF-8 JSON.', {
      code: 'unsupported_encoding',
    });
  const status = failure?.status;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  // The router cannot percent-decode a path parameter (`/v1/models/%ff`): a URIError with status 400.
  if (error instanceof URIError)
    return badRequest(`The URL is not valid: ${error.message}.`, { code: 'invalid_url' });
  if (failure?.expose !== true) return undefined;
  // A Content-Encoding the body does not match (zlib: "incorrect header check"), a truncated body…
  const detail = error instanceof Error ? error.message : 'unreadable request';
  if (typeof failure?.code === 'string' && failure.code.startsWith('Z_'))
    return badRequest(`The request body could not be decompressed (Content-Encoding): ${detail}.`, {
      code: 'invalid_encoding',
    });
  return new AppError(status, 'invalid_request', `The request could not be read: ${detail}.`);
}

/** Renders every error in the caller's dialect; 5xx causes are logged, never shown. */
export function errorMiddleware(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const context = res.locals.context as RequestContext | undefined;
    const dialect = context?.dialect ?? dialectOf(req.path);
    const appError = fromRequestError(error, dialect) ?? toAppError(error);
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
    res.status(appError.status).json(errorBodyFor(dialect, appError));
  };
}
