import { badRequest } from '@ollama-gateway/runtime';
import { sql } from 'kysely';
import type { Db } from '../connection.js';
import { pgErrorCode } from './common.js';

/** A hosted API's price, the yardstick of the "savings" figures. Amounts are exact decimal strings. */
export interface ReferencePriceEntry {
  name: string;
  inputPerMillion: string;
  outputPerMillion: string;
  /** The one reference the ledger's reference_cost is computed against. */
  isDefault: boolean;
}

export interface UpsertReferencePriceInput {
  inputPerMillion: number;
  outputPerMillion: number;
  /** true: this becomes the only default. false: it stops being the default. Absent: unchanged (new rows: false). */
  isDefault?: boolean;
}

export interface ReferencePricesRepository {
  /** Every reference price, the default first, then by name. */
  list(): Promise<ReferencePriceEntry[]>;
  /**
   * Inserts or updates the price called `name`, in one transaction that also clears every other row's default
   * flag when `isDefault` is true, so there is never more than one default. Throws AppError 400
   * `invalid_request_body` for an amount the column cannot hold (≥ 100 000 000).
   */
  upsert(name: string, input: UpsertReferencePriceInput): Promise<ReferencePriceEntry>;
}

const COLUMNS = ['name', 'input_per_million', 'output_per_million', 'is_default'] as const;

type Row = { name: string; input_per_million: string; output_per_million: string; is_default: boolean };

const toEntry = (row: Row): ReferencePriceEntry => ({
  name: row.name,
  inputPerMillion: row.input_per_million,
  outputPerMillion: row.output_per_million,
  isDefault: row.is_default,
});

export function createReferencePricesRepository(db: Db): ReferencePricesRepository {
  return {
    async list() {
      const rows = await db
        .selectFrom('reference_prices')
        .select(COLUMNS)
        .orderBy('is_default', 'desc')
        .orderBy('name')
        .execute();
      return rows.map(toEntry);
    },

    async upsert(name, input) {
      try {
        return await db.transaction().execute(async (trx) => {
          // Writers queue here (readers do not), so two concurrent "make X the default" cannot both win.
          await sql`LOCK TABLE reference_prices IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
          if (input.isDefault === true)
            await trx
              .updateTable('reference_prices')
              .set({ is_default: false, updated_at: sql`now()` })
              .where('is_default', '=', true)
              .where('name', '<>', name)
              .execute();
          const row = await trx
            .insertInto('reference_prices')
            .values({
              name,
              input_per_million: input.inputPerMillion,
              output_per_million: input.outputPerMillion,
              is_default: input.isDefault ?? false,
            })
            .onConflict((oc) =>
              oc.column('name').doUpdateSet((eb) => ({
                input_per_million: eb.ref('excluded.input_per_million'),
                output_per_million: eb.ref('excluded.output_per_million'),
                ...(input.isDefault === undefined ? {} : { is_default: eb.ref('excluded.is_default') }),
                updated_at: sql`now()`,
              })),
            )
            .returning(COLUMNS)
            .executeTakeFirstOrThrow();
          return toEntry(row);
        });
      } catch (error) {
        if (pgErrorCode(error) === '22003')
          throw badRequest('A price per million tokens must be below 100000000', {
            code: 'invalid_request_body',
            cause: error,
          });
        throw error;
      }
    },
  };
}
