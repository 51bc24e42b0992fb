import type { CustomerStatus } from '@ollama-gateway/contracts';
import type { Defaulted, GeneratedTimestamp, Numeric } from './common.js';

export interface CustomersTable {
  id: Defaulted<string>;
  name: string;
  email: string | null;
  plan_id: string | null;
  budget: Numeric | null;
  status: Defaulted<CustomerStatus>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}
