import { describe, expect, it } from 'vitest';
import {
  computeCost,
  costNano,
  electricityCostNano,
  energyWhNano,
  formatNano,
  gpuBusyNs,
  isBillable,
  maxCostNano,
  tokenCostNano,
  toNano,
} from './cost.js';

const energy = { gpuWatts: '350', electricityPricePerKwh: '0.15' };
const gpt4oMini = { inputPerMillion: '0.150000', outputPerMillion: '0.600000' };

describe('toNano / formatNano', () => {
  it('parses decimal strings and numbers exactly', () => {
    expect(toNano('0.15')).toBe(150_000_000n);
    expect(toNano(0.15)).toBe(150_000_000n);
    expect(toNano('350')).toBe(350_000_000_000n);
    expect(toNano(1e-7)).toBe(100n);
    expect(toNano('0.000000001')).toBe(1n);
  });

  it('rounds digits past the ninth half-up', () => {
    expect(toNano('0.0000000015')).toBe(2n);
    expect(toNano('0.0000000014')).toBe(1n);
  });

  it('rejects what is not a non-negative decimal', () => {
    expect(() => toNano('-1')).toThrow(/non-negative decimal/);
    expect(() => toNano('abc')).toThrow(/non-negative decimal/);
    expect(() => toNano(Number.NaN)).toThrow(/non-negative decimal/);
  });

  it('formats with exactly nine decimals', () => {
    expect(formatNano(150_000n)).toBe('0.000150000');
    expect(formatNano(12_345_000_000_001n)).toBe('12345.000000001');
    expect(formatNano(0n)).toBe('0.000000000');
  });
});

describe('token cost', () => {
  it('is tokens × price per million / 1e6', () => {
    expect(formatNano(tokenCostNano(1000, '0.15'))).toBe('0.000150000');
    expect(formatNano(tokenCostNano(2_000_000, '10'))).toBe('20.000000000');
  });

  it('rounds half-up to nine decimals', () => {
    // 1 token at 0.0005/M = 0.0000000005 → 0.000000001; at 0.0004/M → 0
    expect(tokenCostNano(1, '0.0005')).toBe(1n);
    expect(tokenCostNano(1, '0.0004')).toBe(0n);
  });

  it('does not drift the way floats do', () => {
    const cost = computeCost(
      {
        promptTokens: 1_000_000,
        completionTokens: 1_000_000,
        loadDurationNs: null,
        promptEvalDurationNs: null,
        evalDurationNs: null,
      },
      { inputPerMillion: 0.1, outputPerMillion: 0.2, perRequest: 0 },
      null,
      energy,
    );
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(cost.totalCost).toBe('0.300000000');
  });
});

describe('energy and electricity', () => {
  it('is GPU_WATTS × duration / 3600 Wh, and Wh / 1000 × price per kWh', () => {
    // 350 W for 2.5 s = 0.2430555… Wh; × 0.15 / 1000 = 0.0000364583…
    expect(formatNano(energyWhNano(2_500_000_000, '350'))).toBe('0.243055556');
    expect(formatNano(electricityCostNano(2_500_000_000, energy))).toBe('0.000036458');
    // one hour at 1000 W = 1 kWh
    expect(formatNano(energyWhNano(3600e9, 1000))).toBe('1000.000000000');
    expect(formatNano(electricityCostNano(3600e9, { gpuWatts: 1000, electricityPricePerKwh: '0.15' }))).toBe(
      '0.150000000',
    );
  });

  it('is zero when Ollama reported no duration', () => {
    expect(energyWhNano(null, '350')).toBe(0n);
    expect(electricityCostNano(null, energy)).toBe(0n);
    expect(energyWhNano(0, '350')).toBe(0n);
  });
});

