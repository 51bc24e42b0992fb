import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createApiKeysRepository,
  createCustomersRepository,
  createPricingRepository,
} from '@ollama-gateway/db';
import { generateApiKey, hashApiKey, type Redis } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookClient } from '../clients/webhook.client.js';
import { createLimitsRepository } from '../repositories/limits.repository.js';
import { startTestGateway, TEST_HASH_SECRET, type TestGateway } from '../testing/app-harness.js';
import { composeGates } from './admission.js';
import { createBudgetGate, createCustomerLimitsCache } from './budget.gate.js';
import { monthWindow } from './budget.period.js';
import { createQuotaGate } from './quota.gate.js';

let gw: TestGateway;
let redis: Redis;
let prefix: string;
let hooks: Server;
let hookUrl: string;
const received: unknown[] = [];

const NANO = 1_000_000_000;
const period = () => monthWindow(new Date(), 'UTC').period;

beforeAll(async () => {
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end('ok');
    });
  }).listen(0, '127.0.0.1');
  await once(hooks, 'listening');
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;

  gw = await startTestGateway({
    label: 'budget',
    admission: (deps) => {
      redis = deps.redis;
      prefix = deps.prefix;
      const repository = createLimitsRepository(deps.db);
      const limits = createCustomerLimitsCache(repository, 0);
      return composeGates([
        createQuotaGate({
          redis: deps.redis,
          repository,
          limits,
          keyPrefix: `${deps.prefix}:quota`,
          timeZone: 'UTC',
          maxCompletionTokens: 64,
        }),
        createBudgetGate({
          redis: deps.redis,
          repository,
          limits,
          webhooks: createWebhookClient({ timeoutMs: 2000 }),
          logger: deps.logger,
          keyPrefix: `${deps.prefix}:budget`,
          timeZone: 'UTC',
          maxCompletionTokens: 64,
          softLimitPercent: 80,
          webhookUrl: null,
          priceCacheTtlMs: 0,
        }),
      ]);
    },
  });
  const pricing = createPricingRepository(gw.database.db);
  // llama3.2: 0.001 per completion token + 0.01 per request, prompt free (the reservation is then exact).
  await pricing.upsert({ model: 'llama3.2', inputPerMillion: 0, outputPerMillion: 1000, perRequest: 0.01 });
  // qwen3*: prompt and completion priced, no per-request price.
  await pricing.upsert({ model: 'qwen3*', inputPerMillion: 500, outputPerMillion: 2000 });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await gw?.close();
  hooks?.close();
});

async function newCustomer(fields: {
  budget?: string;
  planId?: string;
  softLimitPercent?: number;
  webhookUrl?: string;
}): Promise<{ customerId: string; key: string }> {
  const customer = await createCustomersRepository(gw.database.db).create({
    name: 'Budget customer',
    email: null,
  });
  await gw.database.db
    .updateTable('customers')
    .set({
      budget: fields.budget ?? null,
      plan_id: fields.planId ?? null,
      soft_limit_percent: fields.softLimitPercent ?? null,
      webhook_url: fields.webhookUrl ?? null,
    })
    .where('id', '=', customer.id)
    .execute();
  const generated = generateApiKey();
  await createApiKeysRepository(gw.database.db).create({
    customerId: customer.id,
    prefix: generated.prefix,
    secretHash: hashApiKey(generated.key, TEST_HASH_SECRET),
  });
  return { customerId: customer.id, key: generated.key };
}

const chat = (key: string, body: Record<string, unknown>, signal?: AbortSignal) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hello there' }], ...body }),
    ...(signal ? { signal } : {}),
  });

const counter = async (customerId: string) =>
  Number((await redis.get(`${prefix}:budget:${customerId}:${period()}`)) ?? Number.NaN);

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 200 && !ok(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = await read();
  }
  return value;
}

