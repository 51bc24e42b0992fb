import { plansResponseSchema, pricingResponseSchema } from '@ollama-gateway/contracts';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, type DashboardClient, startDashboard } from './testing/dashboard-harness.js';

const ACME = '11111111-1111-4111-8111-111111111111';

let database: TestDatabase;
let dashboard: Dashboard;
let client: DashboardClient;

beforeAll(async () => {
  database = await createTestDatabase('dashpricing');
  const db = database.db;
  await db.insertInto('customers').values({ id: ACME, name: 'Acme' }).execute();
  await db
    .insertInto('pricing')
    .values([
      {
        id: 'd0000000-0000-4000-8000-000000000001',
        model: '*',
        input_per_million: '0.1',
        output_per_million: '0.2',
      },
      {
        id: 'd0000000-0000-4000-8000-000000000002',
        model: 'llama3*',
        input_per_million: '0.123456',
        output_per_million: '1',
        per_request: '0.000001',
        effective_from: '2026-03-01T00:00:00Z',
      },
      {
        id: 'd0000000-0000-4000-8000-000000000003',
        model: 'llama3*',
        input_per_million: '0.05',
        output_per_million: '0.5',
        customer_id: ACME,
      },
    ])
    .execute();
  dashboard = await startDashboard({
    db,
    currency: 'EUR',
    electricityDefaults: { gpuWatts: 450, pricePerKwh: 0.31 },
  });
  client = await dashboard.login();
});

afterAll(async () => {
  await dashboard?.close();
  await database?.drop();
});

describe('GET /api/pricing', () => {
  it('prices (defaults first), reference prices (default first) and the env electricity defaults', async () => {
    const answer = await client.get('/api/pricing');
    expect(answer.status).toBe(200);
    expect(pricingResponseSchema.parse(answer.body)).toEqual({
      currency: 'EUR',
      prices: [
        {
          id: 'd0000000-0000-4000-8000-000000000001',
          provider: 'ollama',
          model: '*',
          customerId: null,
          inputPerMillion: '0.100000',
          outputPerMillion: '0.200000',
          perRequest: '0.000000',
          effectiveFrom: '1970-01-01T00:00:00.000Z',
        },
        {
          id: 'd0000000-0000-4000-8000-000000000002',
          provider: 'ollama',
          model: 'llama3*',
          customerId: null,
          inputPerMillion: '0.123456',
          outputPerMillion: '1.000000',
          perRequest: '0.000001',
          effectiveFrom: '2026-03-01T00:00:00.000Z',
        },
        expect.objectContaining({ model: 'llama3*', customerId: ACME, inputPerMillion: '0.050000' }),
      ],
      referencePrices: [
        { name: 'gpt-4o-mini', inputPerMillion: '0.150000', outputPerMillion: '0.600000', isDefault: true },
        { name: 'gpt-4o', inputPerMillion: '2.500000', outputPerMillion: '10.000000', isDefault: false },
      ],
      electricity: { gpuWatts: 450, pricePerKwh: 0.31, source: 'env' },
    });
  });

  it('the settings row wins over the env once stored; an invalid row falls back to the env', async () => {
    await database.db
      .insertInto('settings')
      .values({ key: 'electricity', value: JSON.stringify({ gpuWatts: 300, pricePerKwh: 0.2 }) })
      .execute();
    expect(pricingResponseSchema.parse((await client.get('/api/pricing')).body).electricity).toEqual({
      gpuWatts: 300,
      pricePerKwh: 0.2,
      source: 'settings',
    });
    await database.db
      .updateTable('settings')
      .set({ value: JSON.stringify({ watts: 'lots' }) })
      .where('key', '=', 'electricity')
      .execute();
    expect(pricingResponseSchema.parse((await client.get('/api/pricing')).body).electricity.source).toBe(
      'env',
    );
  });
});

describe('GET /api/plans', () => {
  it('every plan, smallest quota first, unlimited last', async () => {
    const answer = await client.get('/api/plans');
    expect(answer.status).toBe(200);
    expect(plansResponseSchema.parse(answer.body).data).toEqual([
      { name: 'Free', monthlyRequestQuota: 1000, monthlyTokenQuota: 1_000_000, monthlyPrice: '0.000000' },
      { name: 'Basic', monthlyRequestQuota: 10_000, monthlyTokenQuota: 10_000_000, monthlyPrice: '9.000000' },
      {
        name: 'Pro',
        monthlyRequestQuota: 100_000,
        monthlyTokenQuota: 100_000_000,
        monthlyPrice: '49.000000',
      },
      {
        name: 'Business',
        monthlyRequestQuota: 1_000_000,
        monthlyTokenQuota: 1_000_000_000,
        monthlyPrice: '199.000000',
      },
      { name: 'Enterprise', monthlyRequestQuota: null, monthlyTokenQuota: null, monthlyPrice: '0.000000' },
    ]);
  });
});
