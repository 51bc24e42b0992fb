import { sql } from '@ollama-gateway/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/app-harness.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked by the assertions
type Json = any;

const TOKEN = 'admin-token-0123456789abcdef';
let gw: TestGateway;
let closed: TestGateway | undefined;

const call = async (method: string, path: string, options: { token?: string; body?: unknown } = {}) => {
  const response = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, Json> };
};
const admin = (method: string, path: string, body?: unknown) => call(method, path, { token: TOKEN, body });

beforeAll(async () => {
  gw = await startTestGateway({ label: 'admin-api', adminToken: TOKEN });
});
afterAll(async () => {
  await gw?.close();
  await closed?.close();
});

describe('admin API auth', () => {
  it('refuses no token (401), a wrong token (401), a customer key (403); accepts the token and an admin key', async () => {
    expect((await call('GET', '/admin/customers')).status).toBe(401);
    const wrong = await call('GET', '/admin/customers', { token: 'sk-og-wrong-token-that-is-long-enough' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ type: expect.any(String), message: expect.any(String) });
    const customerKey = await call('GET', '/admin/customers', { token: gw.key });
    expect(customerKey.status).toBe(403);
    expect(customerKey.body.error.code).toBe('not_admin');
    expect((await admin('GET', '/admin/customers')).status).toBe(200);
    const { key } = await gw.createKey({ isAdmin: true });
    expect((await call('GET', '/admin/plans', { token: key })).status).toBe(200);
  });

  it('answers 404 everywhere under /admin when no ADMIN_TOKEN is configured', async () => {
    closed = await startTestGateway({ label: 'admin-off' });
    const { key } = await closed.createKey({ isAdmin: true });
    const response = await fetch(`${closed.url}/admin/customers`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as Json).error.code).toBe('unknown_url');
  });
});

