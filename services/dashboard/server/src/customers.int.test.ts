import { customersResponseSchema, keysResponseSchema } from '@ollama-gateway/contracts';
import { sql } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, type DashboardClient, startDashboard } from './testing/dashboard-harness.js';

const NOW = new Date('2026-03-15T10:20:00Z');
const ACME = '11111111-1111-4111-8111-111111111111';
const BETA = '22222222-2222-4222-8222-222222222222';
const ZED = '33333333-3333-4333-8333-333333333333';
const K1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1';
const K2 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa2';
const K3 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbb1';

let database: TestDatabase;
let dashboard: Dashboard;
let client: DashboardClient;

beforeAll(async () => {
  database = await createTestDatabase('dashcustomers');
  const db = database.db;
  const pro = await db.selectFrom('plans').select('id').where('name', '=', 'Pro').executeTakeFirstOrThrow();
  await db
    .insertInto('customers')
    .values([
      {
        id: ACME,
        name: 'Acme',
        email: 'ops@acme.test',
        plan_id: pro.id,
        budget: '100',
        price_markup_percent: '12.5',
        created_at: '2026-01-02T03:04:05Z',
      },
      { id: BETA, name: 'Beta', budget_period: 'one_off', budget: '25.5', status: 'suspended' },
      { id: ZED, name: 'Zed' },
    ])
    .execute();
  await db
    .insertInto('api_keys')
    .values([
      {
        id: K1,
        customer_id: ACME,
        name: 'prod',
        prefix: 'sk-og-AAAA1111',
        secret_hash: 'h1',
        allowed_models: ['llama3*'],
        rpm_limit: 60,
        created_at: '2026-02-01T00:00:00Z',
      },
      {
        id: K2,
        customer_id: ACME,
        name: 'old',
        prefix: 'sk-og-AAAA2222',
        secret_hash: 'h2',
        revoked_at: '2026-02-10T00:00:00Z',
        created_at: '2026-01-05T00:00:00Z',
      },
      { id: K3, customer_id: BETA, prefix: 'sk-og-BBBB1111', secret_hash: 'h3', is_admin: true },
    ])
    .execute();
  const row = (bucket: string, customer: string, key: string, requests: number, cost: string) => ({
    bucket,
    customer_id: customer,
    api_key_id: key,
    model: 'llama3',
    provider: 'ollama',
    upstream_host: null,
    requests,
    errors: requests > 5 ? 1 : 0,
    prompt_tokens: requests * 10,
    completion_tokens: requests * 20,
    total_cost: cost,
  });
  await db
    .insertInto('usage_hourly')
    .values([
      row('2026-03-15T09:00:00Z', ACME, K1, 6, '0.100000004'),
      row('2026-03-15T08:00:00Z', ACME, K2, 2, '0.000000001'),
      row('2026-03-14T08:00:00Z', BETA, K3, 9, '1.5'),
      // Outside "today".
      row('2026-03-01T08:00:00Z', ACME, K1, 50, '9'),
      // January, for the custom ranges that start and end mid-day (powers of two: every row shows in a sum).
      row('2026-01-10T04:00:00Z', ACME, K1, 1024, '1'),
      row('2026-01-10T05:00:00Z', ACME, K1, 1, '0.0000005'),
      row('2026-01-10T23:00:00Z', ACME, K1, 2, '0'),
      row('2026-01-11T00:00:00Z', ACME, K1, 4, '0.0000005'),
      row('2026-01-11T12:00:00Z', BETA, K3, 128, '0'),
      row('2026-01-12T12:00:00Z', ACME, K2, 64, '0'),
      row('2026-01-12T23:00:00Z', ACME, K1, 8, '0'),
      row('2026-01-13T00:00:00Z', ACME, K1, 16, '0'),
      row('2026-01-13T18:00:00Z', ACME, K1, 32, '0'),
      row('2026-01-13T19:00:00Z', ACME, K1, 2048, '2'),
      row('2026-01-13T19:00:00Z', BETA, K3, 4096, '4'),
    ])
    .execute();
  // key_daily holds the same usage per UTC day, as the billing worker writes both in the ledger transaction.
  await sql`
    INSERT INTO key_daily (day, customer_id, api_key_id, requests, errors, prompt_tokens, completion_tokens, total_cost)
    SELECT (bucket AT TIME ZONE 'UTC')::date, customer_id, api_key_id, sum(requests), sum(errors), sum(prompt_tokens),
      sum(completion_tokens), sum(total_cost)
    FROM usage_hourly GROUP BY 1, 2, 3`.execute(db);
  await db
    .insertInto('customer_spend')
    .values([
      {
        customer_id: ACME,
        period: '2026-03-01',
        requests: 58,
        prompt_tokens: 580,
        completion_tokens: 1160,
        total_cost: '9.100000005',
      },
      {
        customer_id: ACME,
        period: '2026-02-01',
        requests: 999,
        prompt_tokens: 1,
        completion_tokens: 1,
        total_cost: '99',
      },
      {
        customer_id: BETA,
        period: '2026-02-01',
        requests: 3,
        prompt_tokens: 30,
        completion_tokens: 60,
        total_cost: '0.5',
      },
      {
        customer_id: BETA,
        period: '2026-03-01',
        requests: 9,
        prompt_tokens: 90,
        completion_tokens: 180,
        total_cost: '1.5',
      },
    ])
    .execute();
  dashboard = await startDashboard({ db, now: () => NOW });
  client = await dashboard.login();
});

