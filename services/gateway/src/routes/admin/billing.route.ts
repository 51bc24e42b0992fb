import { providerSchema } from '@ollama-gateway/contracts';
import { badRequest } from '@ollama-gateway/runtime';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { AdminService } from '../../services/admin.service.js';
import { customerNotFound, param, parseWith } from './admin-parse.js';

const amount = z.number().min(0).finite();
const quota = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable();

const updatePlanSchema = z.strictObject({
  monthlyRequestQuota: quota.optional(),
  monthlyTokenQuota: quota.optional(),
  monthlyPrice: amount.optional(),
});
const upsertPriceSchema = z.strictObject({
  model: z.string().regex(/^[A-Za-z0-9._:/*?-]{1,200}$/, 'a model name or glob'),
  provider: providerSchema.optional(),
  inputPerMillion: amount,
  outputPerMillion: amount,
  perRequest: amount.optional(),
  customerId: z.uuid().nullish(),
  effectiveFrom: z.iso.datetime({ offset: true }).optional(),
});
const rangeSchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
const monthSchema = z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM') });

/** /admin/plans, /admin/pricing, /admin/customers/:id/usage and /invoice, /admin/models. */
export function adminBillingRoute(admin: AdminService): Router {
  const router = Router();

  router.get('/plans', async (_req: Request, res: Response) => {
    res.json({ object: 'list', data: await admin.plans.list() });
  });

  router.patch('/plans/:name', async (req: Request, res: Response) => {
    res.json(await admin.updatePlan(param(req.params.name), parseWith(updatePlanSchema, req.body)));
  });

  router.get('/pricing', async (_req: Request, res: Response) => {
    res.json({
      object: 'list',
      data: await admin.pricing.list(),
      referencePrice: await admin.pricing.findDefaultReferencePrice(),
    });
  });

  router.put('/pricing', async (req: Request, res: Response) => {
    const body = parseWith(upsertPriceSchema, req.body);
    if (body.customerId && !(await admin.customers.get(body.customerId)))
      throw customerNotFound(body.customerId);
    const price = await admin.upsertPrice({
      model: body.model,
      provider: body.provider ?? 'ollama',
      inputPerMillion: body.inputPerMillion,
      outputPerMillion: body.outputPerMillion,
      perRequest: body.perRequest ?? 0,
      customerId: body.customerId ?? null,
      ...(body.effectiveFrom ? { effectiveFrom: new Date(body.effectiveFrom) } : {}),
    });
    res.json(price);
  });

  router.get('/customers/:id/usage', async (req: Request, res: Response) => {
    const id = param(req.params.id);
    const query = parseWith(rangeSchema, req.query);
    if (!(await admin.customers.get(id))) throw customerNotFound(id);
    const period = await admin.usageReports.currentPeriod(admin.timeZone);
    const from = query.from ? new Date(query.from) : period.from;
    const to = query.to ? new Date(query.to) : period.to;
    if (from.getTime() >= to.getTime()) throw badRequest('from must be before to', { code: 'invalid_range' });
    res.json(await admin.usageReports.report(id, from, to));
  });

  router.get('/customers/:id/invoice', async (req: Request, res: Response) => {
    const id = param(req.params.id);
    const { month } = parseWith(monthSchema, req.query);
    const invoice = await admin.usageReports.invoice(id, month, admin.timeZone);
    if (!invoice) throw customerNotFound(id);
    res.json(invoice);
  });

  router.get('/models', async (_req: Request, res: Response) => {
    res.json({ object: 'list', data: await admin.models.list() });
  });

  router.post('/models/sync', async (_req: Request, res: Response) => {
    const synced = await admin.syncModels();
    res.json({ object: 'list', synced: synced.length, data: synced });
  });

  return router;
}
