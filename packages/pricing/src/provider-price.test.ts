import { describe, expect, it } from 'vitest';
import { resolvePrice } from './markup.js';
import type { PriceRow } from './price-selector.js';

/**
 * Requests served by a fallback provider (issue 6): the usage row carries the provider and the provider's model as
 * upstream model, and both name the price — never the local model's price list.
 */
const row = (provider: string, model: string, input: string, output: string): PriceRow => ({
  id: `${provider}/${model}`,
  provider,
  model,
  inputPerMillion: input,
  outputPerMillion: output,
  perRequest: 0,
  effectiveFrom: new Date(0),
});

const rows = [
  row('ollama', '*', '0.05', '0.10'),
  row('ollama', 'llama3.2', '0.02', '0.04'),
  row('openai', 'gpt-4o-mini', '0.15', '0.60'),
  row('openai', '*', '2.50', '10.00'),
  row('anthropic', 'claude-haiku-4-5', '1.00', '5.00'),
];
const at = new Date('2026-11-01T00:00:00Z');
const price = (provider: string, model: string, upstreamModel: string | null) =>
  resolvePrice(rows, { provider, model, upstreamModel, at }).price;

describe('prices of requests served by a fallback provider', () => {
  it("uses the provider's row for the provider model, not the local model's", () => {
    expect(price('openai', 'llama3.2', 'gpt-4o-mini')).toMatchObject({
      inputPerMillion: '0.150000000',
      outputPerMillion: '0.600000000',
    });
    expect(price('anthropic', 'llama3.2', 'claude-haiku-4-5')).toMatchObject({
      inputPerMillion: '1.000000000',
    });
    expect(price('ollama', 'llama3.2', 'llama3.2')).toMatchObject({ inputPerMillion: '0.020000000' });
  });

  it("falls back to the provider's `*` row, and is free when the provider has no rows at all", () => {
    expect(price('openai', 'llama3.2', 'gpt-4o')).toMatchObject({ inputPerMillion: '2.500000000' });
    expect(price('openrouter', 'llama3.2', 'meta-llama/llama-3.2-3b-instruct')).toBeNull();
  });
});
