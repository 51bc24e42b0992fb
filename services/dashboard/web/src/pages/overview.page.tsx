import type { Overview } from '@ollama-gateway/contracts';
import { lazy, Suspense } from 'react';
import { reads } from '../api.js';
import { RangeSummary } from '../components/range-summary.js';
import { RangeToolbar } from '../components/range-toolbar.js';
import { StatCard } from '../components/stat-card.js';
import { EmptyState, ErrorBox, Skeleton } from '../components/status.js';
import { useRange } from '../hooks/range.js';
import { useConfig } from '../hooks/session.js';
import { useApi } from '../hooks/use-api.js';
import {
  formatDuration,
  formatEnergy,
  formatInt,
  formatMoney,
  formatPercent,
  formatRate,
  toNumber,
} from '../lib/format.js';
import type { StatName } from '../test-ids.js';
import { testIds } from '../test-ids.js';

// Recharts is most of the bundle: load it with the first chart, not with the login page.
const OverviewCharts = lazy(() =>
  import('./overview-charts.js').then((m) => ({ default: m.OverviewCharts })),
);

interface StatDef {
  name: StatName;
  label: string;
  value: (o: Overview) => string;
  hint?: (o: Overview) => string;
  tone?: (o: Overview) => 'good' | 'bad' | undefined;
}

const STATS: readonly StatDef[] = [
  {
    name: 'requests',
    label: 'Requests',
    value: (o) => formatInt(o.requests),
    hint: (o) => `${formatInt(o.errors)} ${o.errors === 1 ? 'error' : 'errors'}`,
  },
  {
    name: 'tokens-in',
    label: 'Tokens in',
    value: (o) => formatInt(o.promptTokens),
    hint: () => 'prompt tokens',
  },
  {
    name: 'tokens-out',
    label: 'Tokens out',
    value: (o) => formatInt(o.completionTokens),
    hint: () => 'completion tokens',
  },
  {
    name: 'error-rate',
    label: 'Error rate',
    value: (o) => formatPercent(o.errorRate),
    tone: (o) => (o.errorRate > 0.05 ? 'bad' : undefined),
  },
  { name: 'avg-latency', label: 'Avg latency', value: (o) => formatDuration(o.avgLatencyMs) },
  { name: 'p95-latency', label: 'p95 latency', value: (o) => formatDuration(o.p95LatencyMs) },
  { name: 'avg-ttft', label: 'Avg time to first token', value: (o) => formatDuration(o.avgTtftMs) },
  { name: 'p95-ttft', label: 'p95 time to first token', value: (o) => formatDuration(o.p95TtftMs) },
  { name: 'tokens-per-second', label: 'Tokens per second', value: (o) => formatRate(o.tokensPerSecond) },
  { name: 'energy', label: 'GPU energy', value: (o) => formatEnergy(o.energyWh) },
  {
    name: 'electricity-cost',
    label: 'Electricity cost',
    value: (o) => formatMoney(o.electricityCost, o.currency),
  },
  {
    name: 'billed',
    label: 'Billed',
    value: (o) => formatMoney(o.billed, o.currency),
    hint: () => 'charged to customers',
  },
  {
    name: 'reference-cost',
    label: 'OpenAI-equivalent cost',
    value: (o) => formatMoney(o.referenceCost, o.currency),
    hint: () => 'at the default reference price',
  },
  {
    name: 'savings',
    label: 'Savings',
    value: (o) => formatMoney(o.savings, o.currency),
    hint: () => 'reference cost − electricity',
    tone: (o) => (toNumber(o.savings) < 0 ? 'bad' : toNumber(o.savings) > 0 ? 'good' : undefined),
  },
];

export function OverviewPage() {
  const { query } = useRange();
  const config = useConfig();
  const overview = useApi(query ? reads.overview(query) : null);
  const series = useApi(query ? reads.timeseries(query) : null);
  const data = overview.data;

  return (
    <section className="page" aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">Overview</h1>
        <RangeToolbar />
      </div>
      <RangeSummary range={data?.range} loading={overview.loading || series.loading} />
      {overview.error ? <ErrorBox title="Overview" error={overview.error} onRetry={overview.reload} /> : null}
      <div className="stat-grid">
        {STATS.map((stat) => (
          <StatCard
            key={stat.name}
            name={stat.name}
            label={stat.label}
            loading={!data}
            value={data ? stat.value(data) : ''}
            hint={data && stat.hint ? stat.hint(data) : undefined}
            tone={data && stat.tone ? stat.tone(data) : undefined}
          />
        ))}
      </div>
      {data && data.requests === 0 ? (
        <EmptyState title="No requests in this period" testId={testIds.overviewEmpty}>
          <p>Send one through the gateway with an API key, for example:</p>
          <pre className="code-block">
            {`curl "$GATEWAY_URL/v1/chat/completions" \\
  -H "Authorization: Bearer $API_KEY" -H "Content-Type: application/json" \\
  -d '{"model":"llama3.2","messages":[{"role":"user","content":"Hello"}]}'`}
          </pre>
          <p className="muted">Or choose a longer period above.</p>
        </EmptyState>
      ) : null}
      {series.error ? <ErrorBox title="Charts" error={series.error} onRetry={series.reload} /> : null}
      {series.data ? (
        data && data.requests === 0 ? null : (
          <Suspense fallback={<Skeleton lines={6} label="Loading charts" />}>
            <OverviewCharts series={series.data} currency={data?.currency ?? config.currency} />
          </Suspense>
        )
      ) : series.loading ? (
        <Skeleton lines={6} label="Loading charts" />
      ) : null}
    </section>
  );
}
