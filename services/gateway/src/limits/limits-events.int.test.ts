import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createPricingRepository } from '@ollama-gateway/db';
import {
  createRedis,
  type Redis,
  subscribeCustomerChanged,
  subscribePricesChanged,
} from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLimitsRepository } from '../repositories/limits.repository.js';
import { startTestGateway, TEST_HASH_SECRET, type TestGateway } from '../testing/app-harness.js';
import { composeGates } from './admission.js';
import { createBudgetGate, createCustomerLimitsCache, createPriceCache } from './budget.gate.js';
import { createQuotaGate } from './quota.gate.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked by the assertions
type Json = any;

/**
 * Budget, quota and price changes reach a running gateway at once over Redis pub/sub (customer-changed,
 * prices-changed), as key revocations do: the caches here live 60 s, so only the message can explain a refusal
 * within a second.
 */
const TOKEN = 'admin-token-0123456789abcdef';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLI = fileURLToPath(new URL('../../../../packages/cli/dist/main.js', import.meta.url));
const TTL = 60_000;
let gw: TestGateway;
let subscriber: Redis;

beforeAll(async () => {
  let caches: {
    limits: ReturnType<typeof createCustomerLimitsCache>;
    prices: ReturnType<typeof createPriceCache>;
  };
  gw = await startTestGateway({
    label: 'limits-events',
    adminToken: TOKEN,
    publishChanges: true,
    admission: (deps) => {
      const repository = createLimitsRepository(deps.db);
      caches = {
        limits: createCustomerLimitsCache(repository, TTL),
        prices: createPriceCache(repository, TTL),
      };
      return composeGates([
        createQuotaGate({
          redis: deps.redis,
          repository,
          limits: caches.limits,
          keyPrefix: `${deps.prefix}:quota`,
          timeZone: 'UTC',
          maxCompletionTokens: 64,
        }),
        createBudgetGate({
          redis: deps.redis,
          repository,
          limits: caches.limits,
          prices: caches.prices,
          webhooks: { post: async () => 200 },
          logger: deps.logger,
          keyPrefix: `${deps.prefix}:budget`,
          timeZone: 'UTC',
          maxCompletionTokens: 64,
          softLimitPercent: 80,
          webhookUrl: null,
          priceCacheTtlMs: TTL,
        }),
      ]);
    },
  });
  // As main.ts does: one subscribed connection evicts the caches.
  subscriber = createRedis(REDIS_URL, 'client', 'limits-events-test');
  await subscribeCustomerChanged(subscriber, gw.prefix, (id) => caches.limits.evict(id));
  await subscribePricesChanged(subscriber, gw.prefix, () => caches.prices.evict());
  // llama3.2: 0.001 per completion token + 0.01 per request; a request reserves at most 0.074.
  await createPricingRepository(gw.database.db).upsert({
    model: 'llama3.2',
    inputPerMillion: 0,
    outputPerMillion: 1000,
    perRequest: 0.01,
  });
});

afterAll(async () => {
  subscriber?.disconnect();
  if (gw) {
    const keys = await gw.redis.keys(`${gw.prefix}:*`);
    if (keys.length > 0) await gw.redis.del(...keys);
    await gw.close();
  }
});

const chat = (key: string) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama3.2', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
  });

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Json };
};

const gatewayctl = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: {
          PATH: process.env.PATH ?? '',
          ENV_FILE: 'none',
          DATABASE_URL: gw.database.url,
          KEY_HASH_SECRET: TEST_HASH_SECRET,
          REDIS_URL,
          QUEUE_PREFIX: gw.prefix,
        },
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });

/** Sends requests until one is refused with 429 insufficient_quota; returns how long that took. */
async function refusedWithin(key: string, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    const response = await chat(key);
    const body = (await response.json()) as Json;
    if (response.status === 429) {
      expect(body.error.code).toBe('insufficient_quota');
      return Date.now() - started;
    }
    expect(response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`still admitted after ${ms} ms`);
}

async function customerWithKey(budget: number): Promise<{ id: string; key: string }> {
  const created = await admin('POST', '/admin/customers', { name: 'Events', budget });
  expect(created.status).toBe(201);
  const key = await admin('POST', `/admin/customers/${created.body.id}/keys`, {});
  return { id: created.body.id, key: key.body.key };
}

