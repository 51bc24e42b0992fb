import { electricitySettingsSchema } from '@ollama-gateway/contracts';
import type { Logger } from '@ollama-gateway/runtime';
import { sql } from 'kysely';
import type { Db } from '../connection.js';

/** The `settings` row `electricity`: overrides GPU_WATTS and ELECTRICITY_PRICE_PER_KWH while present. */
export interface ElectricityValue {
  /** Average GPU draw while generating, in watts. */
  gpuWatts: number;
  /** Price of one kWh in CURRENCY. */
  pricePerKwh: number;
}

export interface SettingsRepository {
  /**
   * The electricity row, or null when there is none. A row that does not match the schema (edited by hand) is
   * ignored, as if absent, with one warning per distinct bad value: the env defaults apply instead of a crash.
   */
  getElectricity(): Promise<ElectricityValue | null>;
  /** Inserts or replaces the electricity row; answers what was stored. */
  setElectricity(value: ElectricityValue): Promise<ElectricityValue>;
  /** Deletes the electricity row (the env defaults apply again); false when there was none. */
  clearElectricity(): Promise<boolean>;
}

export const ELECTRICITY_SETTING_KEY = 'electricity';

/** What a stored value must look like; unknown extra fields are ignored. */
const electricityValueSchema = electricitySettingsSchema.pick({ gpuWatts: true, pricePerKwh: true });

export function createSettingsRepository(
  db: Db,
  options: { logger?: Pick<Logger, 'warn'> } = {},
): SettingsRepository {
  let lastWarned: string | null = null;
  return {
    async getElectricity() {
      const row = await db
        .selectFrom('settings')
        .select('value')
        .where('key', '=', ELECTRICITY_SETTING_KEY)
        .executeTakeFirst();
      if (!row) return null;
      const parsed = electricityValueSchema.safeParse(row.value);
      if (parsed.success) return { gpuWatts: parsed.data.gpuWatts, pricePerKwh: parsed.data.pricePerKwh };
      const raw = JSON.stringify(row.value);
      if (raw !== lastWarned) {
        lastWarned = raw;
        options.logger?.warn(
          {
            key: ELECTRICITY_SETTING_KEY,
            value: row.value,
            issues: parsed.error.issues.map((i) => i.message),
          },
          'ignoring an invalid settings row: expected {"gpuWatts": number, "pricePerKwh": number}; env defaults apply',
        );
      }
      return null;
    },

    async setElectricity(value) {
      const stored = { gpuWatts: value.gpuWatts, pricePerKwh: value.pricePerKwh };
      await db
        .insertInto('settings')
        .values({ key: ELECTRICITY_SETTING_KEY, value: JSON.stringify(stored) })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: sql`now()` })),
        )
        .execute();
      return stored;
    },

    async clearElectricity() {
      const result = await db
        .deleteFrom('settings')
        .where('key', '=', ELECTRICITY_SETTING_KEY)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
