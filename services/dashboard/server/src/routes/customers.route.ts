import { rangeQuerySchema } from '@ollama-gateway/contracts';
import { type Request, type Response, Router } from 'express';
import { parseWith, uuidParam } from '../http/parse.js';
import type { CustomersService } from '../services/customers.service.js';
import type { RangeResolver } from '../services/range.service.js';

/** GET /api/customers and GET /api/customers/:id/keys, with usage in the range (rangeQuerySchema). */
export function customersRoute(deps: { customers: CustomersService; resolveRange: RangeResolver }): Router {
  const router = Router();

  router.get('/customers', async (req: Request, res: Response) => {
    const range = await deps.resolveRange(parseWith(rangeQuerySchema, req.query));
    res.json(await deps.customers.list(range));
  });

  router.get('/customers/:id/keys', async (req: Request, res: Response) => {
    const id = uuidParam(req.params.id, 'id');
    const range = await deps.resolveRange(parseWith(rangeQuerySchema, req.query));
    res.json(await deps.customers.keys(id, range));
  });
  return router;
}
