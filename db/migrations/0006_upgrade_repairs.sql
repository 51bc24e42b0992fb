-- Issue 7 (upgrades): brings every older database to the same schema and rollups as a fresh one.
-- Two earlier releases changed migrations in place after they had shipped, which this repairs:
-- - 0004 was first 0004_latency_hourly (a histogram table since replaced by model_hourly): a database migrated then
--   has that version recorded; 0004_dashboard_rollups then ran on it too, creating model_hourly and key_daily empty.
-- - model_daily was added to 0004_dashboard_rollups after it shipped: a database that had recorded 0004 before
--   then never got it, and the dashboard's overview and models panels failed on it.
-- Also, a rollup created after the ledger had rows starts empty: its history is rebuilt here from usage_events
-- (model_hourly, key_daily, customer_spend) and model_hourly (model_daily), each only when it is empty, with the
-- billing worker's semantics (UTC hour and day buckets; customer_spend months in BILLING_TIME_ZONE, which
-- `gatewayctl migrate` passes as the setting ogw.billing_time_zone; UTC without it). Run migrations before starting
-- the new workers (compose and make up do): a worker writing meanwhile would make a rollup non-empty first.
-- Generated once from tools/seed/src/sql/rollups.sql.ts (the seed tool's rebuild statements) and then frozen: like
-- every migration, never edit it after it ships; add a new one.

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

-- Element-wise sum of the histograms of many rows (rebuilding model_daily from model_hourly in the seed tool and in
-- tests: INSERT INTO model_daily SELECT (bucket AT TIME ZONE 'UTC')::date, …, histogram_sum(latency_hist) …).
CREATE OR REPLACE AGGREGATE histogram_sum(bigint[]) (SFUNC = histogram_add, STYPE = bigint[], INITCOND = '{}');

-- Superseded by model_hourly's histograms (the same data with provider and host); nothing reads it.
DROP TABLE IF EXISTS latency_hourly;
-- Created by 0004_latency_hourly for a log view that no longer reads it (the log uses request_logs_time_idx and the
-- search index): an index nobody reads only slows every request-log insert.
DROP INDEX IF EXISTS request_logs_status_time_idx;

-- Rollup history from the ledger, each only when that rollup is empty.
WITH counts AS (
  SELECT bucket, model, provider, host, GROUPING(li) AS kind, CASE WHEN GROUPING(li) = 0 THEN li ELSE ti END AS i, count(*) AS c
  FROM (
    SELECT date_trunc('hour', occurred_at) AS bucket, model, provider, coalesce(upstream_host, '') AS host,
      CASE WHEN total_ms >= 1 THEN least(63,
    floor(ln(total_ms) / ln(1.25::float8) + 1e-9::float8)::int + 1) ELSE 0 END AS li,
      CASE WHEN ttft_ms IS NOT NULL THEN CASE WHEN ttft_ms >= 1 THEN least(63,
    floor(ln(ttft_ms) / ln(1.25::float8) + 1e-9::float8)::int + 1) ELSE 0 END END AS ti
    FROM usage_events
    WHERE NOT EXISTS (SELECT 1 FROM model_hourly)
  ) e
  GROUP BY GROUPING SETS ((bucket, model, provider, host, li), (bucket, model, provider, host, ti))
),
cells AS (
  SELECT bucket, model, provider, host, kind, i, c, i - coalesce(lag(i) OVER (PARTITION BY bucket, model, provider, host, kind ORDER BY i), -1) - 1 AS gap
  FROM counts WHERE i IS NOT NULL
),
hists AS MATERIALIZED (
  SELECT bucket, model, provider, host, kind,
    ('{' || string_agg(repeat('0,', gap) || c, ',' ORDER BY i) || repeat(',0', 63 - max(i)) || '}')::bigint[] AS hist
  FROM cells GROUP BY bucket, model, provider, host, kind
),
sums AS (
  SELECT date_trunc('hour', occurred_at) AS bucket, model, provider, coalesce(upstream_host, '') AS host,
    count(*) AS requests,
  count(*) FILTER (WHERE status >= 400) AS errors,
  count(*) FILTER (WHERE stream) AS stream_requests,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(total_ms) AS total_ms_sum,
  coalesce(sum(ttft_ms), 0) AS ttft_ms_sum,
  count(ttft_ms) AS ttft_count,
  coalesce(sum(eval_duration_ns), 0) AS eval_duration_ns_sum,
  sum(total_cost) AS total_cost,
  sum(energy_wh) AS energy_wh,
  sum(electricity_cost) AS electricity_cost,
  sum(reference_cost) AS reference_cost,
    coalesce(sum(completion_tokens) FILTER (WHERE eval_duration_ns > 0), 0) AS eval_completion_tokens
  FROM usage_events
  WHERE NOT EXISTS (SELECT 1 FROM model_hourly)
  GROUP BY 1, 2, 3, 4
)
INSERT INTO model_hourly AS x (bucket, model, provider, upstream_host, requests, errors, stream_requests, prompt_tokens, completion_tokens, total_ms_sum, ttft_ms_sum, ttft_count, eval_duration_ns_sum, total_cost, energy_wh, electricity_cost, reference_cost, eval_completion_tokens,
  latency_hist, ttft_hist)
SELECT s.bucket, s.model, s.provider, nullif(s.host, ''), s.requests, s.errors, s.stream_requests, s.prompt_tokens, s.completion_tokens, s.total_ms_sum, s.ttft_ms_sum, s.ttft_count, s.eval_duration_ns_sum, s.total_cost, s.energy_wh, s.electricity_cost, s.reference_cost,
  s.eval_completion_tokens, l.hist, coalesce(t.hist, array_fill(0::bigint, ARRAY[64]))
FROM sums s
JOIN hists l ON l.kind = 0 AND l.bucket = s.bucket AND l.model = s.model AND l.provider = s.provider AND l.host = s.host
LEFT JOIN hists t ON t.kind = 1 AND t.bucket = s.bucket AND t.model = s.model AND t.provider = s.provider AND t.host = s.host
ORDER BY s.bucket, s.model, s.provider, s.host
ON CONFLICT ON CONSTRAINT model_hourly_key DO UPDATE SET
  requests = x.requests + excluded.requests,
  errors = x.errors + excluded.errors,
  stream_requests = x.stream_requests + excluded.stream_requests,
  prompt_tokens = x.prompt_tokens + excluded.prompt_tokens,
  completion_tokens = x.completion_tokens + excluded.completion_tokens,
  total_ms_sum = x.total_ms_sum + excluded.total_ms_sum,
  ttft_ms_sum = x.ttft_ms_sum + excluded.ttft_ms_sum,
  ttft_count = x.ttft_count + excluded.ttft_count,
  eval_duration_ns_sum = x.eval_duration_ns_sum + excluded.eval_duration_ns_sum,
  total_cost = x.total_cost + excluded.total_cost,
  energy_wh = x.energy_wh + excluded.energy_wh,
  electricity_cost = x.electricity_cost + excluded.electricity_cost,
  reference_cost = x.reference_cost + excluded.reference_cost,
  eval_completion_tokens = x.eval_completion_tokens + excluded.eval_completion_tokens,
  latency_hist = histogram_add(x.latency_hist, excluded.latency_hist),
  ttft_hist = histogram_add(x.ttft_hist, excluded.ttft_hist);

INSERT INTO key_daily AS k (day, customer_id, api_key_id, requests, errors, prompt_tokens, completion_tokens,
  total_cost)
SELECT (occurred_at AT TIME ZONE 'UTC')::date, customer_id, api_key_id, count(*), count(*) FILTER (WHERE status >= 400),
  sum(prompt_tokens), sum(completion_tokens), sum(total_cost)
FROM usage_events
WHERE NOT EXISTS (SELECT 1 FROM key_daily)
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
ON CONFLICT ON CONSTRAINT key_daily_key DO UPDATE SET
  requests = k.requests + excluded.requests,
  errors = k.errors + excluded.errors,
  prompt_tokens = k.prompt_tokens + excluded.prompt_tokens,
  completion_tokens = k.completion_tokens + excluded.completion_tokens,
  total_cost = k.total_cost + excluded.total_cost;

INSERT INTO customer_spend AS s (customer_id, period, requests, prompt_tokens, completion_tokens, total_cost)
SELECT customer_id, date_trunc('month', occurred_at AT TIME ZONE coalesce(nullif(current_setting('ogw.billing_time_zone', true), ''), 'UTC'))::date,
  count(*), sum(prompt_tokens), sum(completion_tokens), sum(total_cost)
FROM usage_events
WHERE NOT EXISTS (SELECT 1 FROM customer_spend) AND customer_id IS NOT NULL
GROUP BY 1, 2
ORDER BY 1, 2
ON CONFLICT (customer_id, period) DO UPDATE SET
  requests = s.requests + excluded.requests,
  prompt_tokens = s.prompt_tokens + excluded.prompt_tokens,
  completion_tokens = s.completion_tokens + excluded.completion_tokens,
  total_cost = s.total_cost + excluded.total_cost,
  updated_at = now();

INSERT INTO model_daily (day, model, provider, upstream_host, requests, errors, stream_requests, prompt_tokens,
  completion_tokens, total_ms_sum, ttft_ms_sum, ttft_count, eval_duration_ns_sum, total_cost, energy_wh,
  electricity_cost, reference_cost, eval_completion_tokens, latency_hist, ttft_hist)
SELECT (bucket AT TIME ZONE 'UTC')::date, model, provider, upstream_host, sum(requests), sum(errors),
  sum(stream_requests), sum(prompt_tokens), sum(completion_tokens), sum(total_ms_sum), sum(ttft_ms_sum),
  sum(ttft_count), sum(eval_duration_ns_sum), sum(total_cost), sum(energy_wh), sum(electricity_cost),
  sum(reference_cost), sum(eval_completion_tokens), histogram_sum(latency_hist), histogram_sum(ttft_hist)
FROM model_hourly
WHERE NOT EXISTS (SELECT 1 FROM model_daily)
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4;