describe('admin API operations', () => {
  it('creates, gets, lists and updates customers; validation and conflicts are JSON errors', async () => {
    const created = await admin('POST', '/admin/customers', {
      name: 'Acme',
      email: 'ops@acme.test',
      budget: 10,
      plan: 'pro',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Acme', planName: 'Pro', budget: 10, status: 'active' });
    const id = created.body.id as string;
    expect((await admin('GET', `/admin/customers/${id}`)).body.email).toBe('ops@acme.test');
    const list = await admin('GET', '/admin/customers');
    expect(list.body.data.map((c: { id: string }) => c.id)).toContain(id);
    const updated = await admin('PATCH', `/admin/customers/${id}`, {
      status: 'suspended',
      budget: null,
      plan: 'Free',
    });
    expect(updated.body).toMatchObject({ status: 'suspended', budget: null, planName: 'Free' });

    const bad = await admin('POST', '/admin/customers', { name: '', email: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request_body');
    const taken = await admin('POST', '/admin/customers', { name: 'Dup', email: 'OPS@acme.test' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('customer_email_taken');
    expect((await admin('GET', '/admin/customers/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await admin('PATCH', `/admin/customers/${id}`, { plan: 'Platinum' })).body.error.code).toBe(
      'plan_not_found',
    );
  });

  it('creates a key (secret shown once), lists keys without it, and revokes: the key stops working', async () => {
    const created = await admin('POST', `/admin/customers/${gw.customerId}/keys`, {
      name: 'ci',
      models: ['llama3*'],
      rpm: 60,
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^sk-og-/);
    expect(created.body).toMatchObject({ name: 'ci', allowedModels: ['llama3*'], rpmLimit: 60 });
    const usage = await call('GET', '/v1/usage', { token: created.body.key });
    expect(usage.status).toBe(200);
    const keys = await admin('GET', `/admin/customers/${gw.customerId}/keys`);
    const listed = keys.body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toBeDefined();
    expect(listed.key).toBeUndefined();
    expect(JSON.stringify(keys.body)).not.toContain(created.body.key);

    expect((await admin('DELETE', `/admin/keys/${created.body.id}`)).body).toMatchObject({ revoked: true });
    expect((await call('GET', '/v1/usage', { token: created.body.key })).status).toBe(401);
    expect((await admin('DELETE', '/admin/keys/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  it('lists and updates plans, lists and upserts prices', async () => {
    const plans = await admin('GET', '/admin/plans');
    expect(plans.body.data.map((p: { name: string }) => p.name)).toEqual([
      'Free',
      'Basic',
      'Pro',
      'Business',
      'Enterprise',
    ]);
    const updated = await admin('PATCH', '/admin/plans/free', {
      monthlyRequestQuota: 50,
      monthlyTokenQuota: null,
    });
    expect(updated.body).toMatchObject({ name: 'Free', monthlyRequestQuota: 50, monthlyTokenQuota: null });
    expect((await admin('PATCH', '/admin/plans/gold', { monthlyPrice: 1 })).status).toBe(404);

    const price = await admin('PUT', '/admin/pricing', {
      model: 'qwen*',
      inputPerMillion: 0.5,
      outputPerMillion: 1.5,
    });
    expect(price.status).toBe(200);
    expect(price.body).toMatchObject({ model: 'qwen*', provider: 'ollama', inputPerMillion: 0.5 });
    const prices = await admin('GET', '/admin/pricing');
    expect(prices.body.data.map((p: { model: string }) => p.model)).toContain('qwen*');
    expect(
      (await admin('PUT', '/admin/pricing', { model: 'bad model', inputPerMillion: 1, outputPerMillion: 1 }))
        .status,
    ).toBe(400);
  });

  it('usage report and invoice equal the sum of usage_events; /v1/usage shows the key its own period', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const costs = ['0.1', '0.2', '0.300000001'];
    for (const [i, cost] of costs.entries())
      await gw.database.db
        .insertInto('usage_events')
        .values({
          request_id: `admin-${i}`,
          occurred_at: new Date(),
          customer_id: gw.customerId,
          model: i === 2 ? 'qwen2.5' : 'llama3.2',
          provider: 'ollama',
          endpoint: '/v1/chat/completions',
          dialect: 'openai',
          status: 200,
          stream: false,
          prompt_tokens: 10,
          completion_tokens: 5,
          total_ms: 1,
          total_cost: cost,
        })
        .execute();
    const { rows } = await sql<{ total: string; n: string }>`
      SELECT sum(total_cost)::numeric(20, 9)::text AS total, count(*)::text AS n
      FROM usage_events WHERE customer_id = ${gw.customerId}`.execute(gw.database.db);

    const report = await admin('GET', `/admin/customers/${gw.customerId}/usage`);
    expect(report.body.totals).toMatchObject({ totalCost: rows[0]!.total, requests: Number(rows[0]!.n) });
    expect(report.body.rows.map((r: { model: string }) => r.model)).toContain('qwen2.5');
    const invoice = await admin('GET', `/admin/customers/${gw.customerId}/invoice?month=${month}`);
    expect(invoice.body).toMatchObject({ usageAmount: rows[0]!.total, totalAmount: rows[0]!.total });
    expect((await admin('GET', `/admin/customers/${gw.customerId}/invoice?month=July`)).status).toBe(400);

    await admin('PATCH', `/admin/customers/${gw.customerId}`, { budget: 1, plan: 'Basic' });
    const usage = await call('GET', '/v1/usage', { token: gw.key });
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({
      object: 'usage',
      period: { month, timeZone: 'UTC' },
      cost: rows[0]!.total,
      budget: { limit: '1.0000', remaining: '0.399999999' },
      plan: { name: 'Basic', requestQuota: 10000 },
    });
    expect(usage.body.requests).toBeGreaterThanOrEqual(3);
    expect((await call('GET', '/v1/usage')).status).toBe(401);
  });

  it('syncs models from Ollama into model_metadata and lists them', async () => {
    expect((await admin('GET', '/admin/models')).body.data).toEqual([]);
    const synced = await admin('POST', '/admin/models/sync');
    expect(synced.status).toBe(200);
    expect(synced.body.synced).toBeGreaterThan(0);
    expect(synced.body.data[0]).toMatchObject({ family: expect.any(String), digest: expect.any(String) });
    expect((await admin('GET', '/admin/models')).body.data).toHaveLength(synced.body.synced);
    expect((await admin('GET', '/admin/nothing')).status).toBe(404);
  });
});
