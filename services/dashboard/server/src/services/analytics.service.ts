import type { ModelsResponse, Overview, Timeseries } from '@ollama-gateway/contracts';
import type { LatencyRepository } from '../repositories/latency.repository.js';
import type { UsageRepository } from '../repositories/usage.repository.js';
import { ZERO_MONEY } from '../repositories/usage-sums.sql.js';
import { type Range, toResolvedRange } from './range.service.js';
import { averagesOf, p95, ratio, tokensPerSecond } from './usage-stats.js';

export interface AnalyticsService {
  overview(range: Range): Promise<Overview>;
  timeseries(range: Range): Promise<Timeseries>;
  models(range: Range): Promise<ModelsResponse>;
}

const modelKey = (row: { model: string; provider: string; upstream_host: string | null }) =>
  JSON.stringify([row.model, row.provider, row.upstream_host]);

/** The overview, timeseries and models panels: rollups only (usage_hourly, latency_hourly). */
export function createAnalyticsService(deps: {
  usage: UsageRepository;
  latency: LatencyRepository;
  currency: string;
}): AnalyticsService {
  return {
    async overview(range) {
      const [sums, histograms] = await Promise.all([deps.usage.totals(range), deps.latency.totals(range)]);
      const averages = averagesOf(sums);
      return {
        range: toResolvedRange(range),
        currency: deps.currency,
        requests: sums.requests,
        errors: sums.errors,
        errorRate: ratio(sums.errors, sums.requests),
        promptTokens: sums.prompt_tokens,
        completionTokens: sums.completion_tokens,
        avgLatencyMs: averages.avgLatencyMs,
        p95LatencyMs: p95(histograms.latency),
        avgTtftMs: averages.avgTtftMs,
        p95TtftMs: p95(histograms.ttft),
        tokensPerSecond: averages.tokensPerSecond,
        energyWh: sums.energy_wh,
        electricityCost: sums.electricity_cost,
        billed: sums.billed,
        referenceCost: sums.reference_cost,
        savings: sums.savings,
      };
    },

    async timeseries(range) {
      const [buckets, share] = await Promise.all([deps.usage.series(range), deps.usage.modelShare(range)]);
      return {
        range: toResolvedRange(range),
        points: buckets.map((b) => ({
          t: b.t.toISOString(),
          requests: b.requests ?? 0,
          errors: b.errors ?? 0,
          promptTokens: b.prompt_tokens ?? 0,
          completionTokens: b.completion_tokens ?? 0,
          tokensPerSecond: tokensPerSecond({ eval_tokens: b.eval_tokens ?? 0, eval_ns: b.eval_ns ?? 0 }),
          billed: b.billed ?? ZERO_MONEY,
          electricityCost: b.electricity_cost ?? ZERO_MONEY,
        })),
        modelShare: share,
      };
    },

    async models(range) {
      const [rows, histograms] = await Promise.all([deps.usage.byModel(range), deps.latency.byModel(range)]);
      const byKey = new Map(histograms.map((h) => [modelKey(h), h]));
      return {
        range: toResolvedRange(range),
        data: rows.map((row) => {
          const h = byKey.get(modelKey(row));
          const averages = averagesOf(row);
          return {
            model: row.model,
            provider: row.provider,
            upstreamHost: row.upstream_host,
            requests: row.requests,
            errors: row.errors,
            successRate: ratio(row.requests - row.errors, row.requests),
            avgLatencyMs: averages.avgLatencyMs,
            p95LatencyMs: p95(h?.latency),
            avgTtftMs: averages.avgTtftMs,
            p95TtftMs: p95(h?.ttft),
            tokensPerSecond: averages.tokensPerSecond,
            promptTokens: row.prompt_tokens,
            completionTokens: row.completion_tokens,
            billed: row.billed,
            costPerRequest: row.cost_per_request,
            electricityCost: row.electricity_cost,
          };
        }),
      };
    },
  };
}
