import { describe, expect, it } from 'vitest';
import { computeCost } from './cost.js';
import { resolvePrice } from './markup.js';
import type { PriceRow } from './price-selector.js';

const CUSTOMER = '11111111-1111-4111-8111-111111111111';
const row = (model: string, input: string, customerId: string | null = null): PriceRow => ({
  id: `${model}-${customerId ?? 'default'}`,
  provider: 'ollama',
  model,
  inputPerMillion: input,
  outputPerMillion: input,
  perRequest: '0.001',
  effectiveFrom: new Date(0),
  customerId,
});
const rows = [row('*', '0.10'), row('llama3*', '0.20'), row('llama3*', '0.05', CUSTOMER)];
const q = (model: string, customerId: string | null) => ({
  provider: 'ollama',
  model,
  upstreamModel: null,
  at: new Date('2026-03-01T00:00:00Z'),
  customerId,
});

describe('resolvePrice', () => {
  it("uses the customer's own row before any default, without markup", () => {
    const resolved = resolvePrice(rows, q('llama3.1:8b', CUSTOMER), 50);
    expect(resolved.source).toBe('customer');
    expect(resolved.markupPercent).toBe('0.000000000');
    expect(resolved.price?.inputPerMillion).toBe('0.050000000');
  });

  it('falls back to the default rows (then the * row) with the markup applied', () => {
    const llama = resolvePrice(rows, q('llama3.1:8b', null), 25);
    expect(llama.source).toBe('default');
    expect(llama.price).toEqual({
      inputPerMillion: '0.250000000',
      outputPerMillion: '0.250000000',
      perRequest: '0.001250000',
    });
    const other = resolvePrice(rows, q('mistral', CUSTOMER), '-10');
    expect(other.row?.model).toBe('*');
    expect(other.markupPercent).toBe('-10.000000000');
    expect(other.price?.inputPerMillion).toBe('0.090000000');
  });

  it('prices 1M tokens in and out at +25 % exactly', () => {
    const { price } = resolvePrice(rows, q('llama3', null), '25');
    const cost = computeCost(
      {
        promptTokens: 1_000_000,
        completionTokens: 1_000_000,
        loadDurationNs: null,
        promptEvalDurationNs: null,
        evalDurationNs: null,
      },
      price,
      null,
      { gpuWatts: 0, electricityPricePerKwh: 0 },
    );
    expect(cost.totalCost).toBe('0.501250000');
  });

  it('is free when no row applies', () => {
    expect(resolvePrice([], q('x', CUSTOMER), 10)).toMatchObject({ row: null, source: 'none', price: null });
  });
});
