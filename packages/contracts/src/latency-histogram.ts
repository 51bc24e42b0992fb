/**
 * Fixed log-scale latency histogram, shared by the billing worker (writes model_hourly's latency_hist and ttft_hist)
 * and the dashboard (reads percentiles from their sums). Bucket 0 counts values under 1 ms; bucket i (1..62) counts [1.25^(i-1), 1.25^i) ms; bucket 63
 * counts everything from 1.25^62 ms (about 17 minutes). A percentile is reported as the geometric middle of its
 * bucket, so it is within ±12 % of the exact value. Postgres arrays are 1-based: bucket i is element i + 1.
 */
export const LATENCY_HISTOGRAM_BUCKETS = 64;
export const LATENCY_HISTOGRAM_GROWTH = 1.25;

const LOG_GROWTH = Math.log(LATENCY_HISTOGRAM_GROWTH);

/** The bucket a duration in milliseconds falls in (negative and NaN count as 0 ms). */
export function latencyBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  const index = Math.floor(Math.log(ms) / LOG_GROWTH + 1e-9) + 1;
  return Math.min(index, LATENCY_HISTOGRAM_BUCKETS - 1);
}

/** The lower bound of a bucket in ms (0 for bucket 0). */
export function latencyBucketLowerMs(bucket: number): number {
  return bucket <= 0 ? 0 : LATENCY_HISTOGRAM_GROWTH ** (bucket - 1);
}

/** The value a bucket stands for: its geometric middle (0.5 ms for bucket 0, the lower bound for the last). */
export function latencyBucketValueMs(bucket: number): number {
  if (bucket <= 0) return 0.5;
  if (bucket >= LATENCY_HISTOGRAM_BUCKETS - 1) return latencyBucketLowerMs(bucket);
  return Math.sqrt(latencyBucketLowerMs(bucket) * latencyBucketLowerMs(bucket + 1));
}

/** An empty histogram (all zero counts). */
export function emptyLatencyHistogram(): number[] {
  return new Array<number>(LATENCY_HISTOGRAM_BUCKETS).fill(0);
}

/**
 * The q-quantile (0 < q ≤ 1, e.g. 0.95) of a histogram: the smallest bucket whose cumulative count reaches
 * ceil(q × total), as that bucket's value in ms. null when the histogram is empty.
 */
export function latencyQuantileMs(counts: readonly number[], q: number): number | null {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= rank) return latencyBucketValueMs(i);
  }
  return latencyBucketValueMs(counts.length - 1);
}
