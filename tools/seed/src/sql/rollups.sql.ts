import { LATENCY_HISTOGRAM_BUCKETS, LATENCY_HISTOGRAM_GROWTH } from '@ollama-gateway/contracts';

/**
 * The rollups (usage_hourly, model_hourly, model_daily, key_daily, customer_spend), rebuilt from the ledger with set-based SQL
 * (INSERT … SELECT … GROUP BY … ON CONFLICT add) and the billing worker's semantics: UTC hour and day buckets;
 * errors = status ≥ 400; ttft sums and counts only over rows with a ttft; money summed exactly in numeric. Each
 * statement covers the ledger rows matching `where` (a SQL condition on usage_events with $1 = seed customer ids,
 * $2/$3 = a time slice), so the work can be split into time slices on hour boundaries run on several connections.
 * Rows are inserted in key order: where two slices share a row (a day, a month) they lock it in the same order.
 * model_daily is rebuilt from model_hourly once the slices are in (MODEL_DAILY_SQL).
 */

/** A time slice [$2, $3) of the rows of the customers in $1. */
export const SLICE_FILTER = 'customer_id = ANY($1::uuid[]) AND occurred_at >= $2 AND occurred_at < $3';
/** Every ledger row in [$1, $2) (recomputing model_hourly after a reset). */
export const RANGE_FILTER = 'occurred_at >= $1 AND occurred_at < $2';

/** The sums usage_hourly and model_hourly share: column and its aggregate over usage_events. */
const SUMS: readonly (readonly [string, string])[] = [
  ['requests', 'count(*)'],
  ['errors', 'count(*) FILTER (WHERE status >= 400)'],
  ['stream_requests', 'count(*) FILTER (WHERE stream)'],
  ['prompt_tokens', 'sum(prompt_tokens)'],
  ['completion_tokens', 'sum(completion_tokens)'],
  ['total_ms_sum', 'sum(total_ms)'],
  ['ttft_ms_sum', 'coalesce(sum(ttft_ms), 0)'],
  ['ttft_count', 'count(ttft_ms)'],
  ['eval_duration_ns_sum', 'coalesce(sum(eval_duration_ns), 0)'],
  ['total_cost', 'sum(total_cost)'],
  ['energy_wh', 'sum(energy_wh)'],
  ['electricity_cost', 'sum(electricity_cost)'],
  ['reference_cost', 'sum(reference_cost)'],
];
const SUM_COLUMNS = SUMS.map(([column]) => column).join(', ');
const SUM_SELECT = SUMS.map(([column, aggregate]) => `${aggregate} AS ${column}`).join(',\n  ');

/** `c = alias.c + excluded.c` for each column: the upserts add. */
function addExcluded(alias: string, columns: readonly string[]): string {
  return columns.map((c) => `${c} = ${alias}.${c} + excluded.${c}`).join(',\n  ');
}

export function usageHourlySql(where: string): string {
  return `INSERT INTO usage_hourly AS h (bucket, customer_id, api_key_id, model, provider, upstream_host, ${SUM_COLUMNS})
SELECT date_trunc('hour', occurred_at), customer_id, api_key_id, model, provider, upstream_host,
  ${SUM_SELECT}
FROM usage_events
WHERE ${where}
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT ON CONSTRAINT usage_hourly_key DO UPDATE SET
  ${addExcluded(
    'h',
    SUMS.map(([c]) => c),
  )}`;
}

/** The histogram bucket of a duration in ms, exactly as latencyBucket() in packages/contracts computes it. */
export function latencyBucketSql(ms: string): string {
  return `CASE WHEN ${ms} >= 1 THEN least(${LATENCY_HISTOGRAM_BUCKETS - 1},
    floor(ln(${ms}) / ln(${LATENCY_HISTOGRAM_GROWTH}::float8) + 1e-9::float8)::int + 1) ELSE 0 END`;
}

/**
 * model_hourly: per UTC hour, model, provider and host, usage_hourly's sums, the completion tokens of the rows that
 * report a generation time (eval_duration_ns > 0), and two histograms of LATENCY_HISTOGRAM_BUCKETS counts (total_ms
 * of every row; ttft_ms of the rows that have one). One scan counts both histograms (grouping sets: kind 0 =
 * latency, 1 = ttft); each histogram's non-empty buckets are then written out as array text with the zero runs
 * between them (`repeat('0,', gap)`), so the work grows with the buckets in use, not with groups × 64.
 */
