/**
 * Upgrading a database created by an older release: each fixture in test-fixtures/ is the schema exactly as
 * `gatewayctl migrate` left it at that commit (generated from git history, with its schema_migrations rows). The test
 * loads one, writes a small ledger in it the way that release's billing worker did (usage_events and usage_hourly
 * only, the rollups that release knew), runs today's migrate(), and checks that the result is indistinguishable from
 * a fresh database — same tables, columns, types, defaults, constraints, indexes and functions — that no row was lost,
 * that every rollup added since holds the old ledger's history exactly, and that migrating again applies nothing.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrator.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures');
const FIXTURE_FILES = [
  'schema-e996a40-init-only.sql',
  'schema-641c2f7-latency-hourly.sql',
  'schema-43228e9-before-model-daily.sql',
];

let fresh: TestDatabase;
let freshShape: SchemaShape;

beforeAll(async () => {
  fresh = await createTestDatabase('upgradefresh');
  freshShape = await schemaShape(fresh.url);
});
afterAll(async () => {
  await fresh?.drop();
});

interface SchemaShape {
  columns: string[];
  constraints: string[];
  indexes: string[];
  functions: string[];
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Everything that makes two schemas behave alike, as sorted lines (so a difference reads as a diff). */
function schemaShape(url: string): Promise<SchemaShape> {
  return withClient(url, async (client) => {
    const lines = async (query: string) =>
      (await client.query<{ line: string }>(query)).rows.map((r) => r.line).sort();
    return {
      columns:
        await lines(`SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '')
          || ' ' || is_nullable || ' default=' || coalesce(column_default, '-') || ' generated=' || coalesce(generation_expression, '-') AS line
        FROM information_schema.columns WHERE table_schema = 'public'`),
      constraints:
        await lines(`SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace`),
      indexes: await lines(`SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public'`),
      functions:
        await lines(`SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || p.prokind::text AS line
        FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace`),
    };
  });
}

/**
 * A ledger as an older billing worker wrote it: 3 customers × 2 keys × 2 models over 30 hours across a month end,
 * some errors, streams and ttfts, plus the usage_hourly rollup it kept in step (the only rollup every release had).
 */
async function writeOldLedger(client: pg.Client): Promise<number> {
  await client.query(`INSERT INTO customers (id, name, email)
    SELECT ('00000000-0000-4000-8000-00000000000' || i)::uuid, 'Customer ' || i, 'c' || i || '@example.test'
    FROM generate_series(1, 3) i`);
  await client.query(`INSERT INTO api_keys (id, customer_id, name, secret_hash, prefix)
    SELECT ('00000000-0000-4000-9000-0000000000' || c || k)::uuid, ('00000000-0000-4000-8000-00000000000' || c)::uuid,
      'key ' || k, md5(c::text || k::text), 'sk-og-' || c || k
    FROM generate_series(1, 3) c, generate_series(1, 2) k`);
  const inserted =
    await client.query(`INSERT INTO usage_events (request_id, occurred_at, customer_id, api_key_id, model,
      provider, upstream_host, endpoint, dialect, status, stream, prompt_tokens, completion_tokens, total_ms, ttft_ms,
      eval_duration_ns, total_cost, energy_wh, electricity_cost, reference_cost)
    SELECT 'req-' || n, timestamptz '2026-10-31 09:00:00+00' + (n % 30) * interval '1 hour' + (n % 7) * interval '1 minute',
      ('00000000-0000-4000-8000-00000000000' || (n % 3 + 1))::uuid,
      ('00000000-0000-4000-9000-0000000000' || (n % 3 + 1) || (n % 2 + 1))::uuid,
      CASE WHEN n % 4 = 0 THEN 'qwen3:0.6b' ELSE 'llama3.2:latest' END, 'ollama', 'http://127.0.0.1:11434',
      '/v1/chat/completions', 'openai', CASE WHEN n % 11 = 0 THEN 502 ELSE 200 END, n % 3 = 0,
      10 + n % 13, 20 + n % 17, 5 + (n % 400) * 1.5, CASE WHEN n % 3 = 0 THEN 2 + n % 50 END,
      CASE WHEN n % 11 = 0 THEN 0 ELSE 1000000 + n * 1000 END, (n % 9) * 0.000001, (n % 5) * 0.001, (n % 5) * 0.0001,
      (n % 7) * 0.00001
    FROM generate_series(1, 600) n`);
  await client.query(`INSERT INTO usage_hourly (bucket, customer_id, api_key_id, model, provider, upstream_host, requests,
      errors, stream_requests, prompt_tokens, completion_tokens, total_ms_sum, ttft_ms_sum, ttft_count,
      eval_duration_ns_sum, total_cost, energy_wh, electricity_cost, reference_cost)
    SELECT date_trunc('hour', occurred_at), customer_id, api_key_id, model, provider, upstream_host, count(*),
      count(*) FILTER (WHERE status >= 400), count(*) FILTER (WHERE stream), sum(prompt_tokens), sum(completion_tokens),
      sum(total_ms), coalesce(sum(ttft_ms), 0), count(ttft_ms), coalesce(sum(eval_duration_ns), 0), sum(total_cost),
      sum(energy_wh), sum(electricity_cost), sum(reference_cost)
    FROM usage_events GROUP BY 1, 2, 3, 4, 5, 6`);
  return inserted.rowCount ?? 0;
}

