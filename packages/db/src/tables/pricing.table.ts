import type { Defaulted, GeneratedNumeric, GeneratedTimestamp } from './common.js';

export interface PricingTable {
  id: Defaulted<string>;
  provider: Defaulted<string>;
  model: string;
  input_per_million: GeneratedNumeric;
  output_per_million: GeneratedNumeric;
  per_request: GeneratedNumeric;
  effective_from: GeneratedTimestamp;
  created_at: GeneratedTimestamp;
  /** Migration 0001: the customer this price is reserved to (beats the defaults); NULL = a default price. */
  customer_id: string | null;
}
