import type { Defaulted, GeneratedTimestamp, Timestamp } from './common.js';

export interface ApiKeysTable {
  id: Defaulted<string>;
  customer_id: string;
  name: Defaulted<string>;
  prefix: string;
  secret_hash: string;
  is_admin: Defaulted<boolean>;
  allowed_models: string[] | null;
  allowed_endpoints: string[] | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_concurrency: number | null;
  priority: Defaulted<number>;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
  created_at: GeneratedTimestamp;
}
