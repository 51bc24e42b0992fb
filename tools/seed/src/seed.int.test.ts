/**
 * The seed against a real, migrated database: counts, rollups equal to the ledger, costs equal to what
 * packages/pricing computes from the recorded prices, determinism, and --reset (fast path and the path that keeps
 * other customers' data).
 */
import { latencyBucket } from '@ollama-gateway/contracts';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { applyMarkup, billingPeriod, computeCost, type PriceRow, selectPrice } from '@ollama-gateway/pricing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetSeedData } from './reset.repository.js';
import { SEED_CUSTOMER_CONDITION, seedCustomerIds } from './seed.repository.js';
import { runSeed, type SeedOptions } from './seed.service.js';
import { keyDailySql, modelHourlySql, usageHourlySql } from './sql/rollups.sql.js';

const TZ = 'Europe/Berlin';
let tdb: TestDatabase;
let client: pg.Client;
let options: SeedOptions;

const q = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
  (await client.query<R>(sql, params)).rows;

/** A digest of every seeded row (ids and write times excluded), to compare two runs. */
async function fingerprint(): Promise<Record<string, string>> {
  const [row] = await q<Record<string, string>>(`SELECT
    (SELECT md5(string_agg(t::text, '|' ORDER BY t.request_id)) FROM (SELECT request_id, occurred_at, customer_id,
      api_key_id, model, status, stream, prompt_tokens, completion_tokens, total_ms, ttft_ms, eval_duration_ns,
      total_cost, energy_wh, electricity_cost, reference_cost, endpoint, dialect, upstream_host FROM usage_events) t) AS events,
    (SELECT md5(string_agg(t::text, '|' ORDER BY t.request_id)) FROM (SELECT request_id, occurred_at, status,
      request_body, response_body, error FROM request_logs) t) AS logs,
    (SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM (SELECT id, name, email, budget FROM customers
      WHERE ${SEED_CUSTOMER_CONDITION}) t) AS customers,
    (SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM (SELECT id, customer_id, name, prefix, secret_hash,
      last_used_at FROM api_keys) t) AS keys`);
  return row!;
}

beforeAll(async () => {
  tdb = await createTestDatabase('seed');
  client = new pg.Client({ connectionString: tdb.url });
  await client.connect();
  options = {
    databaseUrl: tdb.url,
    events: 5000,
    logs: 500,
    days: 40,
    customers: 8,
    reset: false,
    seed: 7,
    until: new Date('2026-03-31T21:37:00Z'),
    timeZone: TZ,
    currency: 'USD',
    jobs: 2,
    chunkSize: 1000,
  };
  await runSeed(options, () => {});
});

afterAll(async () => {
  await client?.end();
  await tdb?.drop();
});