describe('computeCost', () => {
  it('prices the documented worked example (docs/billing.md)', () => {
    const cost = computeCost(
      {
        promptTokens: 1200,
        completionTokens: 350,
        loadDurationNs: 200_000_000,
        promptEvalDurationNs: 1_000_000_000,
        evalDurationNs: 3_000_000_000,
      },
      { inputPerMillion: '0.20', outputPerMillion: '0.80', perRequest: '0.0005' },
      gpt4oMini,
      energy,
    );
    expect(cost).toEqual({
      inputCost: '0.000240000',
      outputCost: '0.000280000',
      requestCost: '0.000500000',
      totalCost: '0.001020000',
      energyWh: '0.408333333',
      electricityCost: '0.000061250',
      referenceCost: '0.000390000',
    });
  });

  it('adds the per-request price even with zero tokens', () => {
    const cost = computeCost(
      {
        promptTokens: 0,
        completionTokens: 0,
        loadDurationNs: null,
        promptEvalDurationNs: null,
        evalDurationNs: null,
      },
      { inputPerMillion: 5, outputPerMillion: 5, perRequest: '0.01' },
      gpt4oMini,
      energy,
    );
    expect(cost.requestCost).toBe('0.010000000');
    expect(cost.totalCost).toBe('0.010000000');
    expect(cost.referenceCost).toBe('0.000000000');
  });

  it('charges nothing without a price row and gives no reference cost without a reference price', () => {
    const cost = computeCost(
      {
        promptTokens: 500,
        completionTokens: 500,
        loadDurationNs: null,
        promptEvalDurationNs: 0,
        evalDurationNs: 1e9,
      },
      null,
      null,
      energy,
    );
    expect(cost.totalCost).toBe('0.000000000');
    expect(cost.inputCost).toBe('0.000000000');
    expect(cost.referenceCost).toBe('0.000000000');
    expect(cost.energyWh).toBe('0.097222222');
  });

  it('keeps the total equal to the sum of its rounded parts', () => {
    const cost = computeCost(
      {
        promptTokens: 3,
        completionTokens: 7,
        loadDurationNs: null,
        promptEvalDurationNs: null,
        evalDurationNs: null,
      },
      { inputPerMillion: '0.333333', outputPerMillion: '0.666667', perRequest: '0.000000001' },
      null,
      energy,
    );
    const sum = toNano(cost.inputCost) + toNano(cost.outputCost) + toNano(cost.requestCost);
    expect(cost.totalCost).toBe(formatNano(sum));
    expect(cost.inputCost).toBe('0.000001000'); // 3 × 0.333333 / 1e6 = 0.000000999999 → rounds up
    expect(cost.outputCost).toBe('0.000004667'); // 7 × 0.666667 / 1e6 = 0.000004666669
  });
});

describe('energy from the GPU busy durations', () => {
  it('sums load + prompt_eval + eval and ignores total_duration', () => {
    expect(
      gpuBusyNs({ loadDurationNs: 500_000_000, promptEvalDurationNs: 250_000_000, evalDurationNs: 2e9 }),
    ).toBe(2_750_000_000);
    expect(gpuBusyNs({ loadDurationNs: null, promptEvalDurationNs: null, evalDurationNs: 1e9 })).toBe(1e9);
    expect(gpuBusyNs({ loadDurationNs: null, promptEvalDurationNs: null, evalDurationNs: null })).toBeNull();
    const cost = computeCost(
      {
        promptTokens: 10,
        completionTokens: 10,
        loadDurationNs: 1_800_000_000,
        promptEvalDurationNs: 600_000_000,
        evalDurationNs: 1_200_000_000,
        // a total_duration field would be ignored: 3.6 s busy at 1000 W = 1 Wh
        ...{ totalDurationNs: 60e9 },
      },
      null,
      null,
      { gpuWatts: 1000, electricityPricePerKwh: '0.30' },
    );
    expect(cost.energyWh).toBe('1.000000000');
    expect(cost.electricityCost).toBe('0.000300000');
  });
});

describe('maxCostNano (budget reservations)', () => {
  const price = { inputPerMillion: '0.333333', outputPerMillion: '0.666667', perRequest: '0.0005' };
  it('is prompt + max completion + per request, and never below the settled cost', () => {
    expect(formatNano(maxCostNano(price, 1000, 500))).toBe(
      formatNano(tokenCostNano(1000, '0.333333') + tokenCostNano(500, '0.666667') + toNano('0.0005')),
    );
    for (const completion of [0, 1, 7, 499, 500]) {
      const settled = computeCost(
        {
          promptTokens: 1000,
          completionTokens: completion,
          loadDurationNs: null,
          promptEvalDurationNs: null,
          evalDurationNs: null,
        },
        price,
        null,
        { gpuWatts: 0, electricityPricePerKwh: 0 },
      );
      expect(toNano(settled.totalCost)).toBeLessThanOrEqual(maxCostNano(price, 1000, 500));
      expect(toNano(settled.totalCost)).toBe(costNano(price, 1000, completion));
    }
    expect(maxCostNano(null, 1000, 500)).toBe(0n);
  });
});

describe('isBillable: refused and failed requests cost nothing', () => {
  const price = { inputPerMillion: '0.20', outputPerMillion: '0.80', perRequest: '0.0005' };
  const durations = { loadDurationNs: null, promptEvalDurationNs: null, evalDurationNs: null };

  it('bills successes and anything that produced tokens, not failures without tokens', () => {
    expect(isBillable({ promptTokens: 0, completionTokens: 0 }, 200)).toBe(true);
    expect(isBillable({ promptTokens: 0, completionTokens: 3 }, 499)).toBe(true);
    expect(isBillable({ promptTokens: 0, completionTokens: 0 }, 429)).toBe(false);
    expect(isBillable({ promptTokens: 0, completionTokens: 0 }, 502)).toBe(false);
  });

  it('drops the per-request price of a request refused before it reached a model', () => {
    const refused = computeCost(
      { promptTokens: 0, completionTokens: 0, status: 401, ...durations },
      price,
      null,
      energy,
    );
    expect(refused.totalCost).toBe('0.000000000');
    const served = computeCost(
      { promptTokens: 0, completionTokens: 0, status: 200, ...durations },
      price,
      null,
      energy,
    );
    expect(served.requestCost).toBe('0.000500000');
  });
});
