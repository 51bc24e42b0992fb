import type { Timeseries } from '@ollama-gateway/contracts';
import { describe, expect, it } from 'vitest';
import { modelShareSlices, toChartPoints } from './chart-data.js';

describe('chart data', () => {
  it('labels buckets in the zone and turns money into numbers', () => {
    const series: Timeseries = {
      range: {
        period: 'today',
        from: '2026-03-05T00:00:00Z',
        to: '2026-03-05T02:00:00Z',
        timeZone: 'UTC',
        granularity: 'hour',
      },
      points: [
        {
          t: '2026-03-05T01:00:00Z',
          requests: 3,
          errors: 1,
          promptTokens: 10,
          completionTokens: 20,
          tokensPerSecond: null,
          billed: '0.0012',
          electricityCost: 'bad',
        },
      ],
      modelShare: [],
    };
    expect(toChartPoints(series)).toEqual([
      {
        label: '5 Mar, 01:00',
        t: '2026-03-05T01:00:00Z',
        requests: 3,
        errors: 1,
        promptTokens: 10,
        completionTokens: 20,
        tokensPerSecond: null,
        billed: 0.0012,
        electricityCost: 0,
      },
    ]);
  });

  it('folds small models into "Other models"', () => {
    const slices = modelShareSlices(
      [
        { model: 'a', requests: 5 },
        { model: 'b', requests: 3 },
        { model: 'c', requests: 1 },
        { model: 'd', requests: 1 },
      ],
      2,
    );
    expect(slices).toEqual([
      { model: 'a', requests: 5, share: 0.5 },
      { model: 'b', requests: 3, share: 0.3 },
      { model: 'Other models', requests: 2, share: 0.2 },
    ]);
    expect(modelShareSlices([{ model: 'a', requests: 0 }])).toEqual([]);
  });
});