export function modelHourlySql(where: string): string {
  const last = LATENCY_HISTOGRAM_BUCKETS - 1;
  const key = 'bucket, model, provider, host';
  const same = (a: string) =>
    `${a}.bucket = s.bucket AND ${a}.model = s.model AND ${a}.provider = s.provider AND ${a}.host = s.host`;
  return `WITH counts AS (
  SELECT ${key}, GROUPING(li) AS kind, CASE WHEN GROUPING(li) = 0 THEN li ELSE ti END AS i, count(*) AS c
  FROM (
    SELECT date_trunc('hour', occurred_at) AS bucket, model, provider, coalesce(upstream_host, '') AS host,
      ${latencyBucketSql('total_ms')} AS li,
      CASE WHEN ttft_ms IS NOT NULL THEN ${latencyBucketSql('ttft_ms')} END AS ti
    FROM usage_events
    WHERE ${where}
  ) e
  GROUP BY GROUPING SETS ((${key}, li), (${key}, ti))
),
cells AS (
  SELECT ${key}, kind, i, c, i - coalesce(lag(i) OVER (PARTITION BY ${key}, kind ORDER BY i), -1) - 1 AS gap
  FROM counts WHERE i IS NOT NULL
),
hists AS MATERIALIZED (
  SELECT ${key}, kind,
    ('{' || string_agg(repeat('0,', gap) || c, ',' ORDER BY i) || repeat(',0', ${last} - max(i)) || '}')::bigint[] AS hist
  FROM cells GROUP BY ${key}, kind
),
sums AS (
  SELECT date_trunc('hour', occurred_at) AS bucket, model, provider, coalesce(upstream_host, '') AS host,
    ${SUM_SELECT},
    coalesce(sum(completion_tokens) FILTER (WHERE eval_duration_ns > 0), 0) AS eval_completion_tokens
  FROM usage_events
  WHERE ${where}
  GROUP BY 1, 2, 3, 4
)
INSERT INTO model_hourly AS x (bucket, model, provider, upstream_host, ${SUM_COLUMNS}, eval_completion_tokens,
  latency_hist, ttft_hist)
SELECT s.bucket, s.model, s.provider, nullif(s.host, ''), ${SUMS.map(([c]) => `s.${c}`).join(', ')},
  s.eval_completion_tokens, l.hist, coalesce(t.hist, array_fill(0::bigint, ARRAY[${LATENCY_HISTOGRAM_BUCKETS}]))
FROM sums s
JOIN hists l ON l.kind = 0 AND ${same('l')}
LEFT JOIN hists t ON t.kind = 1 AND ${same('t')}
ORDER BY s.bucket, s.model, s.provider, s.host
ON CONFLICT ON CONSTRAINT model_hourly_key DO UPDATE SET
  ${addExcluded('x', [...SUMS.map(([c]) => c), 'eval_completion_tokens'])},
  latency_hist = histogram_add(x.latency_hist, excluded.latency_hist),
  ttft_hist = histogram_add(x.ttft_hist, excluded.ttft_hist)`;
}

/**
 * model_daily: model_hourly summed per UTC day. Two statements, run in this order in one transaction with $1/$2 = an
 * hour range [from, to): the model_daily rows of every UTC day touching it are deleted and rebuilt from all of those
 * days' model_hourly rows (so exact whatever else model_hourly holds, and whatever the range's edges).
 */
export const MODEL_DAILY_SQL: readonly string[] = [
  `DELETE FROM model_daily
WHERE day >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND day <= (($2::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC')::date`,
  `INSERT INTO model_daily (day, model, provider, upstream_host, ${SUM_COLUMNS}, eval_completion_tokens, latency_hist,
  ttft_hist)
SELECT (bucket AT TIME ZONE 'UTC')::date, model, provider, upstream_host,
  ${SUMS.map(([c]) => `sum(${c})`).join(', ')}, sum(eval_completion_tokens),
  histogram_sum(latency_hist), histogram_sum(ttft_hist)
FROM model_hourly
WHERE bucket >= date_trunc('day', $1::timestamptz, 'UTC')
  AND bucket < date_trunc('day', $2::timestamptz - interval '1 microsecond', 'UTC') + interval '1 day'
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4`,
];

/** key_daily: per UTC day, customer and key: requests, errors, tokens, cost. */
export function keyDailySql(where: string): string {
  return `INSERT INTO key_daily AS k (day, customer_id, api_key_id, requests, errors, prompt_tokens, completion_tokens,
  total_cost)
SELECT (occurred_at AT TIME ZONE 'UTC')::date, customer_id, api_key_id, count(*), count(*) FILTER (WHERE status >= 400),
  sum(prompt_tokens), sum(completion_tokens), sum(total_cost)
FROM usage_events
WHERE ${where}
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
ON CONFLICT ON CONSTRAINT key_daily_key DO UPDATE SET
  ${addExcluded('k', ['requests', 'errors', 'prompt_tokens', 'completion_tokens', 'total_cost'])}`;
}

/** customer_spend: per customer and billing period (the first day of the month in the billing time zone, $4). */
export function customerSpendSql(where: string, timeZoneParam = '$4'): string {
  return `INSERT INTO customer_spend AS s (customer_id, period, requests, prompt_tokens, completion_tokens, total_cost)
SELECT customer_id, date_trunc('month', occurred_at AT TIME ZONE ${timeZoneParam})::date,
  count(*), sum(prompt_tokens), sum(completion_tokens), sum(total_cost)
FROM usage_events
WHERE ${where} AND customer_id IS NOT NULL
GROUP BY 1, 2
ORDER BY 1, 2
ON CONFLICT (customer_id, period) DO UPDATE SET
  ${addExcluded('s', ['requests', 'prompt_tokens', 'completion_tokens', 'total_cost'])},
  updated_at = now()`;
}
