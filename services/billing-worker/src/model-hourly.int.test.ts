import { latencyBucket } from '@ollama-gateway/contracts';
import { sql } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hist, runBatch, usageEvent } from './testing/ledger-batch.js';

let testDb: TestDatabase;

const rows = (model: string) =>
  testDb.db
    .selectFrom('model_hourly')
    .selectAll()
    .where('model', '=', model)
    .orderBy('bucket')
    .orderBy('upstream_host')
    .execute();

beforeAll(async () => {
  testDb = await createTestDatabase('modelhourly');
  // 0.10 / 0.40 per million tokens + 0.0001 per request (reference: the default gpt-4o-mini, 0.15 / 0.60)
  await testDb.db
    .insertInto('pricing')
    .values({ model: '*', input_per_million: '0.10', output_per_million: '0.40', per_request: '0.0001' })
    .execute();
});
afterAll(async () => {
  await testDb?.drop();
});

describe('model_hourly', () => {
  it('knows the buckets the events below fall in', () => {
    expect([0.5, 1, 80, 100, 120, 1000, 4300, 2e6].map(latencyBucket)).toEqual([
      0, 1, 20, 21, 22, 31, 38, 63,
    ]);
  });

  it('writes one row per hour, model, provider and host with exactly the expected sums and histograms', async () => {
    const model = 'mh-exact';
    const base = { model, upstreamModel: model };
    const results = await runBatch(testDb.db, [
      usageEvent({ ...base, totalMs: 100, ttftMs: 80, evalDurationNs: 1e9 }),
      usageEvent({ ...base, totalMs: 100, ttftMs: null, occurredAt: '2026-04-01T10:59:59.999Z' }),
      usageEvent({
        ...base,
        totalMs: 1000,
        ttftMs: 120,
        status: 502,
        errorCode: 'upstream_error',
        promptTokens: 0,
        completionTokens: 0,
      }),
      usageEvent({ ...base, totalMs: 0.5, stream: false, completionTokens: 20, evalDurationNs: 2e9 }),
      usageEvent({ ...base, totalMs: 4300, ttftMs: 1, occurredAt: '2026-04-01T11:00:00.000Z' }),
      // 12:30 in Berlin summer time is 10:30 UTC
      usageEvent({
        ...base,
        totalMs: 2e6,
        ttftMs: 2e6,
        upstreamHost: null,
        occurredAt: '2026-04-01T12:30:00+02:00',
      }),
    ]);
    expect(results.every((r) => r.inserted)).toBe(true);

    const found = await rows(model);
    expect(found.map((r) => ({ ...r, bucket: r.bucket.toISOString() }))).toEqual([
      {
        bucket: '2026-04-01T10:00:00.000Z',
        model,
        provider: 'ollama',
        upstream_host: 'http://gpu0:11434',
        requests: '4',
        errors: '1',
        stream_requests: '3',
        prompt_tokens: '30',
        completion_tokens: '30',
        total_ms_sum: 1200.5,
        ttft_ms_sum: 200,
        ttft_count: '2',
        eval_duration_ns_sum: '3000000000',
        // the two requests with a generation time: 5 + 20 tokens in 3 s
        eval_completion_tokens: '25',
        // 2 × (10 × 0.10 + 5 × 0.40) / 1M + 0.0001, + (10 × 0.10 + 20 × 0.40) / 1M + 0.0001; the failed request
        // without tokens costs nothing
        total_cost: '0.000315000',
        // 350 W × 1 s and × 2 s: 0.097222222 + 0.194444444 Wh; at 0.15/kWh: 0.000014583 + 0.000029167
        energy_wh: '0.291666666',
        electricity_cost: '0.000043750',
        // 2 × (10 × 0.15 + 5 × 0.60) / 1M + (10 × 0.15 + 20 × 0.60) / 1M
        reference_cost: '0.000022500',
        latency_hist: hist({ 0: 1, 21: 2, 31: 1 }),
        ttft_hist: hist({ 20: 1, 22: 1 }),
      },
      expect.objectContaining({
        bucket: '2026-04-01T10:00:00.000Z',
        upstream_host: null,
        requests: '1',
        errors: '0',
        total_ms_sum: 2e6,
        ttft_ms_sum: 2e6,
        ttft_count: '1',
        eval_completion_tokens: '0',
        total_cost: '0.000103000',
        latency_hist: hist({ 63: 1 }),
        ttft_hist: hist({ 63: 1 }),
      }),
      expect.objectContaining({
        bucket: '2026-04-01T11:00:00.000Z',
        upstream_host: 'http://gpu0:11434',
        requests: '1',
        latency_hist: hist({ 38: 1 }),
        ttft_hist: hist({ 1: 1 }),
      }),
    ]);
  });

  it('does not count a replayed event twice (after commit or twice in one batch)', async () => {
    const model = 'mh-replay';
    const event = usageEvent({
      model,
      upstreamModel: model,
      totalMs: 1000,
      ttftMs: 100,
      evalDurationNs: 1e9,
    });
    await runBatch(testDb.db, [event]);
    const replays = await runBatch(testDb.db, [
      event,
      { ...event },
      usageEvent({ model, upstreamModel: model }),
    ]);
    expect(replays.map((r) => r.inserted)).toEqual([false, false, true]);
    const [row, ...others] = await rows(model);
    expect(others).toHaveLength(0);
    expect(row).toMatchObject({
      requests: '2',
      prompt_tokens: '20',
      completion_tokens: '10',
      eval_duration_ns_sum: '1000000000',
      eval_completion_tokens: '5',
      total_cost: '0.000206000',
      energy_wh: '0.097222222',
      latency_hist: hist({ 21: 1, 31: 1 }),
      ttft_hist: hist({ 21: 1 }),
    });
  });

  it('adds two batches up, the null-host row included; concurrent batches do not deadlock', async () => {
    const model = 'mh-sum';
    const base = { model, upstreamModel: model };
    await runBatch(testDb.db, [
      usageEvent({ ...base, totalMs: 100, ttftMs: 80 }),
      usageEvent({
        ...base,
        totalMs: 1,
        upstreamHost: null,
        status: 500,
        promptTokens: 0,
        completionTokens: 0,
      }),
    ]);
    // two batches at once over the same keys, listed in opposite orders
    const a = [
      usageEvent({ ...base, totalMs: 100, evalDurationNs: 5e8 }),
      usageEvent({ ...base, totalMs: 1000, upstreamHost: null }),
    ];
    const b = [
      usageEvent({ ...base, totalMs: 4300, upstreamHost: null, completionTokens: 7, evalDurationNs: 1e9 }),
      usageEvent({ ...base, ttftMs: 120 }),
    ];
    await Promise.all([runBatch(testDb.db, a), runBatch(testDb.db, b)]);

    const [host, none] = await rows(model);
    expect(host).toMatchObject({
      upstream_host: 'http://gpu0:11434',
      requests: '3',
      errors: '0',
      prompt_tokens: '30',
      completion_tokens: '15',
      total_ms_sum: 300,
      ttft_ms_sum: 200,
      ttft_count: '2',
      eval_duration_ns_sum: '500000000',
      eval_completion_tokens: '5',
      total_cost: '0.000309000',
      latency_hist: hist({ 21: 3 }),
      ttft_hist: hist({ 20: 1, 22: 1 }),
    });
    expect(none).toMatchObject({
      upstream_host: null,
      requests: '3',
      errors: '1',
      prompt_tokens: '20',
      completion_tokens: '12',
      total_ms_sum: 5301,
      eval_duration_ns_sum: '1000000000',
      eval_completion_tokens: '7',
      // (10 × 0.10 + 5 × 0.40) / 1M + 0.0001 + (10 × 0.10 + 7 × 0.40) / 1M + 0.0001; the failed one is free
      total_cost: '0.000206800',
      latency_hist: hist({ 1: 1, 31: 1, 38: 1 }),
      ttft_hist: hist({}),
    });
  });

  it('strips NUL from the model name as the ledger does', async () => {
    await runBatch(testDb.db, [usageEvent({ model: 'mh\u0000nul', upstreamModel: null })]);
    expect(await rows('mhnul')).toHaveLength(1);
  });

  it('equals the ledger and usage_hourly grouped by hour, model, provider and host, to the nano-unit', async () => {
    const sums = (table: 'usage_events' | 'usage_hourly') =>
      table === 'usage_events'
        ? sql`SELECT date_trunc('hour', occurred_at, 'UTC') AS bucket, model, provider, upstream_host,
              count(*)::numeric AS requests, count(*) FILTER (WHERE status >= 400)::numeric AS errors,
              count(*) FILTER (WHERE stream)::numeric AS stream_requests, sum(prompt_tokens)::numeric AS p,
              sum(completion_tokens)::numeric AS c, sum(total_ms) AS ms, coalesce(sum(ttft_ms), 0) AS ttft,
              count(ttft_ms)::numeric AS ttft_n, coalesce(sum(eval_duration_ns), 0)::numeric AS eval_ns,
              sum(total_cost) AS cost, sum(energy_wh) AS wh, sum(electricity_cost) AS el, sum(reference_cost) AS ref
            FROM usage_events GROUP BY 1, 2, 3, 4`
        : sql`SELECT bucket, model, provider, upstream_host, sum(requests), sum(errors), sum(stream_requests),
              sum(prompt_tokens), sum(completion_tokens), sum(total_ms_sum), sum(ttft_ms_sum), sum(ttft_count),
              sum(eval_duration_ns_sum), sum(total_cost), sum(energy_wh), sum(electricity_cost), sum(reference_cost)
            FROM usage_hourly GROUP BY 1, 2, 3, 4`;
    const mine = sql`SELECT bucket, model, provider, upstream_host, requests::numeric, errors::numeric,
      stream_requests::numeric, prompt_tokens::numeric, completion_tokens::numeric, total_ms_sum, ttft_ms_sum,
      ttft_count::numeric, eval_duration_ns_sum::numeric, total_cost, energy_wh, electricity_cost, reference_cost
      FROM model_hourly`;
    for (const table of ['usage_events', 'usage_hourly'] as const) {
      const { rows: diff } =
        await sql`(${mine} EXCEPT ${sums(table)}) UNION ALL (${sums(table)} EXCEPT ${mine})`.execute(
          testDb.db,
        );
      expect(diff, table).toEqual([]);
    }
    const { rows: tokens } = await sql<{ n: string }>`
      SELECT (SELECT sum(completion_tokens) FROM usage_events WHERE eval_duration_ns > 0)
        - (SELECT sum(eval_completion_tokens) FROM model_hourly) AS n`.execute(testDb.db);
    expect(tokens).toEqual([{ n: '0' }]);
  });

  it('model_daily equals model_hourly grouped by UTC day, replays included once, histograms element-wise', async () => {
    // a day boundary inside one batch: 23:59 and 00:00 UTC land in two model_daily rows
    const model = 'mh-daily';
    const late = usageEvent({
      model,
      upstreamModel: model,
      occurredAt: '2026-04-01T23:59:59.999Z',
      ttftMs: 80,
    });
    await runBatch(testDb.db, [
      late,
      usageEvent({ model, upstreamModel: model, occurredAt: '2026-04-02T00:00:00.000Z', totalMs: 4300 }),
    ]);
    await runBatch(testDb.db, [late]);
    const daily = sql`SELECT to_char(day, 'YYYY-MM-DD') AS day, model, provider, upstream_host, requests, errors,
      stream_requests, prompt_tokens, completion_tokens, total_ms_sum, ttft_ms_sum, ttft_count, eval_duration_ns_sum,
      eval_completion_tokens, total_cost, energy_wh, electricity_cost, reference_cost, latency_hist, ttft_hist
      FROM model_daily`;
    const hourly = sql`SELECT to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, model, provider, upstream_host,
      sum(requests)::bigint, sum(errors)::bigint, sum(stream_requests)::bigint, sum(prompt_tokens)::bigint,
      sum(completion_tokens)::bigint, sum(total_ms_sum), sum(ttft_ms_sum), sum(ttft_count)::bigint,
      sum(eval_duration_ns_sum)::bigint, sum(eval_completion_tokens)::bigint, sum(total_cost), sum(energy_wh),
      sum(electricity_cost), sum(reference_cost), histogram_sum(latency_hist), histogram_sum(ttft_hist)
      FROM model_hourly GROUP BY 1, 2, 3, 4`;
    const { rows: diff } =
      await sql`(${daily} EXCEPT ${hourly}) UNION ALL (${hourly} EXCEPT ${daily})`.execute(testDb.db);
    expect(diff).toEqual([]);
    const { rows: counts } = await sql<{ days: number; ours: number; requests: string }>`
      SELECT count(*)::int AS days, count(*) FILTER (WHERE model = ${model})::int AS ours,
        (SELECT sum(requests) FROM model_daily) - (SELECT count(*) FROM usage_events) AS requests
      FROM model_daily`.execute(testDb.db);
    expect(counts).toEqual([{ days: expect.any(Number), ours: 2, requests: '0' }]);
  });
});
