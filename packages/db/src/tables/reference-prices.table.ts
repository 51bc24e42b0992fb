import type { Defaulted, GeneratedTimestamp, Numeric } from './common.js';

export interface ReferencePricesTable {
  id: Defaulted<string>;
  name: string;
  input_per_million: Numeric;
  output_per_million: Numeric;
  is_default: Defaulted<boolean>;
  updated_at: GeneratedTimestamp;
}