afterAll(async () => {
  await dashboard?.close();
  await database?.drop();
});

describe('GET /api/customers', () => {
  it('usage in the range, period standing, plan and key count; most requests first', async () => {
    const answer = await client.get('/api/customers?period=today');
    expect(answer.status).toBe(200);
    const { data, range } = customersResponseSchema.parse(answer.body);
    expect(range.from).toBe('2026-03-15T00:00:00.000Z');
    expect(data).toEqual([
      {
        id: ACME,
        name: 'Acme',
        email: 'ops@acme.test',
        status: 'active',
        plan: { name: 'Pro', monthlyRequestQuota: 100_000, monthlyTokenQuota: 100_000_000 },
        budget: '100.000000',
        budgetPeriod: 'monthly',
        markupPercent: '12.5',
        createdAt: '2026-01-02T03:04:05.000Z',
        keys: 1,
        requests: 8,
        errors: 1,
        promptTokens: 80,
        completionTokens: 160,
        billed: '0.100000',
        // March only (the billing period of NOW in UTC).
        periodRequests: 58,
        periodTokens: 1740,
        periodSpend: '9.100000',
      },
      {
        id: BETA,
        name: 'Beta',
        email: null,
        status: 'suspended',
        plan: null,
        budget: '25.500000',
        budgetPeriod: 'one_off',
        markupPercent: '0',
        createdAt: expect.any(String),
        keys: 1,
        requests: 0,
        errors: 0,
        promptTokens: 0,
        completionTokens: 0,
        billed: '0.000000',
        // one_off: every period counts.
        periodRequests: 12,
        periodTokens: 360,
        periodSpend: '2.000000',
      },
      expect.objectContaining({
        id: ZED,
        budget: null,
        keys: 0,
        requests: 0,
        periodRequests: 0,
        periodTokens: 0,
        periodSpend: '0.000000',
      }),
    ]);
  });

  it('the range changes the usage, not the standing', async () => {
    const { data } = customersResponseSchema.parse((await client.get('/api/customers?period=7d')).body);
    expect(data.map((c) => [c.name, c.requests, c.billed, c.periodRequests])).toEqual([
      ['Beta', 9, '1.500000', 12],
      ['Acme', 8, '0.100000', 58],
      ['Zed', 0, '0.000000', 0],
    ]);
  });
});