/** One row of totals per rollup, and the ledger's, to compare exactly (numeric sums as text). */
const TOTALS = {
  ledger: `SELECT count(*)::text AS requests, sum(prompt_tokens)::text AS prompt, sum(completion_tokens)::text AS completion,
    sum(total_cost)::text AS cost, count(*) FILTER (WHERE status >= 400)::text AS errors FROM usage_events`,
  model_hourly: `SELECT sum(requests)::text AS requests, sum(prompt_tokens)::text AS prompt,
    sum(completion_tokens)::text AS completion, sum(total_cost)::text AS cost, sum(errors)::text AS errors FROM model_hourly`,
  model_daily: `SELECT sum(requests)::text AS requests, sum(prompt_tokens)::text AS prompt,
    sum(completion_tokens)::text AS completion, sum(total_cost)::text AS cost, sum(errors)::text AS errors FROM model_daily`,
  key_daily: `SELECT sum(requests)::text AS requests, sum(prompt_tokens)::text AS prompt,
    sum(completion_tokens)::text AS completion, sum(total_cost)::text AS cost, sum(errors)::text AS errors FROM key_daily`,
  customer_spend: `SELECT sum(requests)::text AS requests, sum(prompt_tokens)::text AS prompt,
    sum(completion_tokens)::text AS completion, sum(total_cost)::text AS cost, (SELECT count(*) FILTER (WHERE status >= 400)
    FROM usage_events)::text AS errors FROM customer_spend`,
} as const;

describe.each(FIXTURE_FILES)('upgrading a database created at %s', (fixture) => {
  let old: TestDatabase;
  let ledgerRows: number;
  let result: Awaited<ReturnType<typeof migrate>>;

  beforeAll(async () => {
    // An empty database (createTestDatabase applies today's schema: drop it all, then load the old one).
    old = await createTestDatabase('upgrade');
    await withClient(old.url, async (client) => {
      await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      await client.query(readFileSync(join(FIXTURES, fixture), 'utf8'));
      ledgerRows = await writeOldLedger(client);
    });
    result = await migrate(old.url, { billingTimeZone: 'Europe/Berlin' });
  });
  afterAll(async () => {
    await old?.drop();
  });

  it('ends with exactly the schema of a fresh database', async () => {
    const shape = await schemaShape(old.url);
    expect(shape.columns).toEqual(freshShape.columns);
    expect(shape.constraints).toEqual(freshShape.constraints);
    expect(shape.indexes).toEqual(freshShape.indexes);
    expect(shape.functions).toEqual(freshShape.functions);
    const freshVersions = await withClient(fresh.url, async (client) =>
      (await client.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY 1')).rows.map(
        (r) => r.version,
      ),
    );
    expect(result.current.filter((v) => freshVersions.includes(v))).toEqual(freshVersions);
  });

  it('keeps every ledger row, and every rollup holds the old history exactly', async () => {
    await withClient(old.url, async (client) => {
      const ledger = (await client.query(TOTALS.ledger)).rows[0];
      expect(Number(ledger.requests)).toBe(ledgerRows);
      for (const rollup of ['model_hourly', 'model_daily', 'key_daily', 'customer_spend'] as const)
        expect((await client.query(TOTALS[rollup])).rows[0], rollup).toEqual(ledger);
      // Per key and UTC day, per model and UTC day: not only the totals.
      const byKeyDay =
        await client.query(`SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, api_key_id, count(*)::int AS n
        FROM usage_events GROUP BY 1, 2 EXCEPT SELECT day, api_key_id, requests::int FROM key_daily`);
      expect(byKeyDay.rows).toEqual([]);
      const byModelDay =
        await client.query(`SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, model, count(*)::int AS n
        FROM usage_events GROUP BY 1, 2 EXCEPT SELECT day, model, requests::int FROM model_daily`);
      expect(byModelDay.rows).toEqual([]);
      // The histograms count every request (latency) and every request with a ttft.
      const hist =
        await client.query(`SELECT (SELECT sum(x) FROM model_daily, unnest(latency_hist) x)::int AS latency,
        (SELECT sum(x) FROM model_daily, unnest(ttft_hist) x)::int AS ttft,
        (SELECT count(ttft_ms) FROM usage_events)::int AS with_ttft`);
      expect(hist.rows[0]).toEqual({ latency: ledgerRows, ttft: hist.rows[0].with_ttft, with_ttft: 200 });
      // Billing months in BILLING_TIME_ZONE: 2026-10-31 23:00 UTC is already November in Berlin.
      const months = await client.query(
        `SELECT period::text, sum(requests)::int AS n FROM customer_spend GROUP BY 1 ORDER BY 1`,
      );
      const expected =
        await client.query(`SELECT date_trunc('month', occurred_at AT TIME ZONE 'Europe/Berlin')::date::text AS period,
        count(*)::int AS n FROM usage_events GROUP BY 1 ORDER BY 1`);
      expect(months.rows).toEqual(expected.rows);
      expect(months.rows.map((r) => r.period)).toEqual(['2026-10-01', '2026-11-01']);
    });
  });

  it('a second migrate applies nothing and changes no rollup', async () => {
    const again = await migrate(old.url, { billingTimeZone: 'Europe/Berlin' });
    expect(again.applied).toEqual([]);
    await withClient(old.url, async (client) => {
      const ledger = (await client.query(TOTALS.ledger)).rows[0];
      expect((await client.query(TOTALS.model_daily)).rows[0]).toEqual(ledger);
      expect((await client.query(TOTALS.key_daily)).rows[0]).toEqual(ledger);
    });
  });
});
