import { type CloudStub, startCloudStub } from '@ollama-gateway/cloud-stub';
import { createPricingRepository } from '@ollama-gateway/db';
import type { Redis } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookClient } from '../clients/webhook.client.js';
import { createBudgetGate, createCustomerLimitsCache } from '../limits/budget.gate.js';
import { monthWindow } from '../limits/budget.period.js';
import { createLimitsRepository } from '../repositories/limits.repository.js';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';
import { createFallbackChains, type FallbackChains } from './fallback.providers.js';
import { createFallbackChatService } from './fallback-chat.service.js';

/** The budget counter settles a request served by a fallback provider at that provider's price (as the ledger). */
let stub: CloudStub;
let gw: TestGateway;
let chains: FallbackChains;
let redis: Redis;
let prefix: string;

beforeAll(async () => {
  stub = await startCloudStub();
  gw = await startTestGateway({
    label: 'fallback-budget',
    config: {
      fallback: {
        retries: { count: 0 },
        providers: [
          {
            name: 'stub-openai',
            type: 'openai',
            baseUrl: `${stub.url}/v1`,
            apiKeyEnv: 'STUB_OPENAI_KEY',
            models: { 'llama3.2': 'gpt-4o-mini' },
          },
        ],
      },
    },
    wrapChat: (local) => createFallbackChatService(local, { chain: () => chains.current() }),
    admission: (deps) => {
      redis = deps.redis;
      prefix = deps.prefix;
      const repository = createLimitsRepository(deps.db);
      return createBudgetGate({
        redis: deps.redis,
        repository,
        limits: createCustomerLimitsCache(repository, 0),
        webhooks: createWebhookClient({ timeoutMs: 2000 }),
        logger: deps.logger,
        keyPrefix: `${deps.prefix}:budget`,
        timeZone: 'UTC',
        maxCompletionTokens: 64,
        softLimitPercent: 80,
        webhookUrl: null,
        priceCacheTtlMs: 0,
      });
    },
  });
  chains = createFallbackChains({
    config: () => gw.routing.config.current().fallback,
    keyOf: (name) => (name === 'STUB_OPENAI_KEY' ? stub.config.openaiKey : undefined),
  });
  const pricing = createPricingRepository(gw.database.db);
  // Local: completion tokens only, 1 per million. The provider model: prompt 3 and completion 5 per million.
  await pricing.upsert({ model: 'llama3.2', inputPerMillion: 0, outputPerMillion: 1 });
  await pricing.upsert({ provider: 'openai', model: 'gpt-4o-mini', inputPerMillion: 3, outputPerMillion: 5 });
  await gw.database.db
    .updateTable('customers')
    .set({ budget: '100' })
    .where('id', '=', gw.customerId)
    .execute();
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await gw?.close();
  await chains?.close();
  await stub?.close();
});

const counter = async () =>
  Number(
    (await redis.get(`${prefix}:budget:${gw.customerId}:${monthWindow(new Date(), 'UTC').period}`)) ??
      Number.NaN,
  );

async function chat(
  content: string,
): Promise<{ promptTokens: number; completionTokens: number; provider: string }> {
  const response = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama3.2', max_tokens: 20, messages: [{ role: 'user', content }] }),
  });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
  return gw.usageEvent(response.headers.get('x-request-id')!);
}

describe('budget settlement of fallback requests', () => {
  it('settles a local request at the local price and a fallback request at the provider price', async () => {
    const local = await chat('hello there');
    expect(local.provider).toBe('ollama');
    // 1 per million = 1000 nano-units per token.
    const localCost = local.completionTokens * 1000;
    await expect.poll(counter).toBe(localCost);

    const cloud = await chat('hello there [[sim:error-500]]');
    expect(cloud.provider).toBe('openai');
    const cloudCost = cloud.promptTokens * 3000 + cloud.completionTokens * 5000;
    await expect.poll(counter).toBe(localCost + cloudCost);
  });
});
