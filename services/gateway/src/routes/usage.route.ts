import type { UsageReportsRepository } from '@ollama-gateway/db';
import { notFound } from '@ollama-gateway/runtime';
import { type Request, type Response, Router } from 'express';
import { contextOf } from '../middleware/request-context.middleware.js';

/**
 * `GET /v1/usage`: the caller's customer's usage this billing period (the calendar month in BILLING_TIME_ZONE),
 * with plan quota and budget left. Money is an exact decimal string.
 */
export function usageRoute(deps: {
  reports: Pick<UsageReportsRepository, 'periodUsage'>;
  timeZone: string;
}): Router {
  const router = Router();
  router.get('/v1/usage', async (_req: Request, res: Response) => {
    const context = contextOf(res);
    const customerId = context.key?.customerId;
    const usage = customerId ? await deps.reports.periodUsage(customerId, deps.timeZone) : null;
    if (!usage) throw notFound('No customer for this key.', { code: 'customer_not_found' });
    res.json({
      object: 'usage',
      period: {
        month: usage.period.month,
        timeZone: usage.period.timeZone,
        start: usage.period.from,
        end: usage.period.to,
      },
      requests: usage.usage.requests,
      promptTokens: usage.usage.promptTokens,
      completionTokens: usage.usage.completionTokens,
      totalTokens: usage.usage.totalTokens,
      cost: usage.usage.totalCost,
      plan: usage.plan,
      budget: usage.budget,
    });
  });
  return router;
}
