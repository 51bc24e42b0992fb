import {
  LATENCY_HISTOGRAM_BUCKETS,
  latencyBucketValueMs,
  modelsResponseSchema,
  overviewSchema,
  timeseriesSchema,
} from '@ollama-gateway/contracts';
import { sql } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, type DashboardClient, startDashboard } from './testing/dashboard-harness.js';

const NOW = new Date('2026-03-15T10:20:00Z');
const A = { model: 'llama3', provider: 'ollama', upstream_host: 'http://gpu1:11434' };
const B = { model: 'qwen', provider: 'ollama', upstream_host: null };

/** A histogram with `count` values in each listed bucket index. */
const hist = (entries: Record<number, number>) => {
  const h = new Array<number>(LATENCY_HISTOGRAM_BUCKETS).fill(0);
  for (const [i, count] of Object.entries(entries)) h[Number(i)] = count;
  return h;
};
const r2 = (n: number) => Math.round(n * 100) / 100;

let database: TestDatabase;
let dashboard: Dashboard;
let client: DashboardClient;

beforeAll(async () => {
  database = await createTestDatabase('dashanalytics');
  /**
   * A model_hourly row: the sums and the histograms the billing worker would have written (each latency histogram
   * counts every request; each ttft histogram counts ttft_count; eval_completion_tokens are the completion tokens of
   * the requests with a generation time, all of them where eval_duration_ns_sum > 0 here).
   */
  const row = (
    bucket: string,
    who: typeof A | typeof B,
    v: Partial<{
      requests: number;
      errors: number;
      prompt_tokens: number;
      completion_tokens: number;
      total_ms_sum: number;
      ttft_ms_sum: number;
      ttft_count: number;
      eval_duration_ns_sum: number;
      eval_completion_tokens: number;
      total_cost: string;
      energy_wh: string;
      electricity_cost: string;
      reference_cost: string;
    }>,
    latency_hist: number[],
    ttft_hist: number[] = hist({}),
  ) => ({
    bucket,
    ...who,
    eval_completion_tokens: (v.eval_duration_ns_sum ?? 0) > 0 ? (v.completion_tokens ?? 0) : 0,
    ...v,
    latency_hist,
    ttft_hist,
  });
  await database.db
    .insertInto('model_hourly')
    .values([
      row(
        '2026-03-15T09:00:00Z',
        A,
        {
          requests: 10,
          errors: 1,
          prompt_tokens: 1000,
          completion_tokens: 500,
          total_ms_sum: 12_000,
          ttft_ms_sum: 3000,
          ttft_count: 8,
          eval_duration_ns_sum: 5_000_000_000,
          total_cost: '0.123456789',
          energy_wh: '1.500000000',
          electricity_cost: '0.000225000',
          reference_cost: '0.000450000',
        },
        hist({ 10: 9, 20: 1 }),
        hist({ 5: 8 }),
      ),
      row(
        '2026-03-15T10:00:00Z',
        A,
        {
          requests: 5,
          prompt_tokens: 200,
          completion_tokens: 100,
          total_ms_sum: 4000,
          ttft_ms_sum: 1000,
          ttft_count: 5,
          eval_duration_ns_sum: 1_000_000_000,
          total_cost: '0.000000500',
          energy_wh: '0.250000000',
          electricity_cost: '0.000037500',
          reference_cost: '0.000075000',
        },
        hist({ 10: 5 }),
        hist({ 5: 4, 7: 1 }),
      ),
      // 00:00 local in Berlin on the 15th (UTC+1): in Berlin's "today", not in UTC's.
      row(
        '2026-03-14T23:00:00Z',
        B,
        { requests: 4, errors: 4, prompt_tokens: 40, total_ms_sum: 400, total_cost: '0.000001000' },
        hist({ 3: 4 }),
      ),
      row(
        '2026-03-10T12:00:00Z',
        A,
        {
          requests: 1,
          prompt_tokens: 10,
          completion_tokens: 30,
          total_ms_sum: 100,
          total_cost: '0.000010000',
        },
        hist({ 30: 1 }),
      ),
      // Outside the last 7 days.
      row('2026-03-01T00:00:00Z', A, { requests: 100, total_cost: '5' }, hist({ 0: 100 })),
      // The Berlin DST week (custom range test).
      row('2026-03-29T21:00:00Z', B, { requests: 2 }, hist({ 0: 2 })),
      row('2026-03-29T22:00:00Z', B, { requests: 3 }, hist({ 0: 3 })),
      // Some requests reported no generation time: 60 of the 90 completion tokens took the 2 s.
      row(
        '2026-04-10T10:00:00Z',
        A,
        {
          requests: 3,
          completion_tokens: 90,
          eval_duration_ns_sum: 2_000_000_000,
          eval_completion_tokens: 60,
        },
        hist({ 0: 3 }),
      ),
    ])
    .execute();
  // model_daily holds the same usage per UTC day, as the billing worker writes both in the ledger transaction.
  await sql`
    INSERT INTO model_daily
    SELECT (bucket AT TIME ZONE 'UTC')::date, model, provider, upstream_host, sum(requests), sum(errors),
      sum(stream_requests), sum(prompt_tokens), sum(completion_tokens), sum(total_ms_sum), sum(ttft_ms_sum),
      sum(ttft_count), sum(eval_duration_ns_sum), sum(eval_completion_tokens), sum(total_cost), sum(energy_wh),
      sum(electricity_cost), sum(reference_cost), histogram_sum(latency_hist), histogram_sum(ttft_hist)
    FROM model_hourly GROUP BY 1, 2, 3, 4`.execute(database.db);
  dashboard = await startDashboard({ db: database.db, now: () => NOW });
  client = await dashboard.login();
});

