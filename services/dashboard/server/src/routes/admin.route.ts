import {
  createCustomerRequestSchema,
  createKeyRequestSchema,
  updateCustomerRequestSchema,
  updateElectricityRequestSchema,
  updateKeyRequestSchema,
  updatePlanRequestSchema,
  updateReferencePriceRequestSchema,
  upsertPriceRequestSchema,
} from '@ollama-gateway/contracts';
import { badRequest } from '@ollama-gateway/runtime';
import { type NextFunction, type Request, type Response, Router } from 'express';
import type { z } from 'zod';
import type { AdminMethod } from '../clients/gateway-admin.client.js';
import { parseWith, pathParam, uuidParam } from '../http/parse.js';
import { type AdminService, adminDisabled } from '../services/admin.service.js';

const nameParam = (value: unknown, name: string): string => {
  const text = pathParam(value);
  if (text.length < 1 || text.length > 200)
    throw badRequest(`${name}: must be 1-200 characters`, { code: 'invalid_request', param: name });
  return encodeURIComponent(text);
};

/**
 * The admin mutations: each body is validated with its contract schema, then forwarded to the gateway's admin API
 * (with ADMIN_TOKEN); the gateway's answer is passed back with its status, its errors as `{error:{message,code}}`.
 * Without ADMIN_TOKEN every one answers 503 `admin_disabled`.
 */
export function adminRoute(deps: { admin: AdminService }): Router {
  const router = Router();
  const forward =
    <S extends z.ZodType>(method: AdminMethod, schema: S | null, path: (req: Request) => string) =>
    async (req: Request, res: Response) => {
      const target = path(req);
      const body = schema ? parseWith(schema, req.body) : undefined;
      const answer = await deps.admin.forward(method, target, body);
      res.setHeader('cache-control', 'no-store');
      res.status(answer.status).json(answer.body ?? {});
    };

  // Disabled (no ADMIN_TOKEN): refuse every mutation before validating or forwarding it.
  router.use((req: Request, _res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || deps.admin.configured) return next();
    next(adminDisabled());
  });

  router.post(
    '/customers',
    forward('POST', createCustomerRequestSchema, () => '/customers'),
  );
  router.patch(
    '/customers/:id',
    forward('PATCH', updateCustomerRequestSchema, (req) => `/customers/${uuidParam(req.params.id, 'id')}`),
  );
  router.post('/customers/:id/keys', async (req: Request, res: Response) => {
    const id = uuidParam(req.params.id, 'id');
    const body = parseWith(createKeyRequestSchema, req.body);
    const created = await deps.admin.createKey(id, body);
    // The secret is in this answer once: never cache it anywhere.
    res.setHeader('cache-control', 'no-store');
    res.status(201).json(created);
  });
  router.patch(
    '/keys/:id',
    forward('PATCH', updateKeyRequestSchema, (req) => `/keys/${uuidParam(req.params.id, 'id')}`),
  );
  router.delete(
    '/keys/:id',
    forward('DELETE', null, (req) => `/keys/${uuidParam(req.params.id, 'id')}`),
  );
  router.patch(
    '/plans/:name',
    forward('PATCH', updatePlanRequestSchema, (req) => `/plans/${nameParam(req.params.name, 'name')}`),
  );
  router.put(
    '/pricing',
    forward('PUT', upsertPriceRequestSchema, () => '/pricing'),
  );
  router.put(
    '/reference-prices/:name',
    forward(
      'PUT',
      updateReferencePriceRequestSchema,
      (req) => `/reference-prices/${nameParam(req.params.name, 'name')}`,
    ),
  );
  router.put(
    '/settings/electricity',
    forward('PUT', updateElectricityRequestSchema, () => '/settings/electricity'),
  );
  return router;
}