describe('seed', () => {
  it('writes the customers, keys, events and logs asked for', async () => {
    const customers = await q<{ email: string; keys: string }>(
      `SELECT email, (SELECT count(*) FROM api_keys k WHERE k.customer_id = c.id) AS keys FROM customers c`,
    );
    expect(customers).toHaveLength(8);
    for (const c of customers) {
      expect(c.email).toMatch(/@[a-z0-9-]+\.seed\.example$/);
      expect(Number(c.keys)).toBeGreaterThanOrEqual(2);
      expect(Number(c.keys)).toBeLessThanOrEqual(4);
    }
    const [keys] = await q<{ unmarked: string; usable: string }>(
      `SELECT count(*) FILTER (WHERE name NOT LIKE '% (seed)') AS unmarked,
         count(*) FILTER (WHERE secret_hash ~ '^[0-9a-f]{64}$') AS usable FROM api_keys`,
    );
    expect(keys).toEqual({ unmarked: '0', usable: '0' });
    const [counts] = await q<Record<string, string>>(
      `SELECT
      (SELECT count(*) FROM usage_events) AS events, (SELECT count(*) FROM request_logs) AS logs,
      (SELECT count(*) FROM request_logs l JOIN usage_events e USING (request_id)
        WHERE e.occurred_at = l.occurred_at AND e.status = l.status AND e.model = l.model
          AND e.api_key_id = l.api_key_id AND e.total_ms = l.duration_ms) AS matched,
      (SELECT min(occurred_at) >= $1 AND max(occurred_at) < $2 FROM usage_events)::text AS in_range`,
      [new Date(options.until.getTime() - 40 * 86_400_000 - 3_600_000), options.until],
    );
    expect(counts).toEqual({ events: '5000', logs: '500', matched: '500', in_range: 'true' });
  });

  it('looks like traffic: a few errors, consistent dialects and endpoints, full-text search finds words', async () => {
    const [mix] = await q<Record<string, string>>(`SELECT
      avg((status >= 400)::int)::float8 AS error_rate,
      count(*) FILTER (WHERE status NOT IN (200, 429, 499, 500)) AS odd_status,
      count(*) FILTER (WHERE model = 'nomic-embed-text' AND (dialect = 'anthropic' OR stream)) AS bad_embed,
      count(*) FILTER (WHERE dialect = 'anthropic' AND endpoint <> '/v1/messages') AS bad_anthropic,
      count(*) FILTER (WHERE status = 429 AND (provider <> 'none' OR total_cost <> 0)) AS bad_refusal,
      count(DISTINCT upstream_host) AS hosts, count(DISTINCT model) AS models
      FROM usage_events`);
    expect(Number(mix!.error_rate)).toBeGreaterThan(0.005);
    expect(Number(mix!.error_rate)).toBeLessThan(0.04);
    expect(mix).toMatchObject({
      odd_status: '0',
      bad_embed: '0',
      bad_anthropic: '0',
      bad_refusal: '0',
      hosts: '2',
    });
    expect(Number(mix!.models)).toBeGreaterThanOrEqual(4);
    const [hits] = await q<{ n: string }>(
      `SELECT count(*) AS n FROM request_logs WHERE search @@ websearch_to_tsquery('simple', 'customer')`,
    );
    expect(Number(hits!.n)).toBeGreaterThan(0);
  });

  it('rebuilds usage_hourly equal to the ledger grouped by hour, customer, key, model, provider and host', async () => {
    const [diff] = await q<{ n: string; rows: string }>(`
      WITH ledger AS (
        SELECT date_trunc('hour', occurred_at) AS bucket, customer_id, api_key_id, model, provider, upstream_host,
          count(*) AS requests, count(*) FILTER (WHERE status >= 400) AS errors, count(*) FILTER (WHERE stream) AS streams,
          sum(prompt_tokens) AS prompt, sum(completion_tokens) AS completion, sum(total_ms) AS total_ms,
          coalesce(sum(ttft_ms), 0) AS ttft_ms, count(ttft_ms) AS ttft_count, coalesce(sum(eval_duration_ns), 0) AS eval_ns,
          sum(total_cost) AS cost, sum(energy_wh) AS energy, sum(electricity_cost) AS electricity, sum(reference_cost) AS reference
        FROM usage_events GROUP BY 1, 2, 3, 4, 5, 6)
      SELECT count(*) FILTER (WHERE h.bucket IS NULL OR l.bucket IS NULL OR h.requests <> l.requests OR h.errors <> l.errors
          OR h.stream_requests <> l.streams OR h.prompt_tokens <> l.prompt OR h.completion_tokens <> l.completion
          OR abs(h.total_ms_sum - l.total_ms) > 1e-6 * greatest(1, l.total_ms)
          OR abs(h.ttft_ms_sum - l.ttft_ms) > 1e-6 * greatest(1, l.ttft_ms) OR h.ttft_count <> l.ttft_count
          OR h.eval_duration_ns_sum <> l.eval_ns OR h.total_cost <> l.cost OR h.energy_wh <> l.energy
          OR h.electricity_cost <> l.electricity OR h.reference_cost <> l.reference) AS n,
        count(*) AS rows
      FROM usage_hourly h FULL JOIN ledger l ON h.bucket = l.bucket AND h.customer_id = l.customer_id
        AND h.api_key_id = l.api_key_id AND h.model = l.model AND h.provider = l.provider
        AND h.upstream_host IS NOT DISTINCT FROM l.upstream_host`);
    expect(diff!.n).toBe('0');
    expect(Number(diff!.rows)).toBeGreaterThan(100);
  });

  it('rebuilds model_hourly: the ledger grouped by hour, model, provider and host, histograms as latencyBucket() says', async () => {
    const events = await q<{
      bucket: Date;
      model: string;
      provider: string;
      host: string | null;
      status: number;
      stream: boolean;
      prompt_tokens: number;
      completion_tokens: number;
      total_ms: number;
      ttft_ms: number | null;
      eval_duration_ns: string | null;
      total_cost: string;
      electricity_cost: string;
    }>(
      `SELECT date_trunc('hour', occurred_at) AS bucket, model, provider, upstream_host AS host, status, stream,
         prompt_tokens, completion_tokens, total_ms, ttft_ms, eval_duration_ns, total_cost, electricity_cost
       FROM usage_events`,
    );
    const nano = (v: string) => BigInt(v.replace('.', ''));
    interface Sums {
      requests: number;
      errors: number;
      streams: number;
      prompt: number;
      completion: number;
      ttftCount: number;
      evalNs: bigint;
      evalTokens: number;
      cost: bigint;
      electricity: bigint;
      latency: number[];
      ttft: number[];
    }
    const expected = new Map<string, Sums>();
    for (const e of events) {
      const key = `${e.bucket.toISOString()}|${e.model}|${e.provider}|${e.host}`;
      const h: Sums = expected.get(key) ?? {
        requests: 0,
        errors: 0,
        streams: 0,
        prompt: 0,
        completion: 0,
        ttftCount: 0,
        evalNs: 0n,
        evalTokens: 0,
        cost: 0n,
        electricity: 0n,
        latency: Array<number>(64).fill(0),
        ttft: Array<number>(64).fill(0),
      };
      expected.set(key, h);
      const evalNs = BigInt(e.eval_duration_ns ?? 0);
      h.requests += 1;
      h.errors += e.status >= 400 ? 1 : 0;
      h.streams += e.stream ? 1 : 0;
      h.prompt += e.prompt_tokens;
      h.completion += e.completion_tokens;
      h.ttftCount += e.ttft_ms === null ? 0 : 1;
      h.evalNs += evalNs;
      h.evalTokens += evalNs > 0n ? e.completion_tokens : 0;
      h.cost += nano(e.total_cost);
      h.electricity += nano(e.electricity_cost);
      h.latency[latencyBucket(e.total_ms)]! += 1;
      if (e.ttft_ms !== null) h.ttft[latencyBucket(e.ttft_ms)]! += 1;
    }
    const rows = await q<Record<string, string | string[] | Date | null>>('SELECT * FROM model_hourly');
    expect(rows).toHaveLength(expected.size);
    for (const r of rows) {
      const key = `${(r.bucket as Date).toISOString()}|${r.model}|${r.provider}|${r.upstream_host}`;
      expect({
        requests: Number(r.requests),
        errors: Number(r.errors),
        streams: Number(r.stream_requests),
        prompt: Number(r.prompt_tokens),
        completion: Number(r.completion_tokens),
        ttftCount: Number(r.ttft_count),
        evalNs: BigInt(r.eval_duration_ns_sum as string),
        evalTokens: Number(r.eval_completion_tokens),
        cost: nano(r.total_cost as string),
        electricity: nano(r.electricity_cost as string),
        latency: (r.latency_hist as string[]).map(Number),
        ttft: (r.ttft_hist as string[]).map(Number),
      }).toEqual(expected.get(key));
    }
  });

  it('rebuilds key_daily: the ledger grouped by UTC day, customer and key', async () => {
    const [diff] = await q<{ n: string; rows: string }>(`
      WITH ledger AS (
        SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, customer_id, api_key_id, count(*) AS requests,
          count(*) FILTER (WHERE status >= 400) AS errors, sum(prompt_tokens) AS prompt,
          sum(completion_tokens) AS completion, sum(total_cost) AS cost
        FROM usage_events GROUP BY 1, 2, 3)
      SELECT count(*) FILTER (WHERE k.day IS NULL OR l.day IS NULL OR k.requests <> l.requests OR k.errors <> l.errors
          OR k.prompt_tokens <> l.prompt OR k.completion_tokens <> l.completion OR k.total_cost <> l.cost) AS n,
        count(*) AS rows
      FROM key_daily k FULL JOIN ledger l ON k.day = l.day AND k.customer_id = l.customer_id
        AND k.api_key_id = l.api_key_id`);
    expect(diff!.n).toBe('0');
    expect(Number(diff!.rows)).toBeGreaterThan(40);
  });

  it('rebuilds model_daily: model_hourly grouped by UTC day, histograms element-wise', async () => {
    // Every column exactly, but the two float sums, whose rounding depends on the order they were added in.
    const exact = `requests, errors, stream_requests, prompt_tokens, completion_tokens, ttft_count, eval_duration_ns_sum,
      eval_completion_tokens, total_cost, energy_wh, electricity_cost, reference_cost, latency_hist, ttft_hist`;
    const [diff] = await q<{ n: string; rows: string }>(`
      WITH hourly AS (
        SELECT (bucket AT TIME ZONE 'UTC')::date AS day, model, provider, upstream_host, sum(requests) AS requests,
          sum(errors) AS errors, sum(stream_requests) AS stream_requests, sum(prompt_tokens) AS prompt_tokens,
          sum(completion_tokens) AS completion_tokens, sum(total_ms_sum) AS total_ms_sum,
          sum(ttft_ms_sum) AS ttft_ms_sum, sum(ttft_count) AS ttft_count,
          sum(eval_duration_ns_sum) AS eval_duration_ns_sum, sum(eval_completion_tokens) AS eval_completion_tokens,
          sum(total_cost) AS total_cost, sum(energy_wh) AS energy_wh, sum(electricity_cost) AS electricity_cost,
          sum(reference_cost) AS reference_cost, histogram_sum(latency_hist) AS latency_hist,
          histogram_sum(ttft_hist) AS ttft_hist
        FROM model_hourly GROUP BY 1, 2, 3, 4)
      SELECT count(*) FILTER (WHERE d.day IS NULL OR h.day IS NULL
          OR (${exact.replace(/(\w+)/g, 'd.$1')}) IS DISTINCT FROM (${exact.replace(/(\w+)/g, 'h.$1')})
          OR abs(d.total_ms_sum - h.total_ms_sum) > 1e-9 * greatest(1, h.total_ms_sum)
          OR abs(d.ttft_ms_sum - h.ttft_ms_sum) > 1e-9 * greatest(1, h.ttft_ms_sum)) AS n,
        count(*) AS rows
      FROM model_daily d FULL JOIN hourly h ON d.day = h.day AND d.model = h.model AND d.provider = h.provider
        AND d.upstream_host IS NOT DISTINCT FROM h.upstream_host`);
    expect(diff!.n).toBe('0');
    expect(Number(diff!.rows)).toBeGreaterThan(10);
  });

  it('rebuilds customer_spend per billing month in the billing time zone, equal to the ledger', async () => {
    const events = await q<{
      customer_id: string;
      occurred_at: Date;
      prompt_tokens: number;
      completion_tokens: number;
      total_cost: string;
    }>('SELECT customer_id, occurred_at, prompt_tokens, completion_tokens, total_cost FROM usage_events');
    const expected = new Map<
      string,
      { requests: number; prompt: number; completion: number; cost: bigint }
    >();
    for (const e of events) {
      const key = `${e.customer_id}|${billingPeriod(e.occurred_at, TZ)}`;
      const s = expected.get(key) ?? { requests: 0, prompt: 0, completion: 0, cost: 0n };
      expected.set(key, s);
      s.requests += 1;
      s.prompt += e.prompt_tokens;
      s.completion += e.completion_tokens;
      s.cost += BigInt(e.total_cost.replace('.', ''));
    }
    const rows = await q<{
      customer_id: string;
      period: string;
      requests: string;
      prompt_tokens: string;
      completion_tokens: string;
      total_cost: string;
    }>(
      "SELECT customer_id, to_char(period, 'YYYY-MM-DD') AS period, requests, prompt_tokens, completion_tokens, total_cost FROM customer_spend",
    );
    expect(rows).toHaveLength(expected.size);
    expect(new Set(rows.map((r) => r.period)).size).toBeGreaterThan(1);
    for (const r of rows)
      expect({
        requests: Number(r.requests),
        prompt: Number(r.prompt_tokens),
        completion: Number(r.completion_tokens),
        cost: BigInt(r.total_cost.replace('.', '')),
      }).toEqual(expected.get(`${r.customer_id}|${r.period}`));
  });

  it('prices every row as the billing worker would: recorded prices from the pricing table, costs from them', async () => {
    const pricing = await q<{
      id: string;
      provider: string;
      model: string;
      input_per_million: string;
      output_per_million: string;
      per_request: string;
      effective_from: Date;
      customer_id: string | null;
    }>('SELECT * FROM pricing');
    const priceRows: PriceRow[] = pricing.map((p) => ({
      id: p.id,
      provider: p.provider,
      model: p.model,
      inputPerMillion: p.input_per_million,
      outputPerMillion: p.output_per_million,
      perRequest: p.per_request,
      effectiveFrom: p.effective_from,
      customerId: p.customer_id,
    }));
    const markups = new Map(
      (await q<{ id: string; m: string }>('SELECT id, price_markup_percent AS m FROM customers')).map((c) => [
        c.id,
        c.m,
      ]),
    );
    expect(new Set(markups.values()).size).toBeGreaterThan(1);
    const rows = await q<Record<string, string | number | null | boolean | Date>>(
      'SELECT * FROM usage_events',
    );
    for (const r of rows) {
      const row = selectPrice(priceRows, {
        provider: r.provider as string,
        model: r.model as string,
        upstreamModel: r.upstream_model as string | null,
        at: options.until,
        customerId: r.customer_id as string,
      });
      expect(r.pricing_id).toBe(row?.id ?? null);
      if (row) {
        const price = applyMarkup(
          {
            inputPerMillion: row.inputPerMillion,
            outputPerMillion: row.outputPerMillion,
            perRequest: row.perRequest,
          },
          markups.get(r.customer_id as string)!,
        );
        expect([r.input_price_per_million, r.output_price_per_million, r.request_price]).toEqual([
          price.inputPerMillion,
          price.outputPerMillion,
          price.perRequest,
        ]);
      }
      const ns = (v: unknown) => (v === null ? null : Number(v));
      const cost = computeCost(
        {
          promptTokens: r.prompt_tokens as number,
          completionTokens: r.completion_tokens as number,
          status: r.status as number,
          loadDurationNs: ns(r.load_duration_ns),
          promptEvalDurationNs: ns(r.prompt_eval_duration_ns),
          evalDurationNs: ns(r.eval_duration_ns),
        },
        {
          inputPerMillion: r.input_price_per_million as string,
          outputPerMillion: r.output_price_per_million as string,
          perRequest: r.request_price as string,
        },
        { inputPerMillion: '0.15', outputPerMillion: '0.60' },
        { gpuWatts: r.gpu_watts as string, electricityPricePerKwh: r.electricity_price_per_kwh as string },
      );
      expect({
        inputCost: r.input_cost,
        outputCost: r.output_cost,
        requestCost: r.request_cost,
        totalCost: r.total_cost,
        energyWh: r.energy_wh,
        electricityCost: r.electricity_cost,
        referenceCost: r.reference_cost,
      }).toEqual(cost);
    }
  });

  it('is deterministic: the same seed and end time give the same rows, whatever the chunks and connections', async () => {
    const before = await fingerprint();
    await runSeed({ ...options, reset: true, jobs: 1, chunkSize: 2500 }, () => {});
    expect(await fingerprint()).toEqual(before);
  });

  it('refuses to seed twice without --reset', async () => {
    await expect(runSeed(options, () => {})).rejects.toThrow(/already holds seed data/);
  });

  it('reset keeps other customers’ data and recomputes model_hourly and model_daily from what remains', async () => {
    const [other] = await q<{ id: string }>(
      "INSERT INTO customers (name, email) VALUES ('Real Co', 'ops@real.test') RETURNING id",
    );
    await client.query(
      `INSERT INTO usage_events (request_id, occurred_at, customer_id, model, provider, upstream_host, endpoint, dialect,
         status, stream, prompt_tokens, completion_tokens, total_ms, ttft_ms, total_cost)
       VALUES ('real-request-0001', $1, $2, 'llama3.1:8b', 'ollama', 'http://gpu1:11434', '/api/chat', 'ollama',
         200, true, 10, 20, 123.4, 45.6, 0.000005)`,
      [new Date(options.until.getTime() - 5 * 3_600_000), other!.id],
    );
    const mine = [`customer_id = '${other!.id}'`] as const;
    await client.query(usageHourlySql(mine[0]));
    await client.query(modelHourlySql(mine[0]));
    await client.query(keyDailySql(mine[0]));
    const removed = await resetSeedData(client, await seedCustomerIds(client));
    expect(removed).toMatchObject({ customers: 8, events: 5000, logs: 500, truncated: false });
    const [left] = await q<Record<string, string>>(`SELECT
      (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM api_keys) AS keys,
      (SELECT count(*) FROM usage_events) AS events, (SELECT count(*) FROM request_logs) AS logs,
      (SELECT count(*) FROM usage_hourly) AS hourly, (SELECT count(*) FROM customer_spend) AS spend,
      (SELECT sum(requests) FROM model_hourly) AS model_requests, (SELECT count(*) FROM key_daily) AS daily,
      (SELECT count(*) FROM model_daily) AS model_days, (SELECT sum(requests) FROM model_daily) AS model_daily_requests`);
    expect(left).toEqual({
      customers: '1',
      keys: '0',
      events: '1',
      logs: '0',
      hourly: '1',
      spend: '0',
      model_requests: '1',
      daily: '1',
      model_days: '1',
      model_daily_requests: '1',
    });
    await client.query(
      'DELETE FROM usage_events; DELETE FROM usage_hourly; DELETE FROM model_hourly; DELETE FROM model_daily; DELETE FROM key_daily; ' +
        'DELETE FROM customers',
    );
  });

  it('reset on a database holding only seed data truncates, and --events 0 only removes', async () => {
    await runSeed({ ...options, events: 300, logs: 30 }, () => {});
    const result = await runSeed({ ...options, reset: true, events: 0, logs: 0 }, () => {});
    expect(result.removed).toMatchObject({ customers: 8, events: 300, logs: 30, truncated: true });
    const [left] = await q<Record<string, string>>(`SELECT
      (SELECT count(*) FROM customers) + (SELECT count(*) FROM usage_events) + (SELECT count(*) FROM request_logs)
      + (SELECT count(*) FROM usage_hourly) + (SELECT count(*) FROM model_hourly) + (SELECT count(*) FROM model_daily)
      + (SELECT count(*) FROM key_daily) + (SELECT count(*) FROM customer_spend) AS n`);
    expect(left!.n).toBe('0');
  });
});
