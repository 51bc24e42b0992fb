import type { GeneratedTimestamp, Json } from './common.js';

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: GeneratedTimestamp;
}