describe('a range that starts and ends mid-day', () => {
  // Whole UTC days from key_daily, the hours at both edges from usage_hourly; 04:00 on the first day and 19:00 on
  // the last lie outside the range, in the days key_daily sums.
  const custom = (from: string, to: string) => `period=custom&from=${from}&to=${to}`;

  it('counts the edge hours and the whole days between them exactly once', async () => {
    const list = async (range: string) =>
      customersResponseSchema
        .parse((await client.get(`/api/customers?${range}`)).body)
        .data.map((c) => [c.name, c.requests, c.errors, c.promptTokens, c.completionTokens, c.billed]);
    // 05:00 on the 10th to 19:00 on the 13th: 1 + 2 (edge) + 4 + 8 + 64 (whole days) + 16 + 32 (edge) for Acme;
    // its two halves of a millionth, one in an edge and one in a whole day, are summed before rounding
    expect(await list(custom('2026-01-10T05:00:00Z', '2026-01-13T19:00:00Z'))).toEqual([
      ['Beta', 128, 1, 1280, 2560, '0.000000'],
      ['Acme', 127, 4, 1270, 2540, '0.000001'],
      ['Zed', 0, 0, 0, 0, '0.000000'],
    ]);
    // whole days only
    expect(await list(custom('2026-01-11T00:00:00Z', '2026-01-13T00:00:00Z'))).toEqual([
      ['Beta', 128, 1, 1280, 2560, '0.000000'],
      ['Acme', 76, 2, 760, 1520, '0.000001'],
      ['Zed', 0, 0, 0, 0, '0.000000'],
    ]);
    // no whole day: the hours only, across a midnight
    expect(await list(custom('2026-01-12T23:00:00Z', '2026-01-13T19:00:00Z'))).toEqual([
      ['Acme', 56, 3, 560, 1120, '0.000000'],
      ['Beta', 0, 0, 0, 0, '0.000000'],
      ['Zed', 0, 0, 0, 0, '0.000000'],
    ]);
    // the rows just outside count when the range reaches them
    expect(await list(custom('2026-01-10T04:00:00Z', '2026-01-13T20:00:00Z'))).toEqual([
      ['Beta', 4224, 2, 42240, 84480, '4.000000'],
      ['Acme', 3199, 6, 31990, 63980, '3.000001'],
      ['Zed', 0, 0, 0, 0, '0.000000'],
    ]);
  });

  it('per key, the same composition', async () => {
    const { data } = keysResponseSchema.parse(
      (
        await client.get(
          `/api/customers/${ACME}/keys?${custom('2026-01-10T05:00:00Z', '2026-01-13T19:00:00Z')}`,
        )
      ).body,
    );
    expect(data.map((k) => [k.id, k.requests, k.promptTokens, k.completionTokens, k.billed])).toEqual([
      [K1, 63, 630, 1260, '0.000001'],
      [K2, 64, 640, 1280, '0.000000'],
    ]);
  });
});

describe('GET /api/customers/:id/keys', () => {
  it('every key, newest first, with its usage in the range', async () => {
    const answer = await client.get(`/api/customers/${ACME}/keys?period=30d`);
    expect(answer.status).toBe(200);
    const { data } = keysResponseSchema.parse(answer.body);
    expect(data).toEqual([
      {
        id: K1,
        customerId: ACME,
        name: 'prod',
        prefix: 'sk-og-AAAA1111',
        isAdmin: false,
        allowedModels: ['llama3*'],
        allowedEndpoints: null,
        rpmLimit: 60,
        tpmLimit: null,
        maxConcurrency: null,
        expiresAt: null,
        revokedAt: null,
        lastUsedAt: null,
        createdAt: '2026-02-01T00:00:00.000Z',
        requests: 56,
        promptTokens: 560,
        completionTokens: 1120,
        billed: '9.100000',
      },
      expect.objectContaining({
        id: K2,
        revokedAt: '2026-02-10T00:00:00.000Z',
        requests: 2,
        billed: '0.000000',
      }),
    ]);
  });

  it('404 for an unknown customer, 400 for a malformed id', async () => {
    const missing = await client.get('/api/customers/44444444-4444-4444-8444-444444444444/keys');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'not_found' } });
    const bad = await client.get('/api/customers/not-a-uuid/keys');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_request', message: 'id: must be a uuid' } });
  });
});
