import { updateElectricityRequestSchema, updateReferencePriceRequestSchema } from '@ollama-gateway/contracts';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { AdminService } from '../../services/admin.service.js';
import { param, parseWith } from './admin-parse.js';

const referenceNameSchema = z.object({ name: z.string().trim().min(1).max(200) });

/** /admin/reference-prices (the savings yardstick) and /admin/settings/electricity (energy costing). */
export function adminSettingsRoute(admin: AdminService): Router {
  const router = Router();

  router.get('/reference-prices', async (_req: Request, res: Response) => {
    res.json({ object: 'list', data: await admin.referencePrices.list() });
  });

  router.put('/reference-prices/:name', async (req: Request, res: Response) => {
    const { name } = parseWith(referenceNameSchema, { name: param(req.params.name) });
    const body = parseWith(updateReferencePriceRequestSchema, req.body);
    res.json(await admin.upsertReferencePrice(name, body));
  });

  router.get('/settings/electricity', async (_req: Request, res: Response) => {
    res.json(await admin.electricity());
  });

  router.put('/settings/electricity', async (req: Request, res: Response) => {
    res.json(await admin.setElectricity(parseWith(updateElectricityRequestSchema, req.body)));
  });

  router.delete('/settings/electricity', async (_req: Request, res: Response) => {
    res.json(await admin.resetElectricity());
  });

  return router;
}
