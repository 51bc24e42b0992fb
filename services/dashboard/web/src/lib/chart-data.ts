import type { Timeseries } from '@ollama-gateway/contracts';
import { formatBucket, toNumber } from './format.js';

export interface ChartPoint {
  label: string;
  t: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  tokensPerSecond: number | null;
  billed: number;
  electricityCost: number;
}

/** Timeseries points with labels in the range's zone and money as numbers (charts only; tables keep strings). */
export function toChartPoints(series: Timeseries): ChartPoint[] {
  const { timeZone, granularity } = series.range;
  return series.points.map((point) => ({
    label: formatBucket(point.t, timeZone, granularity),
    t: point.t,
    requests: point.requests,
    errors: point.errors,
    promptTokens: point.promptTokens,
    completionTokens: point.completionTokens,
    tokensPerSecond: point.tokensPerSecond,
    billed: toNumber(point.billed) || 0,
    electricityCost: toNumber(point.electricityCost) || 0,
  }));
}

export interface ShareSlice {
  model: string;
  requests: number;
  share: number;
}

/** The largest `limit` models, the rest folded into "Other models"; with each one's share of all requests. */
export function modelShareSlices(
  share: readonly { model: string; requests: number }[],
  limit = 7,
): ShareSlice[] {
  const total = share.reduce((sum, row) => sum + row.requests, 0);
  if (total === 0) return [];
  const sorted = [...share].sort((a, b) => b.requests - a.requests);
  const head = sorted.slice(0, limit);
  const rest = sorted.slice(limit).reduce((sum, row) => sum + row.requests, 0);
  const slices = head.map((row) => ({
    model: row.model,
    requests: row.requests,
    share: row.requests / total,
  }));
  if (rest > 0) slices.push({ model: 'Other models', requests: rest, share: rest / total });
  return slices;
}