afterAll(async () => {
  await dashboard?.close();
  await database?.drop();
});

describe('GET /api/overview', () => {
  it('sums today (UTC) exactly from the rollups', async () => {
    const answer = await client.get('/api/overview?period=today');
    expect(answer.status).toBe(200);
    const overview = overviewSchema.parse(answer.body);
    expect(overview).toEqual({
      range: {
        period: 'today',
        from: '2026-03-15T00:00:00.000Z',
        to: '2026-03-15T11:00:00.000Z',
        timeZone: 'UTC',
        granularity: 'hour',
      },
      currency: 'USD',
      requests: 15,
      errors: 1,
      errorRate: 1 / 15,
      promptTokens: 1200,
      completionTokens: 600,
      avgLatencyMs: 1066.67,
      // 15 latencies: 14 in bucket 10, 1 in bucket 20 → the 15th (ceil(0.95 × 15)) is in bucket 20.
      p95LatencyMs: r2(latencyBucketValueMs(20)),
      avgTtftMs: 307.69,
      // 13 TTFTs: 12 in bucket 5, 1 in bucket 7 → rank ceil(12.35) = 13 → bucket 7.
      p95TtftMs: r2(latencyBucketValueMs(7)),
      tokensPerSecond: 100,
      energyWh: '1.750000',
      electricityCost: '0.000263',
      billed: '0.123457',
      referenceCost: '0.000525',
      savings: '0.000263',
    });
  });

  it('resolves today in the requested zone (Berlin includes 23:00 UTC of the 14th)', async () => {
    const overview = overviewSchema.parse(
      (await client.get('/api/overview?period=today&tz=Europe/Berlin')).body,
    );
    expect(overview.range.from).toBe('2026-03-14T23:00:00.000Z');
    expect(overview.requests).toBe(19);
    expect(overview.errors).toBe(5);
    expect(overview.billed).toBe('0.123458');
    expect(overview.p95LatencyMs).toBe(r2(latencyBucketValueMs(20)));
  });

  it('answers zeros and nulls for a range without data', async () => {
    const overview = overviewSchema.parse(
      (await client.get('/api/overview?period=custom&from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z'))
        .body,
    );
    expect(overview).toMatchObject({
      requests: 0,
      errors: 0,
      errorRate: 0,
      avgLatencyMs: null,
      p95LatencyMs: null,
      avgTtftMs: null,
      p95TtftMs: null,
      tokensPerSecond: null,
      billed: '0.000000',
      savings: '0.000000',
    });
  });

  it('counts everything with period=all', async () => {
    const overview = overviewSchema.parse((await client.get('/api/overview?period=all')).body);
    expect(overview.range.from).toBe('2026-03-01T00:00:00.000Z');
    // The DST-week rows lie after "now": all ends at the current hour.
    expect(overview.requests).toBe(15 + 4 + 1 + 100);
    expect(overview.billed).toBe('5.123468');
  });

  it('a range starting and ending mid-day: whole UTC days from model_daily, the edge hours from model_hourly', async () => {
    // 14 and 15 March are whole days of model_daily; 10 March 12:00 and 15 March 10:00 are in the days model_daily
    // sums for the 10th and the 15th but outside the range, so the edges must come from model_hourly.
    const range = 'period=custom&from=2026-03-10T13:00:00Z&to=2026-03-15T10:00:00Z';
    const overview = overviewSchema.parse((await client.get(`/api/overview?${range}`)).body);
    expect(overview).toMatchObject({
      requests: 10 + 4,
      errors: 1 + 4,
      promptTokens: 1040,
      completionTokens: 500,
      avgLatencyMs: r2(12_400 / 14),
      // 14 latencies: 4 in bucket 3, 9 in 10, 1 in 20 → rank ceil(13.3) = 14 → bucket 20.
      p95LatencyMs: r2(latencyBucketValueMs(20)),
      // 0.123456789 + 0.000001000
      billed: '0.123458',
    });
    const models = modelsResponseSchema.parse((await client.get(`/api/models?${range}`)).body);
    expect(models.data.map((m) => [m.model, m.requests, m.billed])).toEqual([
      ['llama3', 10, '0.123457'],
      ['qwen', 4, '0.000001'],
    ]);
  });

  it('400 names the bad field', async () => {
    const bad = await client.get('/api/overview?period=week');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_request' } });
    expect((bad.body as { error: { message: string } }).error.message).toMatch(/^period: /);
    const tz = await client.get('/api/overview?period=today&tz=Mars/Olympus');
    expect(tz.status).toBe(400);
    expect((tz.body as { error: { message: string } }).error.message).toMatch(/^tz: /);
    const from = await client.get('/api/overview?period=custom&from=yesterday&to=2026-03-02T00:00:00Z');
    expect((from.body as { error: { message: string } }).error.message).toMatch(/^from: /);
  });

  it('tokens per second counts only the completion tokens generated in the reported generation time', async () => {
    const range = 'period=custom&from=2026-04-10T10:00:00Z&to=2026-04-10T11:00:00Z';
    const overview = overviewSchema.parse((await client.get(`/api/overview?${range}`)).body);
    expect(overview).toMatchObject({ requests: 3, completionTokens: 90, tokensPerSecond: 30 });
    const series = timeseriesSchema.parse((await client.get(`/api/timeseries?${range}`)).body);
    expect(series.points).toEqual([expect.objectContaining({ completionTokens: 90, tokensPerSecond: 30 })]);
    const models = modelsResponseSchema.parse((await client.get(`/api/models?${range}`)).body);
    expect(models.data).toEqual([expect.objectContaining({ completionTokens: 90, tokensPerSecond: 30 })]);
  });
});

