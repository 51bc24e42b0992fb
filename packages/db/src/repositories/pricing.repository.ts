import { sql } from 'kysely';
import type { Db } from '../connection.js';
import { toNumber } from './common.js';

/** A price row: money per million tokens (and per request), in force from `effectiveFrom`. */
export interface Price {
  id: string;
  provider: string;
  /** An exact model name or a glob (`llama3*`, `qwen?.5*`, `*` = default). */
  model: string;
  inputPerMillion: number;
  outputPerMillion: number;
  perRequest: number;
  effectiveFrom: Date;
  createdAt: Date;
  /** The customer this price is reserved to (its own price list beats the defaults); null for a default price. */
  customerId: string | null;
}

export interface UpsertPriceInput {
  /** Default `ollama`. */
  provider?: string;
  model: string;
  inputPerMillion: number;
  outputPerMillion: number;
  perRequest?: number;
  /** Default: the database default 1970-01-01, i.e. "always". */
  effectiveFrom?: Date;
  /** A customer's own price (beats the defaults for that customer); omitted/null = a default price. */
  customerId?: string | null;
}

/** What the same traffic would have cost on a hosted API. */
export interface ReferencePrice {
  id: string;
  name: string;
  inputPerMillion: number;
  outputPerMillion: number;
  isDefault: boolean;
  updatedAt: Date;
}

export interface PricingRepository {
  /** Inserts, or replaces the amounts of the row with the same provider, model, customer and effectiveFrom. */
  upsert(input: UpsertPriceInput): Promise<Price>;
  /** Every row, by provider, model, then newest effectiveFrom first. */
  list(): Promise<Price[]>;
  /**
   * The price in force for `model` at `at`: among `provider`'s rows with effective_from <= at whose model equals
   * `model` or matches it as a glob (`*` any run, `?` one character), an exact match wins, then the longer
   * (more specific) pattern, then the latest effective_from. null when none applies. Default prices only (rows
   * without a customer); per-customer prices and markup are resolved by `resolvePrice` in @ollama-gateway/pricing.
   */
  findEffective(provider: string, model: string, at: Date): Promise<Price | null>;
  findDefaultReferencePrice(): Promise<ReferencePrice | null>;
}

const COLUMNS = [
  'id',
  'provider',
  'model',
  'input_per_million',
  'output_per_million',
  'per_request',
  'effective_from',
  'created_at',
  'customer_id',
] as const;

/**
 * The stored glob as a LIKE pattern: escape LIKE's own `\`, `%` and `_`, then `*` → `%` and `?` → `_`.
 * (SQL literals below are standard-conforming: '\' is one backslash.)
 */
const modelAsLikePattern = sql<string>`replace(replace(replace(replace(replace(model, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%'), '?', '_')`;

export function createPricingRepository(db: Db): PricingRepository {
  return {
    async upsert(input) {
      const row = await db
        .insertInto('pricing')
        .values({
          provider: input.provider ?? 'ollama',
          model: input.model,
          input_per_million: input.inputPerMillion,
          output_per_million: input.outputPerMillion,
          per_request: input.perRequest ?? 0,
          effective_from: input.effectiveFrom,
          customer_id: input.customerId ?? null,
        })
        .onConflict((oc) =>
          oc.constraint('pricing_key').doUpdateSet((eb) => ({
            input_per_million: eb.ref('excluded.input_per_million'),
            output_per_million: eb.ref('excluded.output_per_million'),
            per_request: eb.ref('excluded.per_request'),
          })),
        )
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      return toPrice(row);
    },

    async list() {
      const rows = await db
        .selectFrom('pricing')
        .select(COLUMNS)
        .orderBy('provider')
        .orderBy('model')
        .orderBy('effective_from', 'desc')
        .execute();
      return rows.map(toPrice);
    },

    async findEffective(provider, model, at) {
      const row = await db
        .selectFrom('pricing')
        .select(COLUMNS)
        .where('provider', '=', provider)
        .where('customer_id', 'is', null)
        .where('effective_from', '<=', at)
        .where((eb) =>
          eb.or([eb('model', '=', model), eb(sql.val(model), 'like', sql<string>`${modelAsLikePattern}`)]),
        )
        .orderBy(sql`model = ${model}`, 'desc')
        .orderBy(sql`length(model)`, 'desc')
        .orderBy('effective_from', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toPrice(row) : null;
    },

    async findDefaultReferencePrice() {
      const row = await db
        .selectFrom('reference_prices')
        .selectAll()
        .where('is_default', '=', true)
        .orderBy('updated_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!row) return null;
      return {
        id: row.id,
        name: row.name,
        inputPerMillion: toNumber(row.input_per_million),
        outputPerMillion: toNumber(row.output_per_million),
        isDefault: row.is_default,
        updatedAt: row.updated_at,
      };
    },
  };
}

function toPrice(row: {
  id: string;
  provider: string;
  model: string;
  input_per_million: string;
  output_per_million: string;
  per_request: string;
  effective_from: Date;
  created_at: Date;
  customer_id: string | null;
}): Price {
  return {
    id: row.id,
    provider: row.provider,
    model: row.model,
    inputPerMillion: toNumber(row.input_per_million),
    outputPerMillion: toNumber(row.output_per_million),
    perRequest: toNumber(row.per_request),
    effectiveFrom: row.effective_from,
    createdAt: row.created_at,
    customerId: row.customer_id,
  };
}
