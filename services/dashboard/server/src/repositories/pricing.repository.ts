import { type Db, sql } from '@ollama-gateway/db';
import { moneyText } from './usage-sums.sql.js';

export interface PriceRow {
  id: string;
  provider: string;
  model: string;
  customer_id: string | null;
  input_per_million: string;
  output_per_million: string;
  per_request: string;
  effective_from: Date;
}

export interface ReferencePriceRow {
  name: string;
  input_per_million: string;
  output_per_million: string;
  is_default: boolean;
}

export interface PlanRow {
  name: string;
  monthly_request_quota: number | null;
  monthly_token_quota: number | null;
  monthly_price: string;
}

export interface PricingRepository {
  /** Default prices first, then per-customer ones; by provider, model, newest effective_from first. */
  prices(): Promise<PriceRow[]>;
  /** The default reference first, then by name. */
  referencePrices(): Promise<ReferencePriceRow[]>;
  /** The `settings` row 'electricity' as stored (validated by the service), or undefined when there is none. */
  electricitySetting(): Promise<unknown>;
  /** Plans from the smallest request quota up (unlimited last). */
  plans(): Promise<PlanRow[]>;
}

export function createPricingRepository(db: Db): PricingRepository {
  return {
    async prices() {
      const { rows } = await sql<PriceRow>`
        SELECT id, provider, model, customer_id, effective_from,
          ${sql.raw(moneyText('input_per_million'))} AS input_per_million,
          ${sql.raw(moneyText('output_per_million'))} AS output_per_million,
          ${sql.raw(moneyText('per_request'))} AS per_request
        FROM pricing
        ORDER BY customer_id NULLS FIRST, provider, model, effective_from DESC`.execute(db);
      return rows;
    },

    async referencePrices() {
      const { rows } = await sql<ReferencePriceRow>`
        SELECT name, is_default,
          ${sql.raw(moneyText('input_per_million'))} AS input_per_million,
          ${sql.raw(moneyText('output_per_million'))} AS output_per_million
        FROM reference_prices ORDER BY is_default DESC, name`.execute(db);
      return rows;
    },

    async electricitySetting() {
      const row = await db
        .selectFrom('settings')
        .select('value')
        .where('key', '=', 'electricity')
        .executeTakeFirst();
      return row?.value;
    },

    async plans() {
      const { rows } = await sql<PlanRow>`
        SELECT name,
          monthly_request_quota::float8 AS monthly_request_quota,
          monthly_token_quota::float8 AS monthly_token_quota,
          ${sql.raw(moneyText('monthly_price'))} AS monthly_price
        FROM plans ORDER BY monthly_request_quota NULLS LAST, monthly_price, name`.execute(db);
      return rows;
    },
  };
}
