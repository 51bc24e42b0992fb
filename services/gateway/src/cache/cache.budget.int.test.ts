import { createPricingRepository } from '@ollama-gateway/db';
import type { Redis } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { createWebhookClient } from '../clients/webhook.client.js';
import { createBudgetGate, createCustomerLimitsCache } from '../limits/budget.gate.js';
import { monthWindow } from '../limits/budget.period.js';
import { createLimitsRepository } from '../repositories/limits.repository.js';
import { startTestGateway } from '../testing/app-harness.js';
import { cacheConfigSchema } from './cache.config.js';

/** Cache hits and the budget gate: the Redis budget counter must agree with what the ledger will charge. */
describe('response cache and budgets', () => {
  it('a billed hit spends the budget like its miss; an unbilled hit settles its reservation to 0', async () => {
    let budgetConfig = cacheConfigSchema.parse({ enabled: true });
    let redis: Redis | undefined;
    let keyPrefix = '';
    const budgeted = await startTestGateway({
      label: 'gateway-cache-budget',
      cache: () => budgetConfig,
      admission: (deps) => {
        redis = deps.redis;
        keyPrefix = `${deps.prefix}:budget`;
        const repository = createLimitsRepository(deps.db);
        return createBudgetGate({
          redis: deps.redis,
          repository,
          limits: createCustomerLimitsCache(repository, 0),
          webhooks: createWebhookClient({ timeoutMs: 2000 }),
          logger: deps.logger,
          keyPrefix,
          timeZone: 'UTC',
          maxCompletionTokens: 64,
          softLimitPercent: 100,
          webhookUrl: null,
          priceCacheTtlMs: 0,
        });
      },
    });
    try {
      // 0.001 per completion token + 0.01 per request, prompt free.
      await createPricingRepository(budgeted.database.db).upsert({
        model: 'llama3.2',
        inputPerMillion: 0,
        outputPerMillion: 1000,
        perRequest: 0.01,
      });
      await budgeted.database.db
        .updateTable('customers')
        .set({ budget: '100' })
        .where('id', '=', budgeted.customerId)
        .execute();
      const counterKey = `${keyPrefix}:${budgeted.customerId}:${monthWindow(new Date(), 'UTC').period}`;
      const spent = async (expected: number) => {
        let value = Number.NaN;
        for (let i = 0; i < 200; i++) {
          value = Number((await redis!.get(counterKey)) ?? Number.NaN);
          if (value === expected) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return value;
      };
      const ask = async () => {
        const res = await fetch(`${budgeted.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${budgeted.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'llama3.2',
            temperature: 0,
            max_tokens: 12,
            messages: [{ role: 'user', content: 'Budgeted question' }],
          }),
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        return res.headers.get('x-cache');
      };
      const cost = 12 * 1_000_000 + 10_000_000; // nano: 12 tokens × 0.001 + 0.01
      expect(await ask()).toBe('MISS');
      expect(await spent(cost)).toBe(cost);
      expect(await ask()).toBe('HIT');
      expect(await spent(2 * cost)).toBe(2 * cost);
      budgetConfig = cacheConfigSchema.parse({ enabled: true, billHits: false });
      expect(await ask()).toBe('HIT');
      // The reservation is released and nothing is added (give a wrong settle time to show up).
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await spent(2 * cost)).toBe(2 * cost);
    } finally {
      await budgeted.close();
    }
  });
});
