import { sql } from 'kysely';
import type { Db } from '../connection.js';

/** What the gateway learnt about a model from Ollama's /api/tags and /api/show. */
export interface ModelMetadata {
  model: string;
  family: string | null;
  parameterSize: string | null;
  quantization: string | null;
  contextLength: number | null;
  embeddingLength: number | null;
  capabilities: string[];
  sizeBytes: number | null;
  digest: string | null;
  updatedAt?: Date;
}

export interface ModelMetadataRepository {
  /** Inserts or replaces each model's row (one statement). Returns the rows written. */
  upsert(models: ModelMetadata[]): Promise<ModelMetadata[]>;
  /** Every model, by name. */
  list(): Promise<ModelMetadata[]>;
}

type Row = {
  model: string;
  family: string | null;
  parameter_size: string | null;
  quantization: string | null;
  context_length: number | null;
  embedding_length: number | null;
  capabilities: string[];
  size_bytes: string | null;
  digest: string | null;
  updated_at: Date;
};

const toMetadata = (row: Row): ModelMetadata => ({
  model: row.model,
  family: row.family,
  parameterSize: row.parameter_size,
  quantization: row.quantization,
  contextLength: row.context_length,
  embeddingLength: row.embedding_length,
  capabilities: row.capabilities,
  sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
  digest: row.digest,
  updatedAt: row.updated_at,
});

export function createModelMetadataRepository(db: Db): ModelMetadataRepository {
  return {
    async upsert(models) {
      if (models.length === 0) return [];
      const rows = await db
        .insertInto('model_metadata')
        .values(
          models.map((m) => ({
            model: m.model,
            family: m.family,
            parameter_size: m.parameterSize,
            quantization: m.quantization,
            context_length: m.contextLength,
            embedding_length: m.embeddingLength,
            capabilities: m.capabilities,
            size_bytes: m.sizeBytes,
            digest: m.digest,
          })),
        )
        .onConflict((oc) =>
          oc.column('model').doUpdateSet((eb) => ({
            family: eb.ref('excluded.family'),
            parameter_size: eb.ref('excluded.parameter_size'),
            quantization: eb.ref('excluded.quantization'),
            context_length: eb.ref('excluded.context_length'),
            embedding_length: eb.ref('excluded.embedding_length'),
            capabilities: eb.ref('excluded.capabilities'),
            size_bytes: eb.ref('excluded.size_bytes'),
            digest: eb.ref('excluded.digest'),
            updated_at: sql<Date>`now()`,
          })),
        )
        .returningAll()
        .execute();
      return rows.map(toMetadata).sort((a, b) => a.model.localeCompare(b.model));
    },
    async list() {
      const rows = await db.selectFrom('model_metadata').selectAll().orderBy('model').execute();
      return rows.map(toMetadata);
    },
  };
}

/** Loose shapes of Ollama's /api/tags entry and /api/show answer (only what is read here). */
export interface OllamaTagLike {
  name: string;
  model?: string;
  size?: number;
  digest?: string;
  details?: Record<string, unknown>;
}
export interface OllamaShowLike {
  details?: Record<string, unknown>;
  model_info?: Record<string, unknown>;
  capabilities?: string[];
}

const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
const int = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : null;

/**
 * Metadata from one /api/tags entry and its /api/show answer. Context and embedding length are in model_info as
 * `<architecture>.context_length` / `<architecture>.embedding_length` (`general.architecture` names it).
 */
export function modelMetadataFromOllama(tag: OllamaTagLike, show: OllamaShowLike | null): ModelMetadata {
  const details = { ...(tag.details ?? {}), ...(show?.details ?? {}) };
  const info = show?.model_info ?? {};
  const arch = str(info['general.architecture']) ?? str(details.family);
  const fromInfo = (suffix: string): number | null => {
    if (arch && int(info[`${arch}.${suffix}`]) !== null) return int(info[`${arch}.${suffix}`]);
    const key = Object.keys(info).find((k) => k.endsWith(`.${suffix}`));
    return key ? int(info[key]) : null;
  };
  return {
    model: tag.model ?? tag.name,
    family: str(details.family),
    parameterSize: str(details.parameter_size),
    quantization: str(details.quantization_level),
    contextLength: fromInfo('context_length'),
    embeddingLength: fromInfo('embedding_length'),
    capabilities: Array.isArray(show?.capabilities)
      ? show.capabilities.filter((c) => typeof c === 'string')
      : [],
    sizeBytes: int(tag.size),
    digest: str(tag.digest),
  };
}
