import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing.js';
import { createCustomersRepository } from './customers.repository.js';
import { createUsageReportsRepository, type UsageReportsRepository } from './usage-reports.repository.js';

let testDb: TestDatabase;
let reports: UsageReportsRepository;
let customerId: string;
let otherId: string;

/** Exact decimal string → integer nano-units, so sums are checked without floats. */
const nanos = (value: string) => {
  const [whole, fraction = ''] = value.split('.');
  return BigInt(whole!) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
};

let seq = 0;
async function insertEvent(fields: {
  customerId: string;
  model: string;
  at: string;
  prompt: number;
  completion: number;
  cost: string;
  energy?: string;
  electricity?: string;
  reference?: string;
}) {
  seq += 1;
  await testDb.db
    .insertInto('usage_events')
    .values({
      request_id: `req-${seq}`,
      occurred_at: fields.at,
      customer_id: fields.customerId,
      model: fields.model,
      provider: 'ollama',
      endpoint: '/v1/chat/completions',
      dialect: 'openai',
      status: 200,
      stream: false,
      prompt_tokens: fields.prompt,
      completion_tokens: fields.completion,
      total_ms: 12.5,
      total_cost: fields.cost,
      energy_wh: fields.energy ?? '0',
      electricity_cost: fields.electricity ?? '0',
      reference_cost: fields.reference ?? '0',
    })
    .execute();
}

beforeAll(async () => {
  testDb = await createTestDatabase('usagereports');
  reports = createUsageReportsRepository(testDb.db);
  const customers = createCustomersRepository(testDb.db);
  customerId = (await customers.create({ name: 'Acme', planName: 'Basic', budget: 5 })).id;
  otherId = (await customers.create({ name: 'Other' })).id;
  // Amounts chosen so that float addition would drift (0.1 + 0.2…), in July 2025 and around its edges.
  const costs = ['0.100000001', '0.200000002', '0.300000003', '0.000000001', '1.234567891', '0.333333333'];
  for (let i = 0; i < 60; i++)
    await insertEvent({
      customerId,
      model: i % 3 === 0 ? 'llama3.2' : i % 3 === 1 ? 'qwen2.5' : 'nomic-embed-text',
      at: `2025-07-${String((i % 28) + 1).padStart(2, '0')}T12:00:00Z`,
      prompt: 100 + i,
      completion: i * 7,
      cost: costs[i % costs.length]!,
      energy: '0.011111111',
      electricity: '0.000333333',
      reference: '0.070000007',
    });
  // Outside July UTC (but inside July in America/New_York for the first one), and another customer's.
  await insertEvent({
    customerId,
    model: 'llama3.2',
    at: '2025-08-01T02:00:00Z',
    prompt: 5,
    completion: 5,
    cost: '9.5',
  });
  await insertEvent({
    customerId,
    model: 'llama3.2',
    at: '2025-06-30T23:59:59Z',
    prompt: 1,
    completion: 1,
    cost: '7',
  });
  await insertEvent({
    customerId: otherId,
    model: 'llama3.2',
    at: '2025-07-10T00:00:00Z',
    prompt: 1,
    completion: 1,
    cost: '3',
  });
});
afterAll(async () => {
  await testDb?.drop();
});

