import type { Timeseries } from '@ollama-gateway/contracts';
import type { ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { modelShareSlices, toChartPoints } from '../lib/chart-data.js';
import { formatCompact, formatInt, formatMoney, formatPercent, formatRate } from '../lib/format.js';
import { testIds } from '../test-ids.js';

const COLORS = {
  requests: '#2456c7',
  billed: '#b45309',
  electricity: '#15803d',
  tps: '#7c3aed',
  errors: '#b91c1c',
  share: '#0e7490',
};

const asNumber = (value: unknown): number => (typeof value === 'number' ? value : Number(value));

function ChartFigure({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <figure className="chart-card" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div className="chart-body">{children}</div>
    </figure>
  );
}

/** Requests and cost (dual axis), tokens per second, errors, and the per-model share of requests. */
export function OverviewCharts({ series, currency }: { series: Timeseries; currency: string }) {
  const points = toChartPoints(series);
  const slices = modelShareSlices(series.modelShare);
  const bucket = series.range.granularity === 'hour' ? 'hourly' : 'daily';
  const money = (value: unknown) => formatMoney(asNumber(value), currency);
  const axisMoney = (value: unknown) => {
    const n = asNumber(value);
    return n === 0 ? '0' : Math.abs(n) < 1 ? n.toPrecision(2) : formatCompact(n);
  };
  const interval = 'preserveStartEnd' as const;
  // Dots make single buckets visible; on long ranges they would only add noise.
  const dot = points.length <= 48 ? { r: 2.5 } : false;

  return (
    <div className="chart-grid">
      <ChartFigure title={`Requests and cost (${bucket})`} testId={testIds.chartRequestsCost}>
        <ResponsiveContainer width="100%" height={280}>
          <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e6ee" />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} interval={interval} minTickGap={24} />
            <YAxis
              yAxisId="requests"
              tick={{ fontSize: 12 }}
              tickFormatter={(v) => formatCompact(asNumber(v))}
              width={48}
            />
            <YAxis
              yAxisId="cost"
              orientation="right"
              tick={{ fontSize: 12 }}
              tickFormatter={axisMoney}
              width={56}
            />
            <Tooltip
              formatter={(value, name) => (name === 'Requests' ? formatInt(asNumber(value)) : money(value))}
            />
            <Legend />
            <Bar
              yAxisId="requests"
              dataKey="requests"
              name="Requests"
              fill={COLORS.requests}
              radius={[3, 3, 0, 0]}
            />
            <Line
              yAxisId="cost"
              type="linear"
              dataKey="billed"
              name="Billed"
              stroke={COLORS.billed}
              strokeWidth={2}
              dot={dot}
            />
            <Line
              yAxisId="cost"
              type="linear"
              dataKey="electricityCost"
              name="Electricity"
              stroke={COLORS.electricity}
              strokeWidth={2}
              strokeDasharray="5 3"
              dot={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </ChartFigure>

      <ChartFigure title={`Tokens per second (${bucket})`} testId={testIds.chartTokensPerSecond}>
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e6ee" />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} interval={interval} minTickGap={24} />
            <YAxis tick={{ fontSize: 12 }} width={48} />
            <Tooltip formatter={(value) => formatRate(asNumber(value))} />
            <Line
              type="linear"
              dataKey="tokensPerSecond"
              name="Tokens/s"
              stroke={COLORS.tps}
              strokeWidth={2}
              dot={dot}
              connectNulls
            />
          </LineChart>
        </ResponsiveContainer>
      </ChartFigure>

      <ChartFigure title={`Errors (${bucket})`} testId={testIds.chartErrors}>
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e6ee" />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} interval={interval} minTickGap={24} />
            <YAxis tick={{ fontSize: 12 }} width={48} allowDecimals={false} />
            <Tooltip formatter={(value) => formatInt(asNumber(value))} />
            <Bar dataKey="errors" name="Errors" fill={COLORS.errors} radius={[3, 3, 0, 0]} />
          </BarChart>
        </ResponsiveContainer>
      </ChartFigure>

      <ChartFigure title="Requests per model" testId={testIds.chartModelShare}>
        {slices.length === 0 ? (
          <p className="muted">No requests in this period.</p>
        ) : (
          <ResponsiveContainer width="100%" height={Math.max(160, slices.length * 34 + 40)}>
            <BarChart data={slices} layout="vertical" margin={{ top: 8, right: 24, bottom: 0, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e2e6ee" horizontal={false} />
              <XAxis type="number" tick={{ fontSize: 12 }} allowDecimals={false} />
              <YAxis type="category" dataKey="model" tick={{ fontSize: 12 }} width={130} />
              <Tooltip
                formatter={(value, _name, item) =>
                  `${formatInt(asNumber(value))} (${formatPercent((item.payload as { share: number }).share)})`
                }
              />
              <Bar dataKey="requests" name="Requests" fill={COLORS.share} radius={[0, 3, 3, 0]} />
            </BarChart>
          </ResponsiveContainer>
        )}
      </ChartFigure>
    </div>
  );
}
