import type { Defaulted, GeneratedNumeric, GeneratedTimestamp, Int8 } from './common.js';

export interface PlansTable {
  id: Defaulted<string>;
  name: string;
  monthly_request_quota: Int8 | null;
  monthly_token_quota: Int8 | null;
  monthly_price: GeneratedNumeric;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}
