import { customerStatusSchema, updateKeyRequestSchema } from '@ollama-gateway/contracts';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { AdminService } from '../../services/admin.service.js';
import { customerNotFound, keyNotFound, param, parseWith } from './admin-parse.js';

const name = z.string().trim().min(1).max(200);
const email = z
  .string()
  .trim()
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'not an email address');
const amount = z.number().min(0).finite();

const createCustomerSchema = z.strictObject({
  name,
  email: email.nullish(),
  budget: amount.nullish(),
  plan: z.string().min(1).nullish(),
});
const updateCustomerSchema = z.strictObject({
  name: name.optional(),
  email: email.nullable().optional(),
  budget: amount.nullable().optional(),
  status: customerStatusSchema.optional(),
  plan: z.string().min(1).nullable().optional(),
  // The budget fields of `gatewayctl update-customer`, validated the same way (packages/cli parsers.ts).
  budgetPeriod: z.enum(['monthly', 'one_off']).optional(),
  /** 1-100; null = the gateway default (BUDGET_SOFT_LIMIT_PERCENT). */
  softLimitPercent: z.number().int().min(1).max(100).nullable().optional(),
  /** null = the gateway default (BUDGET_WEBHOOK_URL). */
  webhookUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .max(2000)
    .nullable()
    .optional(),
  /** Percent on the default prices: -100 or more (negative = discount), at most 4 decimals. */
  markupPercent: z
    .number()
    .min(-100)
    .max(99_999)
    .refine((n) => /^-?\d+(\.\d{1,4})?$/.test(String(n)), 'at most 4 decimals, e.g. 12.5')
    .optional(),
});
const createKeySchema = z.strictObject({
  name: name.optional(),
  models: z
    .array(z.string().regex(/^[A-Za-z0-9._:/*?-]{1,200}$/))
    .min(1)
    .nullish(),
  endpoints: z.array(z.string().min(1).max(200)).min(1).nullish(),
  rpm: z.number().int().positive().max(2_147_483_647).nullish(),
  tpm: z.number().int().positive().max(2_147_483_647).nullish(),
  concurrency: z.number().int().positive().max(2_147_483_647).nullish(),
  expiresAt: z.iso.datetime({ offset: true }).nullish(),
  isAdmin: z.boolean().optional(),
});

/** /admin/customers…, /admin/keys…: customers (list/create/get/update) and their keys (list/create/update/revoke). */
export function adminCustomersRoute(admin: AdminService): Router {
  const router = Router();

  router.get('/customers', async (_req: Request, res: Response) => {
    res.json({ object: 'list', data: await admin.customers.list() });
  });

  router.post('/customers', async (req: Request, res: Response) => {
    const body = parseWith(createCustomerSchema, req.body);
    const customer = await admin.customers.create({
      name: body.name,
      email: body.email ?? null,
      budget: body.budget ?? null,
      planName: body.plan ?? null,
    });
    res.status(201).json(customer);
  });

  router.get('/customers/:id', async (req: Request, res: Response) => {
    const id = param(req.params.id);
    const customer = await admin.customers.get(id);
    if (!customer) throw customerNotFound(id);
    res.json(customer);
  });

  router.patch('/customers/:id', async (req: Request, res: Response) => {
    const id = param(req.params.id);
    const body = parseWith(updateCustomerSchema, req.body);
    const customer = await admin.updateCustomer(id, {
      name: body.name,
      email: body.email,
      budget: body.budget,
      status: body.status,
      planName: body.plan,
      budgetPeriod: body.budgetPeriod,
      softLimitPercent: body.softLimitPercent,
      webhookUrl: body.webhookUrl,
      markupPercent: body.markupPercent,
    });
    if (!customer) throw customerNotFound(id);
    res.json(customer);
  });

  router.get('/customers/:id/keys', async (req: Request, res: Response) => {
    const id = param(req.params.id);
    if (!(await admin.customers.get(id))) throw customerNotFound(id);
    res.json({ object: 'list', data: await admin.apiKeys.listByCustomer(id) });
  });

  router.post('/customers/:id/keys', async (req: Request, res: Response) => {
    const id = param(req.params.id);
    const body = parseWith(createKeySchema, req.body);
    if (!(await admin.customers.get(id))) throw customerNotFound(id);
    const created = await admin.createKey({
      customerId: id,
      ...(body.name ? { name: body.name } : {}),
      isAdmin: body.isAdmin ?? false,
      allowedModels: body.models ?? null,
      allowedEndpoints: body.endpoints ?? null,
      rpmLimit: body.rpm ?? null,
      tpmLimit: body.tpm ?? null,
      maxConcurrency: body.concurrency ?? null,
      expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
    });
    res.status(201).json(created);
  });

  router.patch('/keys/:id', async (req: Request, res: Response) => {
    const id = param(req.params.id);
    const body = parseWith(updateKeyRequestSchema, req.body);
    const key = await admin.updateKey(id, {
      name: body.name,
      allowedModels: body.models,
      rpmLimit: body.rpm,
      tpmLimit: body.tpm,
      maxConcurrency: body.concurrency,
      expiresAt:
        body.expiresAt === undefined || body.expiresAt === null ? body.expiresAt : new Date(body.expiresAt),
    });
    if (!key) throw keyNotFound(id);
    res.json(key);
  });

  router.delete('/keys/:id', async (req: Request, res: Response) => {
    const id = param(req.params.id);
    if (!(await admin.revokeKey(id))) throw keyNotFound(id);
    res.json({ id, revoked: true });
  });

  return router;
}