describe('GET /api/timeseries', () => {
  it('lists every hour of today, empty ones as zeros', async () => {
    const series = timeseriesSchema.parse((await client.get('/api/timeseries?period=today')).body);
    expect(series.points.map((p) => p.t)).toEqual(
      Array.from({ length: 11 }, (_, h) => `2026-03-15T${String(h).padStart(2, '0')}:00:00.000Z`),
    );
    expect(series.points[0]).toEqual({
      t: '2026-03-15T00:00:00.000Z',
      requests: 0,
      errors: 0,
      promptTokens: 0,
      completionTokens: 0,
      tokensPerSecond: null,
      billed: '0.000000',
      electricityCost: '0.000000',
    });
    expect(series.points[9]).toEqual({
      t: '2026-03-15T09:00:00.000Z',
      requests: 10,
      errors: 1,
      promptTokens: 1000,
      completionTokens: 500,
      tokensPerSecond: 100,
      billed: '0.123457',
      electricityCost: '0.000225',
    });
    expect(series.points[10]).toMatchObject({ requests: 5, tokensPerSecond: 100, billed: '0.000001' });
    expect(series.modelShare).toEqual([{ model: 'llama3', requests: 15 }]);
  });

  it('7d in UTC: one bucket per UTC day touching the range', async () => {
    const series = timeseriesSchema.parse((await client.get('/api/timeseries?period=7d')).body);
    expect(series.range.granularity).toBe('day');
    expect(series.points.map((p) => [p.t, p.requests])).toEqual([
      ['2026-03-08T00:00:00.000Z', 0],
      ['2026-03-09T00:00:00.000Z', 0],
      ['2026-03-10T00:00:00.000Z', 1],
      ['2026-03-11T00:00:00.000Z', 0],
      ['2026-03-12T00:00:00.000Z', 0],
      ['2026-03-13T00:00:00.000Z', 0],
      ['2026-03-14T00:00:00.000Z', 4],
      ['2026-03-15T00:00:00.000Z', 15],
    ]);
    expect(series.modelShare).toEqual([
      { model: 'llama3', requests: 16 },
      { model: 'qwen', requests: 4 },
    ]);
  });

  it('7d in Berlin: days start at local midnight (23:00 UTC), the 23:00 row moves to the 15th', async () => {
    const series = timeseriesSchema.parse(
      (await client.get('/api/timeseries?period=7d&tz=Europe/Berlin')).body,
    );
    expect(series.points.map((p) => [p.t, p.requests])).toEqual([
      ['2026-03-07T23:00:00.000Z', 0],
      ['2026-03-08T23:00:00.000Z', 0],
      ['2026-03-09T23:00:00.000Z', 1],
      ['2026-03-10T23:00:00.000Z', 0],
      ['2026-03-11T23:00:00.000Z', 0],
      ['2026-03-12T23:00:00.000Z', 0],
      ['2026-03-13T23:00:00.000Z', 0],
      ['2026-03-14T23:00:00.000Z', 19],
    ]);
  });

  it('custom range across the DST change: the day after starts at 22:00 UTC', async () => {
    const series = timeseriesSchema.parse(
      (
        await client.get(
          `/api/timeseries?period=custom&tz=Europe/Berlin&from=${encodeURIComponent('2026-03-28T00:00:00+01:00')}&to=${encodeURIComponent('2026-04-01T00:00:00+02:00')}`,
        )
      ).body,
    );
    expect(series.range).toMatchObject({
      from: '2026-03-27T23:00:00.000Z',
      to: '2026-03-31T22:00:00.000Z',
      granularity: 'day',
    });
    // 21:00 UTC on the 29th is 23:00 local (the 29th); 22:00 UTC is midnight of the 30th (summer time).
    expect(series.points.map((p) => [p.t, p.requests])).toEqual([
      ['2026-03-27T23:00:00.000Z', 0],
      ['2026-03-28T23:00:00.000Z', 2],
      ['2026-03-29T22:00:00.000Z', 3],
      ['2026-03-30T22:00:00.000Z', 0],
    ]);
  });

  it('custom range widened to whole hours', async () => {
    const series = timeseriesSchema.parse(
      (await client.get('/api/timeseries?period=custom&from=2026-03-15T09:30:00Z&to=2026-03-15T10:10:00Z'))
        .body,
    );
    expect(series.range).toMatchObject({ from: '2026-03-15T09:00:00.000Z', to: '2026-03-15T11:00:00.000Z' });
    expect(series.points.map((p) => p.requests)).toEqual([10, 5]);
  });
});

