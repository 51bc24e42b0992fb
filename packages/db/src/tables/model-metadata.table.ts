import type { Defaulted, GeneratedTimestamp, Int8 } from './common.js';

export interface ModelMetadataTable {
  model: string;
  family: string | null;
  parameter_size: string | null;
  quantization: string | null;
  context_length: number | null;
  embedding_length: number | null;
  capabilities: Defaulted<string[]>;
  size_bytes: Int8 | null;
  digest: string | null;
  updated_at: GeneratedTimestamp;
}
