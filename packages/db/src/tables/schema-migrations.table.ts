import type { GeneratedTimestamp } from './common.js';

export interface SchemaMigrationsTable {
  version: string;
  applied_at: GeneratedTimestamp;
}