describe('budget, quota and price changes take effect at once (60 s caches)', () => {
  it('gatewayctl update-customer --budget: the next request is refused within 1 s', async () => {
    const { id, key } = await customerWithKey(100);
    expect((await chat(key)).status).toBe(200); // the limits are now cached for 60 s
    const run = await gatewayctl('update-customer', id, '--budget', '0.001', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(await refusedWithin(key, 1000)).toBeLessThan(1000);
  });

  it('admin API PATCH budget: the next request is refused within 1 s', async () => {
    const { id, key } = await customerWithKey(100);
    expect((await chat(key)).status).toBe(200);
    expect((await admin('PATCH', `/admin/customers/${id}`, { budget: 0.001 })).status).toBe(200);
    expect(await refusedWithin(key, 1000)).toBeLessThan(1000);
  });

  it('gatewayctl set-plan and update-plan: a new request quota applies within 1 s', async () => {
    const { id, key } = await customerWithKey(100);
    expect((await chat(key)).status).toBe(200);
    const setPlan = await gatewayctl('set-plan', id, 'Basic', '--json');
    expect(setPlan.code, setPlan.stderr).toBe(0);
    expect((await chat(key)).status).toBe(200);
    const plans = await admin('GET', '/admin/plans');
    const basic = plans.body.data.find((p: { name: string }) => p.name === 'Basic');
    const run = await gatewayctl('update-plan', 'Basic', '--requests', '1', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(await refusedWithin(key, 1000)).toBeLessThan(1000);
    await admin('PATCH', '/admin/plans/Basic', { monthlyRequestQuota: basic.monthlyRequestQuota });
  });

  it('gatewayctl set-pricing and admin PUT /admin/pricing: a higher price applies within 1 s', async () => {
    const cli = await customerWithKey(1);
    const api = await customerWithKey(1);
    expect((await chat(cli.key)).status).toBe(200);
    expect((await chat(api.key)).status).toBe(200);
    const run = await gatewayctl(
      'set-pricing',
      'llama3.2',
      '--input-per-1m',
      '0',
      '--output-per-1m',
      '1000',
      '--per-request',
      '5',
      '--customer',
      cli.id,
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(await refusedWithin(cli.key, 1000)).toBeLessThan(1000);
    const put = await admin('PUT', '/admin/pricing', {
      model: 'llama3.2',
      inputPerMillion: 0,
      outputPerMillion: 1000,
      perRequest: 5,
      customerId: api.id,
    });
    expect(put.status).toBe(200);
    expect(await refusedWithin(api.key, 1000)).toBeLessThan(1000);
  });
});

describe('admin API customer update: budget fields, validated like gatewayctl', () => {
  it('sets and clears budgetPeriod, softLimitPercent, webhookUrl and markupPercent', async () => {
    const { id } = await customerWithKey(10);
    const set = await admin('PATCH', `/admin/customers/${id}`, {
      budgetPeriod: 'one_off',
      softLimitPercent: 75,
      webhookUrl: 'https://hooks.example.com/budget',
      markupPercent: 12.5,
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      budgetPeriod: 'one_off',
      softLimitPercent: 75,
      webhookUrl: 'https://hooks.example.com/budget',
    });
    expect(Number(set.body.markupPercent)).toBe(12.5);
    const cleared = await admin('PATCH', `/admin/customers/${id}`, {
      budgetPeriod: 'monthly',
      softLimitPercent: null,
      webhookUrl: null,
      markupPercent: -10,
    });
    expect(cleared.body).toMatchObject({ budgetPeriod: 'monthly', softLimitPercent: null, webhookUrl: null });
    expect(Number(cleared.body.markupPercent)).toBe(-10);
  });

  it.each([
    [{ budgetPeriod: 'weekly' }, 'budgetPeriod'],
    [{ softLimitPercent: 0 }, 'softLimitPercent'],
    [{ softLimitPercent: 101 }, 'softLimitPercent'],
    [{ softLimitPercent: 50.5 }, 'softLimitPercent'],
    [{ webhookUrl: 'ftp://hooks.example.com' }, 'webhookUrl'],
    [{ webhookUrl: 'not a url' }, 'webhookUrl'],
    [{ markupPercent: -101 }, 'markupPercent'],
    [{ markupPercent: 1.23456 }, 'markupPercent'],
  ])('refuses %j with a 400 naming the field', async (body, param) => {
    const response = await admin('PATCH', `/admin/customers/${gw.customerId}`, body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'invalid_request_body', param });
  });
});
