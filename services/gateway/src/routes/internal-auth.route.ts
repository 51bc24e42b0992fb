import { performance } from 'node:perf_hooks';
import { AppError, toAppError } from '@ollama-gateway/runtime';
import { type Request, type Response, Router } from 'express';
import { dialectOf, errorBodyFor } from '../dialects/dialect.js';
import type { CorsPolicy } from '../middleware/cors.middleware.js';
import { clientIpOf, isFromProxy, requestIdOf } from '../middleware/request-context.middleware.js';
import { extractApiKey, type KeyAuthService } from '../services/key-auth.service.js';
import { newRequestContext } from '../services/request-context.js';
import type { UsageRecorder } from '../services/usage-recorder.service.js';

/** JSON with every non-ASCII character escaped (\uXXXX): HTTP header values must be ASCII, and it stays valid JSON. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * nginx's `auth_request` target. 204 with the key and customer ids as headers, or 401/403 with the complete error
 * body (in the dialect of the original path) in `X-Gateway-Error` for nginx to send. A rejected request never reaches
 * the API routes, so its usage event is recorded here: every request gets exactly one.
 */
export function internalAuthRoute(deps: {
  auth: KeyAuthService;
  recorder: UsageRecorder;
  internalSecret: string;
  /** Tells nginx which Access-Control-Allow-Origin to put on the 401/403 it sends (X-Gateway-Cors-Origin). */
  cors?: CorsPolicy;
}): Router {
  const router = Router();
  router.get('/internal/auth', async (req: Request, res: Response) => {
    const startedAt = performance.now();
    if (!isFromProxy(req, deps.internalSecret)) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    const corsOrigin = deps.cors?.allowOrigin(req.headers.origin);
    if (corsOrigin) res.setHeader('x-gateway-cors-origin', corsOrigin);
    try {
      const key = await deps.auth.authenticate(extractApiKey(req.headers));
      res.setHeader('x-gateway-key-id', key.id);
      res.setHeader('x-gateway-customer-id', key.customerId);
      res.status(204).end();
    } catch (error) {
      const appError = toAppError(error);
      const original =
        typeof req.headers['x-original-uri'] === 'string' ? req.headers['x-original-uri'] : '/';
      const path = original.split('?')[0] ?? '/';
      const dialect = dialectOf(path);
      const status = appError.status === 401 || appError.status === 403 ? appError.status : 500;
      const shown =
        status === 500
          ? new AppError(500, 'internal', 'The server had an error while processing your request.')
          : appError;
      const context = newRequestContext({
        requestId: requestIdOf(req, true),
        method:
          typeof req.headers['x-original-method'] === 'string' ? req.headers['x-original-method'] : 'GET',
        dialect,
        endpoint: path.slice(0, 256),
        clientIp: clientIpOf(req, true),
        userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
        startedAt,
        // The original request's headers (nginx forwards them to the subrequest): its traceparent joins the trace.
        requestHeader: (name) => {
          const value = req.headers[name];
          return Array.isArray(value) ? value.join(', ') : value;
        },
      });
      context.errorCode = shown.code ?? shown.kind;
      context.errorMessage = shown.message;
      deps.recorder.record(context, status, performance.now());
      res.setHeader('x-gateway-error', asciiJson(errorBodyFor(dialect, shown)));
      res.status(status).end();
    }
  });
  return router;
}