describe('usage reports repository', () => {
  it('report totals equal the sum of usage_events and the sum of the per-model rows, to the last digit', async () => {
    const from = new Date('2025-07-01T00:00:00Z');
    const to = new Date('2025-08-01T00:00:00Z');
    const report = await reports.report(customerId, from, to);
    const { rows } = await sql<{ n: string; cost: string; tokens: string; energy: string; ref: string }>`
      SELECT count(*)::text AS n, sum(total_cost)::text AS cost, sum(total_tokens)::text AS tokens,
             sum(energy_wh)::text AS energy, sum(reference_cost)::text AS ref
      FROM usage_events WHERE customer_id = ${customerId} AND occurred_at >= ${from} AND occurred_at < ${to}`.execute(
      testDb.db,
    );
    const truth = rows[0]!;
    expect(report.totals.requests).toBe(60);
    expect(report.totals.requests).toBe(Number(truth.n));
    expect(report.totals.totalTokens).toBe(Number(truth.tokens));
    expect(nanos(report.totals.totalCost)).toBe(nanos(truth.cost));
    expect(nanos(report.totals.energyWh)).toBe(nanos(truth.energy));
    expect(nanos(report.totals.referenceCost)).toBe(nanos(truth.ref));
    expect(report.rows.map((r) => r.model)).toEqual(['llama3.2', 'nomic-embed-text', 'qwen2.5']);
    expect(report.rows.reduce((sum, r) => sum + nanos(r.totalCost), 0n)).toBe(nanos(report.totals.totalCost));
    expect(report.rows.reduce((sum, r) => sum + nanos(r.electricityCost), 0n)).toBe(
      nanos(report.totals.electricityCost),
    );
    expect(report.rows.reduce((sum, r) => sum + r.promptTokens, 0)).toBe(report.totals.promptTokens);
    expect(report.rows.reduce((sum, r) => sum + r.requests, 0)).toBe(60);
  });

  it('the invoice for a month covers that calendar month in the billing time zone, plus the plan price', async () => {
    const utc = await reports.invoice(customerId, '2025-07', 'UTC');
    expect(utc?.period.from.toISOString()).toBe('2025-07-01T00:00:00.000Z');
    expect(utc?.period.to.toISOString()).toBe('2025-08-01T00:00:00.000Z');
    expect(utc?.requests).toBe(60);
    expect(utc?.plan).toEqual({ name: 'Basic', monthlyPrice: '9.0000' });
    expect(utc!.lines.reduce((sum, l) => sum + nanos(l.amount), 0n)).toBe(nanos(utc!.usageAmount));
    expect(nanos(utc!.totalAmount)).toBe(nanos(utc!.usageAmount) + 9_000_000_000n);

    const ny = await reports.invoice(customerId, '2025-07', 'America/New_York');
    expect(ny?.period.from.toISOString()).toBe('2025-07-01T04:00:00.000Z');
    // 2025-08-01T02:00Z is still July in New York; 2025-06-30T23:59:59Z is June there too.
    expect(ny?.requests).toBe(61);
    expect(nanos(ny!.usageAmount)).toBe(nanos(utc!.usageAmount) + 9_500_000_000n);
  });

  it('rejects a bad month or time zone, and answers null for an unknown customer', async () => {
    await expect(reports.invoice(customerId, '2025-13', 'UTC')).rejects.toMatchObject({
      code: 'invalid_month',
    });
    await expect(reports.invoice(customerId, '2025-07', 'Mars/Base')).rejects.toMatchObject({
      code: 'invalid_time_zone',
    });
    expect(await reports.invoice('00000000-0000-0000-0000-000000000000', '2025-07', 'UTC')).toBeNull();
  });

  it('exports every row in the range oldest first, across pages', async () => {
    const rows = [];
    for await (const row of reports.exportRows(
      customerId,
      new Date('2025-07-01T00:00:00Z'),
      new Date('2025-08-01T00:00:00Z'),
      7,
    ))
      rows.push(row);
    expect(rows).toHaveLength(60);
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(60);
    expect(rows[0]).toMatchObject({ model: 'llama3.2', promptTokens: 100, totalCost: '0.100000001' });
  });

  it('period usage gives quota and budget left for the month containing the given time', async () => {
    const usage = await reports.periodUsage(customerId, 'UTC', new Date('2025-07-15T00:00:00Z'));
    expect(usage?.period.month).toBe('2025-07');
    expect(usage?.usage.requests).toBe(60);
    expect(usage?.plan).toMatchObject({ name: 'Basic', requestQuota: 10000, requestsRemaining: 9940 });
    expect(usage?.budget?.limit).toBe('5.0000');
    expect(nanos(usage!.budget!.remaining)).toBe(
      nanos('5') - nanos(usage!.usage.totalCost) > 0n ? nanos('5') - nanos(usage!.usage.totalCost) : 0n,
    );
  });
});
