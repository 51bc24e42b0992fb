-- Issue 5: rollups small enough for the dashboard's panels to stay fast at ten million ledger rows.
-- usage_hourly (init.sql) has a row per hour × customer × key × model × provider × host: at 25 customers and 75 keys
-- that is 750k rows over 90 days, too many to scan for a 30-day or all-time panel. The tables below hold the same
-- ledger rows with fewer dimensions. The billing worker keeps them in the same transaction as the ledger insert (only
-- for the rows actually inserted, so a replay is never counted twice); money is summed exactly, like usage_hourly.

-- model_hourly: per UTC hour, model, provider and upstream host; no customer or key. The overview, timeseries and
-- models panels read only this table and model_daily (about 8 rows an hour instead of 350). Besides usage_hourly's
-- sums it holds:
-- - eval_completion_tokens: the completion tokens of the requests that reported a generation time
--   (eval_duration_ns > 0), so tokens/s = eval_completion_tokens / eval_duration_ns_sum × 1e9 is exact;
-- - latency_hist, ttft_hist: histograms of total_ms (every request) and ttft_ms (the requests that report one), each a
--   bigint[] of LATENCY_HISTOGRAM_BUCKETS counts (packages/contracts latency-histogram.ts): element 1 counts values
--   under 1 ms, element i (2..63) values in [1.25^(i-2), 1.25^(i-1)) ms, element 64 everything from 1.25^62 ms (about
--   17 minutes) up. Percentiles read from them are within ±12 %.
CREATE TABLE IF NOT EXISTS model_hourly (
  bucket                  timestamptz NOT NULL,
  model                   text NOT NULL,
  provider                text NOT NULL,
  upstream_host           text,
  requests                bigint NOT NULL DEFAULT 0,
  errors                  bigint NOT NULL DEFAULT 0,
  stream_requests         bigint NOT NULL DEFAULT 0,
  prompt_tokens           bigint NOT NULL DEFAULT 0,
  completion_tokens       bigint NOT NULL DEFAULT 0,
  total_ms_sum            double precision NOT NULL DEFAULT 0,
  ttft_ms_sum             double precision NOT NULL DEFAULT 0,
  ttft_count              bigint NOT NULL DEFAULT 0,
  eval_duration_ns_sum    bigint NOT NULL DEFAULT 0,
  eval_completion_tokens  bigint NOT NULL DEFAULT 0,
  total_cost              numeric(20, 9) NOT NULL DEFAULT 0,
  energy_wh               numeric(20, 9) NOT NULL DEFAULT 0,
  electricity_cost        numeric(20, 9) NOT NULL DEFAULT 0,
  reference_cost          numeric(20, 9) NOT NULL DEFAULT 0,
  latency_hist            bigint[] NOT NULL,
  ttft_hist               bigint[] NOT NULL,
  CONSTRAINT model_hourly_key UNIQUE NULLS NOT DISTINCT (bucket, model, provider, upstream_host)
);
CREATE INDEX IF NOT EXISTS model_hourly_bucket_idx ON model_hourly (bucket DESC);

-- model_daily: model_hourly summed per UTC day (the same columns and key, `day` for `bucket`): 24 times fewer rows.
-- The overview and models panels read it for the whole UTC days of their range and model_hourly for the partial days
-- at its two edges, like key_daily + usage_hourly (exact for any range): summing the two histograms over every hourly
-- row was most of a 30-day or all-time panel's time. The timeseries panel still reads model_hourly (its day buckets
-- follow the dashboard's time zone, not UTC).
CREATE TABLE IF NOT EXISTS model_daily (
  day                     date NOT NULL,
  model                   text NOT NULL,
  provider                text NOT NULL,
  upstream_host           text,
  requests                bigint NOT NULL DEFAULT 0,
  errors                  bigint NOT NULL DEFAULT 0,
  stream_requests         bigint NOT NULL DEFAULT 0,
  prompt_tokens           bigint NOT NULL DEFAULT 0,
  completion_tokens       bigint NOT NULL DEFAULT 0,
  total_ms_sum            double precision NOT NULL DEFAULT 0,
  ttft_ms_sum             double precision NOT NULL DEFAULT 0,
  ttft_count              bigint NOT NULL DEFAULT 0,
  eval_duration_ns_sum    bigint NOT NULL DEFAULT 0,
  eval_completion_tokens  bigint NOT NULL DEFAULT 0,
  total_cost              numeric(20, 9) NOT NULL DEFAULT 0,
  energy_wh               numeric(20, 9) NOT NULL DEFAULT 0,
  electricity_cost        numeric(20, 9) NOT NULL DEFAULT 0,
  reference_cost          numeric(20, 9) NOT NULL DEFAULT 0,
  latency_hist            bigint[] NOT NULL,
  ttft_hist               bigint[] NOT NULL,
  CONSTRAINT model_daily_key UNIQUE NULLS NOT DISTINCT (day, model, provider, upstream_host)
);
CREATE INDEX IF NOT EXISTS model_daily_day_idx ON model_daily (day DESC);

-- key_daily: per UTC day, customer and key; no model or host. The customers list and a customer's keys read it for
-- the whole UTC days of their range, and usage_hourly for the partial days at its two edges (exact for any range).
-- customer_id / api_key_id are NULL for requests without one (or whose customer or key was deleted before billing).
CREATE TABLE IF NOT EXISTS key_daily (
  day                date NOT NULL,
  customer_id        uuid,
  api_key_id         uuid,
  requests           bigint NOT NULL DEFAULT 0,
  errors             bigint NOT NULL DEFAULT 0,
  prompt_tokens      bigint NOT NULL DEFAULT 0,
  completion_tokens  bigint NOT NULL DEFAULT 0,
  total_cost         numeric(20, 9) NOT NULL DEFAULT 0,
  CONSTRAINT key_daily_key UNIQUE NULLS NOT DISTINCT (day, customer_id, api_key_id)
);
CREATE INDEX IF NOT EXISTS key_daily_day_idx ON key_daily (day DESC);

-- Element-wise sum of two histograms (used by the rollup upsert; a missing element counts as 0).
CREATE OR REPLACE FUNCTION histogram_add(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}'::bigint[])
  FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;

-- Element-wise sum of the histograms of many rows (rebuilding model_daily from model_hourly in the seed tool and in
-- tests: INSERT INTO model_daily SELECT (bucket AT TIME ZONE 'UTC')::date, …, histogram_sum(latency_hist) …).
CREATE OR REPLACE AGGREGATE histogram_sum(bigint[]) (SFUNC = histogram_add, STYPE = bigint[], INITCOND = '{}');