describe('GET /api/models', () => {
  it('per model and host: counts, rates, averages, p95s and money', async () => {
    const models = modelsResponseSchema.parse((await client.get('/api/models?period=7d')).body);
    expect(models.data).toEqual([
      {
        ...{ model: 'llama3', provider: 'ollama', upstreamHost: 'http://gpu1:11434' },
        requests: 16,
        errors: 1,
        successRate: 15 / 16,
        avgLatencyMs: 1006.25,
        // 16 latencies: 14 in bucket 10, one each in 20 and 30 → rank ceil(15.2) = 16 → bucket 30.
        p95LatencyMs: r2(latencyBucketValueMs(30)),
        avgTtftMs: 307.69,
        p95TtftMs: r2(latencyBucketValueMs(7)),
        tokensPerSecond: 100,
        promptTokens: 1210,
        completionTokens: 630,
        billed: '0.123467',
        // 0.123467289 / 16 = 0.00771670556…
        costPerRequest: '0.007717',
        electricityCost: '0.000263',
      },
      {
        ...{ model: 'qwen', provider: 'ollama', upstreamHost: null },
        requests: 4,
        errors: 4,
        successRate: 0,
        avgLatencyMs: 100,
        p95LatencyMs: r2(latencyBucketValueMs(3)),
        avgTtftMs: null,
        p95TtftMs: null,
        tokensPerSecond: null,
        promptTokens: 40,
        completionTokens: 0,
        billed: '0.000001',
        costPerRequest: '0.000000',
        electricityCost: '0.000000',
      },
    ]);
  });
});
