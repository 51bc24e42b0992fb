import { rangeQuerySchema } from '@ollama-gateway/contracts';
import { type Request, type Response, Router } from 'express';
import { parseWith } from '../http/parse.js';
import type { AnalyticsService } from '../services/analytics.service.js';
import type { RangeResolver } from '../services/range.service.js';

/** GET /api/overview, /api/timeseries, /api/models: `?period=…&tz=…` (rangeQuerySchema). */
export function analyticsRoute(deps: { analytics: AnalyticsService; resolveRange: RangeResolver }): Router {
  const router = Router();
  const range = (req: Request) => deps.resolveRange(parseWith(rangeQuerySchema, req.query));

  router.get('/overview', async (req: Request, res: Response) => {
    res.json(await deps.analytics.overview(await range(req)));
  });
  router.get('/timeseries', async (req: Request, res: Response) => {
    res.json(await deps.analytics.timeseries(await range(req)));
  });
  router.get('/models', async (req: Request, res: Response) => {
    res.json(await deps.analytics.models(await range(req)));
  });
  return router;
}
