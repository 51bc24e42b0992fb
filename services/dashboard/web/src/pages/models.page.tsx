import type { ModelStats } from '@ollama-gateway/contracts';
import { reads } from '../api.js';
import { type Column, DataTable } from '../components/data-table.js';
import { RangeSummary } from '../components/range-summary.js';
import { RangeToolbar } from '../components/range-toolbar.js';
import { EmptyState, ErrorBox } from '../components/status.js';
import { useRange } from '../hooks/range.js';
import { useConfig } from '../hooks/session.js';
import { useApi } from '../hooks/use-api.js';
import { formatDuration, formatInt, formatMoney, formatPercent, formatRate } from '../lib/format.js';

function columns(currency: string): Column<ModelStats>[] {
  return [
    { key: 'model', header: 'Model', value: (r) => r.model },
    {
      key: 'upstreamHost',
      header: 'Upstream host',
      value: (r) => r.upstreamHost ?? '',
      render: (r) => r.upstreamHost ?? '—',
    },
    { key: 'provider', header: 'Provider', value: (r) => r.provider },
    {
      key: 'requests',
      header: 'Requests',
      numeric: true,
      value: (r) => r.requests,
      render: (r) => formatInt(r.requests),
    },
    {
      key: 'successRate',
      header: 'Success',
      numeric: true,
      value: (r) => r.successRate,
      render: (r) => (
        <span className={r.successRate < 0.95 ? 'bad' : undefined}>{formatPercent(r.successRate)}</span>
      ),
    },
    {
      key: 'avgLatencyMs',
      header: 'Avg latency',
      numeric: true,
      value: (r) => r.avgLatencyMs,
      render: (r) => formatDuration(r.avgLatencyMs),
    },
    {
      key: 'p95LatencyMs',
      header: 'p95 latency',
      numeric: true,
      value: (r) => r.p95LatencyMs,
      render: (r) => formatDuration(r.p95LatencyMs),
    },
    {
      key: 'avgTtftMs',
      header: 'Avg TTFT',
      numeric: true,
      value: (r) => r.avgTtftMs,
      render: (r) => formatDuration(r.avgTtftMs),
    },
    {
      key: 'p95TtftMs',
      header: 'p95 TTFT',
      numeric: true,
      value: (r) => r.p95TtftMs,
      render: (r) => formatDuration(r.p95TtftMs),
    },
    {
      key: 'tokensPerSecond',
      header: 'Tokens/s',
      numeric: true,
      value: (r) => r.tokensPerSecond,
      render: (r) => formatRate(r.tokensPerSecond),
    },
    {
      key: 'promptTokens',
      header: 'Tokens in',
      numeric: true,
      value: (r) => r.promptTokens,
      render: (r) => formatInt(r.promptTokens),
    },
    {
      key: 'completionTokens',
      header: 'Tokens out',
      numeric: true,
      value: (r) => r.completionTokens,
      render: (r) => formatInt(r.completionTokens),
    },
    {
      key: 'costPerRequest',
      header: 'Cost / request',
      numeric: true,
      value: (r) => r.costPerRequest,
      render: (r) => formatMoney(r.costPerRequest, currency),
    },
    {
      key: 'billed',
      header: 'Billed',
      numeric: true,
      value: (r) => r.billed,
      render: (r) => formatMoney(r.billed, currency),
    },
    {
      key: 'electricityCost',
      header: 'Electricity',
      numeric: true,
      value: (r) => r.electricityCost,
      render: (r) => formatMoney(r.electricityCost, currency),
    },
  ];
}

export function ModelsPage() {
  const { query } = useRange();
  const { currency } = useConfig();
  const models = useApi(query ? reads.models(query) : null);

  return (
    <section className="page" aria-labelledby="models-title">
      <div className="page-head">
        <h1 id="models-title">Models</h1>
        <RangeToolbar />
      </div>
      <RangeSummary range={models.data?.range} loading={models.loading} />
      {models.error ? <ErrorBox title="Models" error={models.error} onRetry={models.reload} /> : null}
      <DataTable
        name="models"
        title="Models and hosts"
        columns={columns(currency)}
        rows={models.data?.data}
        loading={models.loading}
        rowKey={(r) => `${r.model}|${r.provider}|${r.upstreamHost ?? ''}`}
        empty={
          <EmptyState title="No requests in this period">
            <p>Models appear here once requests reach them. Try a longer period.</p>
          </EmptyState>
        }
      />
    </section>
  );
}
