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
}