describe('budget gate', () => {
  it('lets at most 10 of 50 concurrent requests reach Ollama when the budget fits exactly 10', async () => {
    // Each request reserves and costs 12 × 0.001 + 0.01 = 0.022: a budget of 0.22 fits exactly 10.
    const { customerId, key } = await newCustomer({ budget: '0.22' });
    const before = gw.sim.stats().byPath['/api/chat'] ?? 0;
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => chat(key, { model: 'llama3.2', max_tokens: 12 })),
    );
    const bodies = await Promise.all(
      responses.map(
        (res) => res.json() as Promise<{ error?: { type: string; code: string; message: string } }>,
      ),
    );
    const ok = responses.filter((res) => res.status === 200);
    const refused = responses.filter((res) => res.status === 429);
    expect(ok.length + refused.length).toBe(50);
    expect(ok.length).toBe(10);
    expect((gw.sim.stats().byPath['/api/chat'] ?? 0) - before).toBe(10);
    for (const res of refused) expect(res.headers.get('x-should-retry')).toBe('false');
    const refusal = bodies.find((body) => body.error);
    expect(refusal?.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(refusal?.error?.message).toMatch(/^You exceeded your current quota/);
    const spent = await eventually(
      () => counter(customerId),
      (value) => value === 0.22 * NANO,
    );
    expect(spent).toBe(0.22 * NANO);
    expect(spent).toBeLessThanOrEqual(0.22 * NANO);
  });

  it('never settles above the budget when reservations exceed the real cost', async () => {
    // Reserve 64 completion tokens (0.074) but really use 12 (0.022): refunds let more through, never past 0.3.
    const { customerId, key } = await newCustomer({ budget: '0.3' });
    const responses = await Promise.all(Array.from({ length: 40 }, () => chat(key, { model: 'llama3.2' })));
    await Promise.all(responses.map((res) => res.arrayBuffer()));
    const ok = responses.filter((res) => res.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(4);
    const spent = await eventually(
      () => counter(customerId),
      (value) => Math.abs(value - ok * 0.022 * NANO) < 1,
    );
    expect(spent).toBeCloseTo(ok * 0.022 * NANO, 0);
    expect(spent).toBeLessThanOrEqual(0.3 * NANO);
  });

  it('settles a stream and a client-disconnected stream with their real tokens', async () => {
    const { customerId, key } = await newCustomer({ budget: '100' });
    const res = await chat(key, { model: 'qwen3:0.6b', stream: true, max_tokens: 50 });
    expect(res.status).toBe(200);
    await res.text();
    const first = await gw.usageEvent(res.headers.get('x-request-id')!);
    const cost = (e: { promptTokens: number; completionTokens: number }) =>
      e.promptTokens * 500_000 + e.completionTokens * 2_000_000; // nano: 500/1M and 2000/1M per token
    expect(first.completionTokens).toBeGreaterThan(0);
    expect(
      await eventually(
        () => counter(customerId),
        (v) => v === cost(first),
      ),
    ).toBe(cost(first));

    const controller = new AbortController();
    const cut = await chat(
      key,
      {
        model: 'qwen3:0.6b',
        stream: true,
        max_tokens: 500,
        messages: [{ role: 'user', content: 'a long one [[sim:slow]] [[sim:tokens=200]]' }],
      },
      controller.signal,
    );
    const requestId = cut.headers.get('x-request-id')!;
    const reader = cut.body!.getReader();
    for (let chunks = 0; chunks < 3; chunks++) await reader.read();
    controller.abort();
    const second = await gw.usageEvent(requestId);
    expect(second.status).toBe(499);
    expect(second.completionTokens).toBeGreaterThan(0);
    expect(second.completionTokens).toBeLessThan(200);
    const expected = cost(first) + cost(second);
    expect(
      await eventually(
        () => counter(customerId),
        (v) => v === expected,
      ),
    ).toBe(expected);
  });

  it('seeds the counter from the month-to-date spend (customer_spend)', async () => {
    const { customerId, key } = await newCustomer({ budget: '0.05' });
    await gw.database.db
      .insertInto('customer_spend')
      .values([
        { customer_id: customerId, period: period(), requests: 1, total_cost: '0.04' },
        { customer_id: customerId, period: '2000-01-01', requests: 1, total_cost: '9' },
      ])
      .execute();
    const res = await chat(key, { model: 'llama3.2', max_tokens: 12 }); // needs 0.022, only 0.01 left
    expect(res.status).toBe(429);
    expect(await counter(customerId)).toBe(0.04 * NANO);
  });

  it('fires the soft-limit webhook and log line once per period', async () => {
    const { customerId, key } = await newCustomer({
      budget: '0.22',
      softLimitPercent: 50,
      webhookUrl: hookUrl,
    });
    for (let i = 0; i < 8; i++) {
      const res = await chat(key, { model: 'llama3.2', max_tokens: 12 });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const mine = () =>
      received.filter((body) => (body as { customer_id: string }).customer_id === customerId);
    await eventually(
      async () => mine().length,
      (n) => n > 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mine()).toHaveLength(1);
    expect(mine()[0]).toMatchObject({
      type: 'budget.soft_limit',
      period: period(),
      budget: '0.220000000',
      soft_limit_percent: 50,
    });
  });
});

describe('plan quotas', () => {
  it('refuses request N+1 of the month, counting the ledger first', async () => {
    const plan = await gw.database.db
      .insertInto('plans')
      .values({ name: 'Tiny', monthly_request_quota: 3, monthly_token_quota: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { customerId, key } = await newCustomer({ planId: plan.id });
    await gw.database.db
      .insertInto('usage_events')
      .values({
        request_id: `quota-seed-${customerId}`,
        occurred_at: new Date(),
        customer_id: customerId,
        model: 'llama3.2',
        provider: 'ollama',
        endpoint: '/v1/chat/completions',
        dialect: 'openai',
        status: 200,
        stream: false,
        total_ms: 1,
      })
      .execute();
    for (let i = 0; i < 2; i++) {
      const res = await chat(key, { model: 'llama3.2', max_tokens: 12 });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const refused = await chat(key, { model: 'llama3.2', max_tokens: 12 });
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('insufficient_quota');
    expect(body.error.message).toContain('The Tiny plan allows 3 requests per month');
  });

  it('holds tokens against the monthly token quota and settles them to the real count', async () => {
    const plan = await gw.database.db
      .insertInto('plans')
      .values({ name: 'Tokens', monthly_request_quota: null, monthly_token_quota: 1000 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { customerId, key } = await newCustomer({ planId: plan.id });
    const res = await chat(key, { model: 'llama3.2', max_tokens: 12 });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const event = await gw.usageEvent(res.headers.get('x-request-id')!);
    const tokens = await eventually(
      async () => Number(await redis.get(`${prefix}:quota:${customerId}:${period()}:tokens`)),
      (value) => value === event.promptTokens + event.completionTokens,
    );
    expect(tokens).toBe(event.promptTokens + event.completionTokens);
    const tooBig = await chat(key, { model: 'llama3.2', max_tokens: 5000 });
    expect(tooBig.status).toBe(429);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toContain(
      'The Tokens plan allows 1000 tokens per month',
    );
  });
});

describe('redis hygiene', () => {
  it('leaves no budget or quota key without a TTL', async () => {
    const keys = [...(await redis.keys(`${prefix}:budget:*`)), ...(await redis.keys(`${prefix}:quota:*`))];
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(await redis.ttl(key), key).toBeGreaterThan(0);
  });
});
