-- Issue 5: latency and time-to-first-token percentiles for the dashboard without reading raw rows.
-- latency_hourly is a narrow rollup (no customer or key) kept by the billing worker in the same transaction as the
-- ledger insert. Each histogram is a bigint[] of LATENCY_HISTOGRAM_BUCKETS counts (packages/contracts
-- latency-histogram.ts): element 1 counts values under 1 ms, element i (2..63) values in [1.25^(i-2), 1.25^(i-1)) ms,
-- element 64 everything from 1.25^62 ms (about 17 minutes) up. Percentiles read from it are within ±12 %.
CREATE TABLE IF NOT EXISTS latency_hourly (
  bucket         timestamptz NOT NULL,
  model          text NOT NULL,
  provider       text NOT NULL,
  upstream_host  text,
  requests       bigint NOT NULL DEFAULT 0,
  latency_hist   bigint[] NOT NULL,
  ttft_hist      bigint[] NOT NULL,
  CONSTRAINT latency_hourly_key UNIQUE NULLS NOT DISTINCT (bucket, model, provider, upstream_host)
);
CREATE INDEX IF NOT EXISTS latency_hourly_bucket_idx ON latency_hourly (bucket DESC);

-- Element-wise sum of two histograms (used by the rollup upsert; a missing element counts as 0).
CREATE OR REPLACE FUNCTION histogram_add(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}'::bigint[])
  FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;
