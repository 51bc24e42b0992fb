import { describe, expect, it } from 'vitest';
import {
  emptyLatencyHistogram,
  LATENCY_HISTOGRAM_BUCKETS,
  latencyBucket,
  latencyBucketLowerMs,
  latencyQuantileMs,
} from './latency-histogram.js';

describe('latency histogram', () => {
  it('puts values in log-scale buckets with exact edges', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(0.99)).toBe(0);
    expect(latencyBucket(Number.NaN)).toBe(0);
    expect(latencyBucket(1)).toBe(1);
    expect(latencyBucket(1.24)).toBe(1);
    expect(latencyBucket(1.25)).toBe(2);
    expect(latencyBucket(1.25 ** 10)).toBe(11);
    expect(latencyBucket(1.25 ** 10 * 0.999)).toBe(10);
    expect(latencyBucket(1e12)).toBe(LATENCY_HISTOGRAM_BUCKETS - 1);
  });

  it('every value lies in [lower bound, next lower bound) of its bucket', () => {
    for (const ms of [1, 3, 17.5, 250, 999, 12_345, 600_000]) {
      const b = latencyBucket(ms);
      expect(ms).toBeGreaterThanOrEqual(latencyBucketLowerMs(b) * (1 - 1e-9));
      expect(ms).toBeLessThan(latencyBucketLowerMs(b + 1));
    }
  });

  it('reads a quantile within 12 % of the exact value', () => {
    const hist = emptyLatencyHistogram();
    const values = Array.from({ length: 1000 }, (_, i) => 10 + i); // 10..1009 ms
    for (const v of values) hist[latencyBucket(v)]! += 1;
    const p95 = latencyQuantileMs(hist, 0.95)!;
    const exact = values[Math.ceil(0.95 * values.length) - 1]!;
    expect(Math.abs(p95 - exact) / exact).toBeLessThan(0.12);
    const p50 = latencyQuantileMs(hist, 0.5)!;
    expect(Math.abs(p50 - 509) / 509).toBeLessThan(0.12);
  });

  it('is null for an empty histogram', () => {
    expect(latencyQuantileMs(emptyLatencyHistogram(), 0.95)).toBeNull();
  });
});
