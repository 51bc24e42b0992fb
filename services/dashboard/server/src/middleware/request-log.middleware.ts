import { performance } from 'node:perf_hooks';
import { Histogram, type Logger, type Registry } from '@ollama-gateway/runtime';
import type { NextFunction, Request, Response } from 'express';

/**
 * One log line per /api request (method, path without the query string, status, ms: never headers, cookies or
 * bodies) and, with a registry, `dashboard_http_request_duration_seconds{method,route,status}`.
 */
export function requestLogMiddleware(logger: Logger, registry?: Registry) {
  const histogram = registry
    ? new Histogram({
        name: 'dashboard_http_request_duration_seconds',
        help: 'Dashboard HTTP requests by route pattern and status.',
        labelNames: ['method', 'route', 'status'] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      })
    : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      const path = req.originalUrl.split('?')[0] ?? '';
      const isApi = path === '/api' || path.startsWith('/api/');
      const routePath = (req.route as { path?: string } | undefined)?.path;
      // Route patterns only (bounded label values): /api/customers/:id/keys, /health…; the SPA's files are 'static'.
      const route = isApi ? `/api${routePath ?? '/(unmatched)'}` : (routePath ?? 'static');
      histogram?.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      if (isApi)
        logger.info(
          { method: req.method, path, status: res.statusCode, ms: Math.round(seconds * 1000) },
          'request',
        );
    });
    next();
  };
}
