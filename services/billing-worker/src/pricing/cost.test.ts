import { describe, expect, it } from 'vitest';
import { computeCost, electricityCostNano, energyWhNano, formatNano, tokenCostNano, toNano } from './cost.js';

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
      { promptTokens: 1_000_000, completionTokens: 1_000_000, totalDurationNs: null },
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
      { promptTokens: 1200, completionTokens: 350, totalDurationNs: 4_200_000_000 },
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
      { promptTokens: 0, completionTokens: 0, totalDurationNs: null },
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
      { promptTokens: 500, completionTokens: 500, totalDurationNs: 1e9 },
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
      { promptTokens: 3, completionTokens: 7, totalDurationNs: null },
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
