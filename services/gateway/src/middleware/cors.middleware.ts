import type { NextFunction, Request, Response } from 'express';

/**
 * CORS for the public API (/v1/…, /api/…) so browser apps on the listed origins can call it with a key; off unless
 * CORS_ALLOW_ORIGINS lists origins. Never applied to /admin, /internal or /metrics. Keys travel in headers, never in
 * cookies, so no credentials are allowed and `*` is safe where it is allowed.
 */
export interface CorsPolicy {
  /** The Access-Control-Allow-Origin value for a request from `origin`, or null when that origin is not allowed. */
  allowOrigin(origin: string | undefined): string | null;
}

const METHODS = 'GET, POST, DELETE, OPTIONS';
const MAX_AGE_S = '600';
const MAX_REQUEST_HEADERS = 2048;

/** `origins`: exact origins (`https://app.example.com`), or `*` for any. Empty: CORS off (no header ever sent). */
export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const any = origins.includes('*');
  const allowed = new Set(origins.map((origin) => origin.toLowerCase()));
  return {
    allowOrigin(origin) {
      if (!origin || allowed.size === 0) return null;
      if (any) return '*';
      return allowed.has(origin.toLowerCase()) ? origin : null;
    },
  };
}

const isApiPath = (path: string) => path.startsWith('/v1/') || path.startsWith('/api/');

/**
 * Answers preflights (OPTIONS with Access-Control-Request-Method) from allowed origins with a 204 before the key
 * chain — browsers send them without the key — and adds the CORS headers to every other API response for them.
 * A preflight from any other origin goes on like any request (and is refused for having no key).
 */
export function corsMiddleware(policy: CorsPolicy) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = isApiPath(req.path) ? policy.allowOrigin(req.headers.origin) : null;
    if (!origin) {
      next();
      return;
    }
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'];
    if (!preflight) {
      res.setHeader('access-control-expose-headers', '*');
      next();
      return;
    }
    res.setHeader('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    res.setHeader('access-control-allow-methods', METHODS);
    const asked = req.headers['access-control-request-headers'];
    // `*` does not cover Authorization, so the headers asked for are allowed by name.
    if (typeof asked === 'string' && asked.length <= MAX_REQUEST_HEADERS && /^[\w\-, ]*$/.test(asked))
      res.setHeader('access-control-allow-headers', asked);
    res.setHeader('access-control-max-age', MAX_AGE_S);
    res.status(204).end();
  };
}
