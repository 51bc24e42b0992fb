import { type Request, type Response, Router } from 'express';
import type { PricingService } from '../services/pricing.service.js';

/** GET /api/pricing (prices, reference prices, electricity) and GET /api/plans. */
export function pricingRoute(deps: { pricing: PricingService }): Router {
  const router = Router();
  router.get('/pricing', async (_req: Request, res: Response) => {
    res.json(await deps.pricing.pricing());
  });
  router.get('/plans', async (_req: Request, res: Response) => {
    res.json(await deps.pricing.plans());
  });
  return router;
}
